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
/* The same in folder dir (NULL: here) with stdout and stderr to the files out and err (NULL:
 * /dev/null). */
pid_t gy_vt_spawn_io(char *const argv[], const char *dir, const char *out, const char *err);
/* ffprobe's value of key (codec_name, codec_tag_string, width, height, pix_fmt, r_frame_rate,
 * nb_read_frames of the first video stream; format_name) for a file, "" when absent; fails the
 * test when ffprobe cannot read it. */
void gy_vt_probe(const char *path, const char *key, char *val, size_t n);
/* Waits up to ms for pid to exit (returns its status, or -1 when still running). */
int gy_vt_wait(pid_t pid, int ms);
/* SIGKILLs pid if still running and reaps it. */
void gy_vt_kill(pid_t pid);
/* ffmpeg serving `seconds` of its testsrc pattern at size ("320x240"), 25 fps, as MPEG-TS
 * (MPEG-2 video) to url: "tcp://127.0.0.1:P?listen=1&listen_timeout=MS" waits for one client,
 * "udp://..." sends, "http://127.0.0.1:P/PATH" serves one HTTP client (ffmpeg's -listen 1). */
pid_t gy_vt_serve(const char *url, double seconds, const char *size);
/* The same serving a video file, looped (e.g. a clip of make_clips.sh: objects to detect). */
pid_t gy_vt_serve_file(const char *url, double seconds, const char *path);
/* 1 when a TCP socket listens on 127.0.0.1:port (or any address) within ms (read from
 * /proc/net/tcp, so no connection is made: ffmpeg's listen accepts one client only). */
int gy_vt_wait_listen(int port, int ms);
/* A free TCP/UDP port on 127.0.0.1 (bound and released). */
int gy_vt_free_port(int udp);
double gy_vt_now(void);

#endif
