/*
 * The test loop: select by command line, run, clean up, summarize.
 *
 * Every test is its own TAP document (docs/CONTRACT.md): a start mark
 * "# eptest: test NAME", its checks numbered from 1, its plan and its
 * SUMMARY line.  One boot may run many tests (the runner's batches); the
 * last line of a boot that ran to its end is the end mark
 * "eptest: END tests=N failed=M".
 */
#include "libcflat.h"
#include "summary.h"
#include "test.h"
#include "setjmp.h"
#include "cases.h"
#include "deviation.h"

#define MAX_GLOBS 128
#define MAX_TESTS 256

extern const struct test __tests_start[], __tests_end[];

static jmp_buf test_env;
static bool in_test;
static unsigned nr_run, nr_failed;
/* key=value words left for the tests (test_option()) */
static char *test_opts[16];
static unsigned nr_test_opts;

const char *test_option(const char *key)
{
	size_t n = strlen(key);
	const char *v = NULL;

	for (unsigned i = 0; i < nr_test_opts; i++)
		if (!strncmp(test_opts[i], key, n) && test_opts[i][n] == '=')
			v = test_opts[i] + n + 1;
	return v;
}

void test_abort(void)
{
	if (in_test)
		longjmp(test_env, 1);
	report_summary();
	arch_exit(1);
}

/* setjmp lives in its own frame so that no local of the loop is live
 * across the longjmp of an abandoned test. */
static void run_one(const struct test *t)
{
	printf("# eptest: test %s\n", t->name);
	summary_test(t->name);
	report_prefix_reset();
	cases_begin_test(t->name);
	arch_test_begin();
	in_test = true;
	if (!setjmp(test_env))
		t->fn();
	else
		report_info("test %s abandoned", t->name);
	in_test = false;
	report_prefix_reset();
	arch_test_cleanup();
	nr_run++;
	nr_failed += report_summary() != 0;
	report_reset();
}

static void print_list(const char *name, void *ctx)
{
	(void)ctx;
	printf("# eptest: known deviations: %s%s\n", name,
	       deviation_list_exists(name) ? "" : " (no entries)");
}

void run_tests(int argc, char **argv)
{
	char *globs[MAX_GLOBS], *skips[MAX_GLOBS];
	bool done[MAX_TESTS] = { false };
	int nglobs = 0, nskips = 0;
	unsigned nr_tests = __tests_end - __tests_start;
	bool any = false;

	/* QEMU -kernel puts the kernel's path first on the command line,
	 * GRUB does not: a word with a '/' or ending in ".elf" is a path
	 * (test names have neither).  Options are key=value. */
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (strchr(argv[i], '/') || (len > 4 && !strcmp(argv[i] + len - 4, ".elf")))
			continue;
		if (!strncmp(argv[i], "deviations=", 11))
			report_set_deviation_list(argv[i] + 11);
		else if (!strncmp(argv[i], "verbose=", 8))
			report_set_verbose(strtoul(argv[i] + 8, NULL, 0));
		else if (!strncmp(argv[i], "cpu_model=", 10))
			report_set_cpu_model(argv[i] + 10);
		else if (!strncmp(argv[i], "flip=", 5))
			report_set_flip(strtoul(argv[i] + 5, NULL, 0));
		else if (!strncmp(argv[i], "shuffle=", 8))
			cases_set_shuffle(strtoul(argv[i] + 8, NULL, 0));
		else if (arch_option(argv[i]))
			continue;
		else if (!strncmp(argv[i], "console=", 8))
			arch_console_select(argv[i] + 8);
		else if (!strncmp(argv[i], "profile=", 8))
			arch_set_profile(strtoul(argv[i] + 8, NULL, 0));
		else if (strchr(argv[i], '=') && nr_test_opts < ARRAY_SIZE(test_opts))
			test_opts[nr_test_opts++] = argv[i];
		else if (strchr(argv[i], '='))
			printf("# eptest: ignoring option %s (more than %u test options)\n", argv[i],
			       (unsigned)ARRAY_SIZE(test_opts));
		else if (argv[i][0] == '-' && nskips < MAX_GLOBS)
			skips[nskips++] = argv[i] + 1;
		else if (argv[i][0] != '-' && nglobs < MAX_GLOBS)
			globs[nglobs++] = argv[i];
		else
			printf("# eptest: more than %d test names; ignoring %s\n", MAX_GLOBS, argv[i]);
	}
	assert(nr_tests <= MAX_TESTS);
	/* -GLOB: never run the tests it matches (the ISO's "all tests" entry
	 * names what it leaves out: a short command line, see mkiso.sh). */
	for (int g = 0; g < nskips; g++)
		for (unsigned i = 0; i < nr_tests; i++)
			if (glob_match(skips[g], __tests_start[i].name))
				done[i] = true;

	printf("TAP version 13\n");
	/* The options, so that a log says how it was made (the runner's
	 * deviation-stale reads cpu_model= from it). */
	printf("# eptest: options:");
	for (int i = 0; i < argc; i++)
		if (strchr(argv[i], '=') && !strchr(argv[i], '/'))
			printf(" %s", argv[i]);
	printf("\n");
	arch_describe();
	if (report_flip())
		printf("# eptest: flip mode: every check perturbs one expected field; every check must fail\n");
	if (cases_shuffle_seed())
		printf("# eptest: shuffle seed %lu: cases run in a seeded random order\n",
		       cases_shuffle_seed());
	if (deviation_selected())
		deviation_for_each_list(print_list, NULL);
	for (unsigned i = 0; i < nr_test_opts; i++)
		printf("# eptest: option %s: left to the tests that take it\n", test_opts[i]);
	/* In command-line order: the runner resumes a batch after a crash
	 * with the tests that follow the one that crashed. */
	for (int g = 0; g < nglobs; g++)
		for (unsigned i = 0; i < nr_tests; i++)
			if (!done[i] && glob_match(globs[g], __tests_start[i].name)) {
				done[i] = any = true;
				run_one(&__tests_start[i]);
			}
	if (!nglobs) {
		for (unsigned i = 0; i < nr_tests; i++)
			if (!done[i])
				run_one(&__tests_start[i]);
	} else if (!any) {
		for (unsigned i = 0; i < nr_tests; i++) {
			printf("# eptest: test %s\n", __tests_start[i].name);
			summary_test(__tests_start[i].name);
			report_skip(__tests_start[i].name, NULL, "not selected by the command line");
			report_summary();
			report_reset();
		}
	}
	summary_print();
	printf("eptest: END tests=%u failed=%u\n", nr_run, nr_failed);
	arch_exit(nr_failed ? 1 : 0);
}
