/*
 * Runner self-test: a passing check, then the kernel leaves through the
 * exit devices without printing the SUMMARY line; run_tests.sh must
 * report it as crashed (no SUMMARY), not as passed.
 */
#include "libcflat.h"
#include "test.h"
#include "x86/processor.h"

static void st_nosummary(void)
{
	report(true, "selftest.nosummary.check", "a check, then exit without SUMMARY");
	arch_exit(0);
}
TEST("st_nosummary", st_nosummary);
