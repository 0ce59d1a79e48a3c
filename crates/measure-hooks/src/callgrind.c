/* Callgrind client requests as plain functions. Outside valgrind each one is a few
 * no-op instructions (the magic sequence is a rotate that leaves registers unchanged). */
#include <valgrind/callgrind.h>

void bb_cg_toggle_collect(void) { CALLGRIND_TOGGLE_COLLECT; }
void bb_cg_zero(void) { CALLGRIND_ZERO_STATS; }
void bb_cg_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
void bb_cg_start_instrumentation(void) { CALLGRIND_START_INSTRUMENTATION; }
void bb_cg_stop_instrumentation(void) { CALLGRIND_STOP_INSTRUMENTATION; }
int bb_cg_running_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
