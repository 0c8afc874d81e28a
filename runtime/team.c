/* team.c - the step / task loop of team.h. */
#define _GNU_SOURCE /* syscall(SYS_futex) */
#include "runtime/team.h"

#include <limits.h>
#include <omp.h>
#include <sched.h>
#include <stdatomic.h>
#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

#define BARRIER_SPIN 2000 /* pause instructions, about 40 us on a 3 GHz core */

void gy_team_barrier_init(gy_team_barrier *b)
{
    atomic_init(&b->arrived, 0);
    atomic_init(&b->generation, 0);
    atomic_init(&b->sleepers, 0);
    b->n = 1;
}

void gy_team_barrier_wait(gy_team_barrier *b, const gy_team_stamp *stamp)
{
    int gen = atomic_load(&b->generation);
    if (atomic_fetch_add(&b->arrived, 1) == b->n - 1) {
        if (stamp) {
            double t1 = omp_get_wtime();
            *stamp->ms = (t1 - *stamp->t_end) * 1e3;
            *stamp->t_end = t1;
        }
        atomic_store(&b->arrived, 0);
        atomic_fetch_add(&b->generation, 1);
#if defined(__linux__)
        if (atomic_load(&b->sleepers) > 0)
            syscall(SYS_futex, &b->generation, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
#endif
        return;
    }
    for (long i = 0; i < BARRIER_SPIN; i++) {
        if (atomic_load_explicit(&b->generation, memory_order_acquire) != gen)
            return;
        CPU_RELAX();
    }
    while (atomic_load(&b->generation) == gen) {
#if defined(__linux__)
        atomic_fetch_add(&b->sleepers, 1);
        syscall(SYS_futex, &b->generation, FUTEX_WAIT_PRIVATE, gen, NULL, NULL, 0);
        atomic_fetch_sub(&b->sleepers, 1);
#else
        sched_yield();
#endif
    }
}

void gy_team_run(const gy_team *t)
{
    if (t->nthreads <= 1) {
        double t0 = t->after ? omp_get_wtime() : 0.0;
        for (int s = 0; s < t->nsteps; s++) {
            size_t n = t->tasks(t->user, s);
            for (size_t k = 0; k < n; k++)
                t->task(t->user, s, k, 0);
            if (t->after) {
                double t1 = omp_get_wtime();
                t->after(t->user, s, (t1 - t0) * 1e3);
                t0 = t1;
            }
        }
        return;
    }
    atomic_size_t ticket;
    atomic_init(&ticket, 0);
    gy_team_barrier bar;
    gy_team_barrier_init(&bar);
    double t_end = t->after ? omp_get_wtime() : 0.0, step_ms = 0.0;
#pragma omp parallel num_threads(t->nthreads)
    {
        int tid = omp_get_thread_num();
        size_t team = (size_t)omp_get_num_threads();
#pragma omp single
        bar.n = (int)team;
        size_t base = 0;
        for (int s = 0; s < t->nsteps; s++) {
            size_t n = t->tasks(t->user, s);
            for (;;) {
                size_t k = atomic_fetch_add_explicit(&ticket, 1, memory_order_relaxed) - base;
                if (k >= n)
                    break;
                t->task(t->user, s, k, tid);
            }
            base += n + team;
            gy_team_stamp stamp = {&step_ms, &t_end};
            gy_team_barrier_wait(&bar, t->after ? &stamp : NULL);
            /* step_ms is read before any thread can reach the next barrier: the next stamp is
             * written only once thread 0 has arrived there too */
            if (tid == 0 && t->after && s < t->nsteps - 1)
                t->after(t->user, s, step_ms);
        }
    }
    /* the last step carries the team's join */
    if (t->after && t->nsteps > 0)
        t->after(t->user, t->nsteps - 1, step_ms + (omp_get_wtime() - t_end) * 1e3);
}
