/* wait_policy.c - the CLI's OpenMP wait policy: passive unless the user chose one.
 *
 * Between two forward passes (letterboxing, NMS, drawing, the next image's read) the OpenMP
 * runtime keeps its idle worker spinning: libgomp for GOMP_SPINCOUNT = 300000 pauses by default,
 * about 9 ms on the 2-core Zen 5 machine (30 ns a pause), LLVM's libomp for KMP_BLOCKTIME = 200 ms.
 * That core is then lost to every other thread: the video reader's decoder and the writer's
 * encoder (they took 16 % more wall time than detect alone on a 640x480 clip at 2 threads), and
 * any other process on a shared machine. With OMP_WAIT_POLICY=passive the worker sleeps at once;
 * the cost is one futex wake per forward pass (a few microseconds), and the waits between the ops
 * of a pass keep spinning briefly in runtime/team.c's own barrier. The runtimes read the variable
 * once, when they are loaded, before main: so it is set here from the executable's
 * .preinit_array, which the dynamic loader runs before any shared library's initializer. A user's
 * OMP_WAIT_POLICY, GOMP_SPINCOUNT or KMP_BLOCKTIME is left as it is. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

static void passive_unless_chosen(void)
{
    if (!getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT") && !getenv("KMP_BLOCKTIME"))
        setenv("OMP_WAIT_POLICY", "passive", 0);
}

__attribute__((section(".preinit_array"), used)) static void (*const cli_preinit)(void) =
    passive_unless_chosen;
