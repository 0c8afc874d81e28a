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
    /* optional: thread 0 after each step with the step's wall time, ms */
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
void gy_team_barrier_wait(gy_team_barrier *b);

#endif
