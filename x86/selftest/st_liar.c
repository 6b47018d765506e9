/*
 * Runner self-test: output whose counts do not add up.  run_tests.sh must
 * not believe a SUMMARY line, a plan or check ids that disagree with the
 * TAP lines: each test here FAILs with "inconsistent output: ...".
 */
#include "libcflat.h"
#include "test.h"

/* A check line the reporting library never counted: the SUMMARY and the
 * plan say two checks passed, the TAP lines show three. */
static void st_liar(void)
{
	report(true, "selftest.liar.one", "a counted check");
	report(true, "selftest.liar.two", "a counted check");
	printf("ok 3 - selftest.liar.uncounted: a check line the SUMMARY leaves out\n");
}
TEST("st_liar", st_liar);

/* Consistent counts, but one check id twice. */
static void st_liar_dup(void)
{
	report(true, "selftest.liar.twice", "the first of two checks with one id");
	report(true, "selftest.liar.twice", "the second of two checks with one id");
}
TEST("st_liar_dup", st_liar_dup);
