/*
 * Runner self-test: the kernel hangs (interrupts off, halted) after one
 * check; run_tests.sh must time out and report "crashed or hung".
 */
#include "libcflat.h"
#include "test.h"
#include "x86/processor.h"

static void st_hang(void)
{
	report(true, "selftest.hang.before", "printed before the hang");
	for (;;) {
		cli();
		hlt();
	}
}
TEST("st_hang", st_hang);
