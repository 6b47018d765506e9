/*
 * Runner self-test: one check that passes.  The batch self-test puts it
 * around a test that crashes: its result must survive the crash.
 */
#include "libcflat.h"
#include "test.h"

static void st_pass(void)
{
	report(true, "selftest.pass.check", "a check that passes");
}
TEST("st_pass", st_pass);
