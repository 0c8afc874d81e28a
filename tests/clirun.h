/* clirun.h - the real ghostyolo binary run from a test's scratch folder, as a user runs it:
 * "cd TMP && ghostyolo ARGS", stdout and stderr captured in files there. Shared by the CLI tests. */
#ifndef GY_TEST_CLIRUN_H
#define GY_TEST_CLIRUN_H

extern char tmp[128];     /* the scratch folder */
extern char errpath[192]; /* stderr of the last run */
extern char outpath[192]; /* stdout of the last run */

/* Makes an empty scratch folder /tmp/gy_test_<name>_<pid> (fixture setup). */
void cli_setup(const char *name);
/* Removes it (fixture teardown). */
void cli_teardown(void);

/* Runs "cd TMP && ghostyolo ARGS" (printf-style); detect and predict run with one thread (the
 * machine running the suite is shared; results do not change). Returns the exit code. */
int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs a shell command in TMP; fails the test if it fails. */
void shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A whole file (caller frees); fails the test when missing. */
char *read_text(const char *path);
/* TMP/rel (four slots, reused in turn). */
char *tmp_file(const char *rel);
/* Occurrences of what in text. */
int count_of(const char *text, const char *what);
/* The last run's stderr contains / lacks what. */
void err_has(const char *what);
void err_lacks(const char *what);

#endif
