/* team.h - runs a sequence of steps, each split into independent tasks, in ONE OpenMP parallel
 * region: the threads take a step's tasks from a shared ticket counter and meet at a barrier
 * (spin briefly, then sleep in the kernel) before the next step. The int8 runtime (qrun.c) runs
 * on it; runtime/run.c has the float runtime's own copy of the same loop. */
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

#endif
