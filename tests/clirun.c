/* clirun.c - see clirun.h. */
#include "clirun.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

char tmp[128];
char errpath[192];
char outpath[192];

void cli_setup(const char *name)
{
    snprintf(tmp, sizeof tmp, "/tmp/gy_test_%s_%d", name, (int)getpid());
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", tmp);
    snprintf(outpath, sizeof outpath, "%s/stdout.txt", tmp);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", tmp, tmp);
    ck_assert_int_eq(system(cmd), 0);
}

void cli_teardown(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    ck_assert_int_eq(system(cmd), 0);
}

int run(const char *fmt, ...)
{
    char args[12288], cmd[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    /* the verb, with yolo's TASK MODE forms */
    const char *verb = strncmp(args, "detect predict ", 15) == 0 ? "detect predict"
                       : strncmp(args, "detect val ", 11) == 0   ? "detect val"
                       : strncmp(args, "detect ", 7) == 0        ? "detect"
                       : strncmp(args, "predict ", 8) == 0       ? "predict"
                                                                 : NULL;
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s%s%s > '%s' 2> '%s'", tmp, gy_test_cli(),
             verb ? verb : "", verb ? " -t 1 " : "", verb ? args + strlen(verb) + 1 : args,
             outpath, errpath);
    int st = system(cmd);
    ck_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

void shell(const char *fmt, ...)
{
    char cmd[16384], full[16640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "cd '%s' && %s", tmp, cmd);
    ck_assert_msg(system(full) == 0, "%s", full);
}

char *read_text(const char *path)
{
    return (char *)gy_test_read(path, NULL);
}

char *tmp_file(const char *rel)
{
    static char buf[4][512];
    static int slot;
    char *b = buf[slot++ % 4];
    snprintf(b, 512, "%s/%s", tmp, rel);
    return b;
}

int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

void err_has(const char *what)
{
    char *e = read_text(errpath);
    ck_assert_msg(strstr(e, what) != NULL, "stderr lacks '%s':\n%s", what, e);
    free(e);
}

void err_lacks(const char *what)
{
    char *e = read_text(errpath);
    ck_assert_msg(strstr(e, what) == NULL, "stderr has '%s':\n%s", what, e);
    free(e);
}
