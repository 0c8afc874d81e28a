/* videotest.h - helpers of the video tests: the clips of tests/video/make_clips.sh made once per
 * test program, tests/video/reference.json, frame hashes as make_reference.py writes them, ffprobe
 * and child processes (ffmpeg servers) that never outlive the test. */
#ifndef GY_VIDEOTEST_H
#define GY_VIDEOTEST_H

#include <sys/types.h>

#include <cjson/cJSON.h>

#include "testutil.h"

/* Makes the clips (all of make_clips.sh's) in a new temporary folder, once; returns the folder.
 * Fails the test with ffmpeg's message when a clip cannot be made. */
const char *gy_vt_clips(void);
/* The path of clip `name` in that folder (static storage, 8 slots). */
const char *gy_vt_clip(const char *name);
/* Removes the clip folder (call at the end of main). */
void gy_vt_cleanup(void);
/* reference.json's entry of a clip; checks the clip's SHA-256 against it first, so a clip that
 * differs from the one the reference was made from is reported as such. */
const cJSON *gy_vt_ref(const char *clip);
/* The whole of reference.json. */
const cJSON *gy_vt_reference(void);
/* The reference's frame hashes of a clip ("frames" or "cv2_4_6_frames"); *n = their count. */
const char *gy_vt_ref_frame(const cJSON *ref, const char *key, int i);
int gy_vt_ref_count(const cJSON *ref, const char *key);
/* make_reference.py's hash of an RGB image: the first 16 hex digits of the SHA-256 of its BGR
 * bytes; rot180 hashes the image turned by 180 degrees. */
void gy_vt_hash(const gy_image *img, int rot180, char out[17]);
/* SHA-256 of a file, 64 hex digits. */
void gy_vt_file_sha256(const char *path, char out[65]);
/* Runs a shell command, returns its standard output (malloc'ed, NUL-terminated) and exit code. */
char *gy_vt_run(const char *cmd, int *code);
/* Starts argv (execvp) with stdin, stdout and stderr on /dev/null; fails the test if it cannot. */
pid_t gy_vt_spawn(char *const argv[]);
/* Waits up to ms for pid to exit (returns its status, or -1 when still running). */
int gy_vt_wait(pid_t pid, int ms);
/* SIGKILLs pid if still running and reaps it. */
void gy_vt_kill(pid_t pid);
/* A free TCP/UDP port on 127.0.0.1 (bound and released). */
int gy_vt_free_port(int udp);
double gy_vt_now(void);

#endif
