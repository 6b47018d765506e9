/* Runner: `unit_tests [--flip] [-v]`.  Closing line: "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

#define MAX_CASES 2048
static struct unit_case cases[MAX_CASES];
static unsigned nr_cases;
static bool flip, verbose;
static unsigned cur_expect, cur_fail;
static const struct unit_case *cur;

void unit_register(const char *name, const char *sdm,
		   void (*fn)(const void *), const void *arg)
{
	if (nr_cases == MAX_CASES) {
		fprintf(stderr, "too many cases\n");
		exit(2);
	}
	cases[nr_cases++] = (struct unit_case){ name, sdm, fn, arg };
}

void expect_bits(const char *what, uint64_t got, uint64_t want, uint64_t mask,
		 const char *file, int line)
{
	bool ok;

	cur_expect++;
	if (flip)
		want ^= mask & -mask;   /* lowest compared bit; mask 0 -> none */
	ok = ((got ^ want) & mask) == 0;
	if (!ok) {
		cur_fail++;
		if (!flip || verbose)
			printf("  %s: %s: got %#llx want %#llx mask %#llx (%s:%d)\n",
			       cur->name, what, (unsigned long long)got,
			       (unsigned long long)want, (unsigned long long)mask,
			       file, line);
	} else if (flip) {
		printf("  %s: %s survives FLIP: this expectation cannot fail (%s:%d)\n",
		       cur->name, what, file, line);
	}
}

int main(int argc, char **argv)
{
	unsigned i, passed = 0, failed = 0;
	const char *only = NULL;

	for (i = 1; i < (unsigned)argc; i++) {
		if (!strcmp(argv[i], "--flip"))
			flip = true;
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else
			only = argv[i];
	}
	if (getenv("EPTEST_FLIP") && strcmp(getenv("EPTEST_FLIP"), "0") && *getenv("EPTEST_FLIP"))
		flip = true;

	for (i = 0; i < nr_cases; i++) {
		bool case_failed;

		if (only && !strstr(cases[i].name, only))
			continue;
		cur = &cases[i];
		cur_expect = cur_fail = 0;
		cur->fn(cur->arg);
		if (flip)
			/* Fails as required iff every expectation failed. */
			case_failed = cur_expect > 0 && cur_fail == cur_expect;
		else
			case_failed = cur_expect == 0 || cur_fail > 0;
		if (cur_expect == 0)
			printf("  %s: no expectation\n", cur->name);
		if (case_failed)
			failed++;
		else
			passed++;
		if (verbose || (!flip && case_failed) || (flip && !case_failed))
			printf("%s %s [%s] (%u expectations)\n",
			       case_failed ? "FAIL" : "ok  ", cur->name, cur->sdm, cur_expect);
	}
	if (flip)
		printf("# FLIP mode: every case must fail; %u of %u did\n",
		       failed, passed + failed);
	printf("%u passed, %u failed\n", passed, failed);
	if (flip)
		return (passed == 0 && failed > 0) ? 0 : 1;
	return failed ? 1 : 0;
}
