/*
 * The case runner: every test runs its table of cases through
 * cases_run(), which calls run(ctx, i) once for each i in [0, n).  In
 * order by default; with the kernel option shuffle=SEED in a seeded
 * random order, so that a case that leans on state an earlier case left
 * behind shows up as a result that changes with the seed (rule 4: every
 * case sets up its own state).  Check ids never depend on the order.
 */
#ifndef LIB_CASES_H
#define LIB_CASES_H

#include <stdbool.h>
#include <stdint.h>

void cases_set_shuffle(uint64_t seed);	/* 0: in order */
uint64_t cases_shuffle_seed(void);
/* Called by the test loop before each test: the order depends only on the
 * seed and the test, not on what ran before it in the same boot. */
void cases_begin_test(const char *name);

void cases_run(unsigned n, void (*run)(void *ctx, unsigned i), void *ctx);

#endif
