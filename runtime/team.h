/* team.h - runs a sequence of steps, each split into independent tasks, in ONE OpenMP parallel
 * region: the threads take a step's tasks from a shared ticket counter and meet at a barrier
 * (spin briefly, then sleep in the kernel) before the next step. The int8 runtime (qrun.c) runs
 * on it; the float runtime (run.c) has its own op loop and shares the barrier. */
#ifndef GY_RUNTIME_TEAM_H
#define GY_RUNTIME_TEAM_H

#include <stddef.h>

typedef struct gy_team {
    int nthreads;  /* 1: no parallel region */
    int nsteps;
    size_t (*tasks)(void *user, int step);
    void (*task)(void *user, int step, size_t task, int thread);
    /* optional: thread 0 after each step with the step's wall time, ms (from the previous step's
     * end to its own last task's end, as the barrier stamps it; the last step also carries the
     * team's join) */
    void (*after)(void *user, int step, double ms);
    void *user;
} gy_team;

void gy_team_run(const gy_team *t);

/* The barrier between steps (also the float runtime's, run.c): spin about 40 us, then sleep in
 * the kernel (futex), so a waiting thread gives its core to the one it waits for when the machine
 * is oversubscribed. Zero-initialise the atomics, set n to the team size. */
#include <stdatomic.h>
typedef struct gy_team_barrier {
    atomic_int arrived;
    atomic_int generation;
    atomic_int sleepers;
    int n;
} gy_team_barrier;
void gy_team_barrier_init(gy_team_barrier *b);
/* stamp: NULL, or the step's timing, which the last thread to arrive (the moment the step's last
 * task is done, whichever thread ran it) records before it releases the others: *ms = the time
 * since *t_end, and *t_end = now. So a thread that wakes late from the barrier is billed to the
 * step it is late for, and the steps add up to the whole run. */
typedef struct gy_team_stamp {
    double *ms;
    double *t_end;
} gy_team_stamp;
void gy_team_barrier_wait(gy_team_barrier *b, const gy_team_stamp *stamp);

#endif
