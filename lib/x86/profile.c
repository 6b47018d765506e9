/* Per-test profile of emulated time (see profile.h). */
#include "libcflat.h"
#include "x86/profile.h"

static const char *const prof_names[PROF_NR] = {
	[PROF_CONSOLE] = "console",
	[PROF_ZERO] = "zero",
	[PROF_VMCS] = "vmcs",
	[PROF_EPT] = "ept",
	[PROF_GUEST] = "guest",
};

bool prof_on;
uint64_t prof_tsc[PROF_NR];
static uint64_t prof_start;

void arch_set_profile(bool on)
{
	prof_on = on;
}

void prof_test_begin(void)
{
	for (unsigned i = 0; i < PROF_NR; i++)
		prof_tsc[i] = 0;
	prof_start = prof_begin();
}

void prof_test_end(void)
{
	uint64_t total, rest;

	if (!prof_on)
		return;
	total = rdtsc() - prof_start;
	rest = total;
	for (unsigned i = 0; i < PROF_NR; i++)
		rest -= MIN(rest, prof_tsc[i]);
	/* this line's own output is not counted: it comes after the sums */
	printf("# eptest: profile: total=%lu", total);
	for (unsigned i = 0; i < PROF_NR; i++)
		printf(" %s=%lu", prof_names[i], prof_tsc[i]);
	printf(" other=%lu\n", rest);
}
