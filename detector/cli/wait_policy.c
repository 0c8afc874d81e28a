/* wait_policy.c - detect's OpenMP wait policy: passive unless the user chose one.
 *
 * Between two forward passes (letterboxing, NMS, drawing, the next frame) the OpenMP runtime keeps
 * its idle worker spinning: libgomp for GOMP_SPINCOUNT = 300000 pauses by default, about 9 ms on
 * the 2-core Zen 5 machine (30 ns a pause), LLVM's libomp for KMP_BLOCKTIME = 200 ms. That core
 * is then lost to the video reader's decoder and the writer's encoder, and to any other process
 * on a shared machine. With OMP_WAIT_POLICY=passive the worker sleeps at once; the cost is a futex
 * wake per forward pass (microseconds), and the waits between the ops of a pass still spin
 * briefly in runtime/team.c's own barrier. The runtimes read the variable once, when they are
 * loaded, before main (a .preinit_array function runs before libc has its environment, which libc
 * then resets): so detect, when it runs more than one thread, sets it and executes itself again
 * (/proc/self/exe, same arguments, same process id). A user's OMP_WAIT_POLICY, GOMP_SPINCOUNT or
 * KMP_BLOCKTIME is left as it is; without /proc the run goes on as it was loaded. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <unistd.h>

#include "detector/cli/cli.h"

static char **main_argv; /* main's arguments, untouched: what the new image gets */

void cli_keep_argv(char **argv)
{
    main_argv = argv;
}

void cli_passive_wait(int threads)
{
    if (threads == 1 || !main_argv || getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT") ||
        getenv("KMP_BLOCKTIME"))
        return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0)
        return;
    execv("/proc/self/exe", main_argv);
    unsetenv("OMP_WAIT_POLICY"); /* no /proc: this process's runtime stays as it is */
}
