/*
 * Runner self-test: a check that fails on purpose (wrong expected value).
 * run_tests.sh must report FAIL with this check and its diagnostic.
 */
#include "libcflat.h"
#include "test.h"
#include "x86/processor.h"

static void st_fail(void)
{
	volatile unsigned got = 2 + 2;

	report(true, "selftest.fail.sane", "a check that passes");
	if (!report(got == 5, "selftest.fail.wrong-value", "2 + 2 == 5"))
		report_info("selftest.fail.wrong-value: got %u want 5", got);
}
TEST("st_fail", st_fail);
