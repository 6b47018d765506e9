/*
 * Test registration.  A test is one C file with one entry point:
 *
 *     static void main_fn(void) { ... report(...) ... }
 *     TEST("ept_smoke", main_fn);
 *
 * A single-test kernel links one such file; build/x86/eptest-all.elf
 * links them all and runs them in link order.
 */
#ifndef LIB_TEST_H
#define LIB_TEST_H

struct test {
	const char *name;
	void (*fn)(void);
};

#define TEST(name, fn)							\
	static const struct test __test_##fn				\
	__attribute__((used, section("eptest_tests"), aligned(8))) = { name, fn }

/* Parses options, runs the selected tests, prints the summary, exits. */
void __attribute__((noreturn)) run_tests(int argc, char **argv);

/* The value of the last `key=value` word of the command line that neither
 * lib nor lib/x86 takes (options of a test, e.g. ept_fuzz's seed= and
 * count=), or NULL. */
const char *test_option(const char *key);

/* Abandon the running test after a fatal error (an unexpected exception):
 * the runner counts it failed, cleans up and goes on with the next test. */
void __attribute__((noreturn)) test_abort(void);

#endif
