/* test_team.c - runtime/team.c's contract, on 1, 2 and 3 threads: every task of every step runs
 * exactly once, on a thread of the team; no task of a step starts before every task of the steps
 * before it has finished; `after` is called once per step, in order, by thread 0, after the
 * step's tasks, with a time of at least 0 ms; steps of no tasks, and no steps at all. */
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "runtime/team.h"
#include "testutil.h"

enum { MAX_STEPS = 6, MAX_TASKS = 40 };

typedef struct record {
    int nthreads;
    size_t ntasks[MAX_STEPS];
    atomic_int runs[MAX_STEPS][MAX_TASKS];
    atomic_int done[MAX_STEPS];   /* tasks of the step finished */
    atomic_int early;             /* a task started before a previous step had finished */
    atomic_int bad_thread;
    int after_steps[MAX_STEPS * 2], nafter, after_early, after_negative, after_thread;
} record;

static size_t tasks(void *user, int step)
{
    return ((record *)user)->ntasks[step];
}

static void task(void *user, int step, size_t k, int thread)
{
    record *r = user;
    for (int s = 0; s < step; s++)
        if ((size_t)atomic_load(&r->done[s]) != r->ntasks[s])
            atomic_store(&r->early, 1);
    if (thread < 0 || thread >= r->nthreads)
        atomic_store(&r->bad_thread, 1);
    atomic_fetch_add(&r->runs[step][k], 1);
    atomic_fetch_add(&r->done[step], 1);
}

static void after(void *user, int step, double ms)
{
    record *r = user;
    if (r->nafter < MAX_STEPS * 2)
        r->after_steps[r->nafter] = step;
    r->nafter++;
    if ((size_t)atomic_load(&r->done[step]) != r->ntasks[step])
        r->after_early = 1;
    if (!(ms >= 0.0))
        r->after_negative = 1;
    if (omp_get_thread_num() != 0)
        r->after_thread = 1;
}

static void run_case(int nthreads, int nsteps, const size_t *ntasks, int with_after)
{
    static record r; /* large; one case at a time */
    memset(&r, 0, sizeof r);
    r.nthreads = nthreads;
    for (int s = 0; s < nsteps; s++)
        r.ntasks[s] = ntasks[s];
    gy_team t = {.nthreads = nthreads, .nsteps = nsteps, .tasks = tasks, .task = task,
                 .after = with_after ? after : NULL, .user = &r};
    gy_team_run(&t);
    for (int s = 0; s < nsteps; s++)
        for (size_t k = 0; k < MAX_TASKS; k++)
            ck_assert_msg(atomic_load(&r.runs[s][k]) == (k < ntasks[s] ? 1 : 0),
                          "%d threads, step %d task %zu ran %d times", nthreads, s, k,
                          atomic_load(&r.runs[s][k]));
    ck_assert_msg(!atomic_load(&r.early), "%d threads: a task ran before the step before it ended",
                  nthreads);
    ck_assert_msg(!atomic_load(&r.bad_thread), "%d threads: a thread index out of the team",
                  nthreads);
    const int calls = with_after ? nsteps : 0;
    ck_assert_int_eq(r.nafter, calls);
    for (int s = 0; s < r.nafter; s++)
        ck_assert_msg(r.after_steps[s] == s, "%d threads: after call %d was for step %d",
                      nthreads, s, r.after_steps[s]);
    ck_assert(!r.after_early && !r.after_negative && !r.after_thread);
}

START_TEST(steps_tasks_and_after)
{
    static const size_t ntasks[MAX_STEPS] = {7, 1, 0, MAX_TASKS, 2, 3};
    for (int nthreads = 1; nthreads <= 3; nthreads++)
        for (int with_after = 0; with_after < 2; with_after++) {
            run_case(nthreads, MAX_STEPS, ntasks, with_after);
            run_case(nthreads, 1, ntasks + 3, with_after); /* one step: it is also the last */
            run_case(nthreads, 0, ntasks, with_after);
        }
}
END_TEST

static Suite *team_suite(void)
{
    Suite *s = suite_create("team");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, steps_tasks_and_after);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(team_suite()); }
