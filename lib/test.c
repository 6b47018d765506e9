/* The test loop: select by command line, run, clean up, summarize. */
#include "libcflat.h"
#include "summary.h"
#include "test.h"
#include "setjmp.h"
#include "cases.h"
#include "deviation.h"

extern const struct test __tests_start[], __tests_end[];

static jmp_buf test_env;
static bool in_test;
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

static bool selected(const struct test *t, int nglobs, char **globs)
{
	if (!nglobs)
		return true;
	for (int i = 0; i < nglobs; i++)
		if (glob_match(globs[i], t->name))
			return true;
	return false;
}

/* setjmp lives in its own frame so that no local of the loop is live
 * across the longjmp of an abandoned test. */
static void run_one(const struct test *t)
{
	printf("# eptest: test %s\n", t->name);
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
}

static void print_list(const char *name, void *ctx)
{
	(void)ctx;
	printf("# eptest: known deviations: %s%s\n", name,
	       deviation_list_exists(name) ? "" : " (no entries)");
}

void run_tests(int argc, char **argv)
{
	char *globs[16];
	int nglobs = 0;
	unsigned nr_selected = 0;
	const struct test *t;

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
		else if (strchr(argv[i], '=') && nr_test_opts < ARRAY_SIZE(test_opts))
			test_opts[nr_test_opts++] = argv[i];
		else if (nglobs < (int)ARRAY_SIZE(globs))
			globs[nglobs++] = argv[i];
	}

	printf("TAP version 13\n");
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
	for (t = __tests_start; t < __tests_end; t++)
		nr_selected += selected(t, nglobs, globs);

	for (t = __tests_start; t < __tests_end; t++) {
		if (!nr_selected) {
			report_skip(t->name, NULL, "not selected by the command line");
			continue;
		}
		if (!selected(t, nglobs, globs))
			continue;
		run_one(t);
	}
	summary_print();
	arch_exit(report_summary() ? 1 : 0);
}
