/*
 * Where a test's emulated time goes (kernel option profile=1, for
 * scripts/bench): TSC cycles spent in a few phases, printed after each
 * test as "# eptest: profile: ...".  Under Bochs the TSC counts emulated
 * instructions, so the figures are instruction counts there.
 */
#ifndef LIB_X86_PROFILE_H
#define LIB_X86_PROFILE_H

#include <stdbool.h>
#include <stdint.h>
#include "x86/processor.h"

enum prof_phase {
	PROF_CONSOLE,		/* console output, waiting for COM1 included */
	PROF_ZERO,		/* zeroing pages (alloc_page) */
	PROF_VMCS,		/* new VMCS: VMCLEAR, VMPTRLD, default fields */
	PROF_EPT,		/* EPT mappings of ranges (ept_map_range) */
	PROF_GUEST,		/* VM entry, the guest, VM exit, exit fields */
	PROF_NR
};

extern bool prof_on;
extern uint64_t prof_tsc[PROF_NR];

static inline uint64_t prof_begin(void)
{
	return prof_on ? rdtsc() : 0;
}

static inline void prof_end(enum prof_phase p, uint64_t t0)
{
	if (prof_on)
		prof_tsc[p] += rdtsc() - t0;
}

void prof_test_begin(void);
/* Prints the profile of the test that ends (when profile=1) and resets. */
void prof_test_end(void);

#endif
