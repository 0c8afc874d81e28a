/* interrupt.c - Ctrl-C (SIGINT) and SIGTERM during a run that writes files: the handler only
 * notes the signal; the run stops after the picture it is on, finishes what it wrote (a video's
 * trailer, the COCO file) and leaves no temporary file. Interrupted system calls are restarted
 * (SA_RESTART), so no write of an output fails halfway because of the signal. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <string.h>

#include "detector/cli/cli.h"

static volatile sig_atomic_t caught;
static struct sigaction saved_int, saved_term;
static int installed;

static void on_signal(int sig)
{
    caught = sig;
}

void cli_interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    caught = 0;
    sigaction(SIGINT, &sa, &saved_int);
    sigaction(SIGTERM, &sa, &saved_term);
    installed = 1;
}

void cli_interrupt_restore(void)
{
    if (!installed)
        return;
    sigaction(SIGINT, &saved_int, NULL);
    sigaction(SIGTERM, &saved_term, NULL);
    installed = 0;
}

int cli_interrupted(void)
{
    return caught;
}

int cli_interrupt_poll(void *user)
{
    (void)user;
    return caught != 0;
}
