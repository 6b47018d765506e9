/*
 * Host unit-test harness for the EPT model.
 *
 * A case is a function that calls expect_*() one or more times.  Each
 * expectation compares a value the model produced with a hand-written
 * expected value under a mask.
 *
 * FLIP mode (`make unit FLIP=1`, or `unit_tests --flip`): every expected
 * value is perturbed (its lowest masked bit inverted), so every
 * expectation must fail.  A case passes in FLIP mode iff one of its
 * expectations still holds: that expectation cannot fail, which the
 * project forbids.  The runner then requires "0 passed, N failed".
 */
#ifndef UNIT_HARNESS_H
#define UNIT_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

struct unit_case {
	const char *name;
	const char *sdm;        /* the SDM rule the case pins down */
	void (*fn)(const void *arg);
	const void *arg;
};

void unit_register(const char *name, const char *sdm,
		   void (*fn)(const void *), const void *arg);

/* got vs want, bits in mask compared. */
void expect_bits(const char *what, uint64_t got, uint64_t want, uint64_t mask,
		 const char *file, int line);
#define expect_eq(what, got, want) \
	expect_bits(what, (uint64_t)(got), (uint64_t)(want), ~0ull, __FILE__, __LINE__)
#define expect_masked(what, got, want, mask) \
	expect_bits(what, (uint64_t)(got), (uint64_t)(want), (mask), __FILE__, __LINE__)
#define expect_true(what, cond) \
	expect_bits(what, (uint64_t)!!(cond), 1, 1, __FILE__, __LINE__)

/* A case defined in place: UNIT(c_name, "id", "SDM ...") { body } */
#define UNIT(fname, id, sdm)                                              \
	static void fname(const void *arg);                               \
	__attribute__((constructor)) static void reg_##fname(void)        \
	{ unit_register(id, sdm, fname, 0); }                             \
	static void fname(const void *arg __attribute__((unused)))

#endif
