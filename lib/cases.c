/* The case runner (cases.h). */
#include "libcflat.h"
#include "cases.h"

#define CASES_MAX 4096

static uint64_t shuffle_seed;
static uint64_t test_base;	/* from the test's name: batch or not, same order */
static uint64_t nr_runs;	/* each cases_run() call of a test gets its own order */

void cases_set_shuffle(uint64_t seed) { shuffle_seed = seed; }
uint64_t cases_shuffle_seed(void) { return shuffle_seed; }

void cases_begin_test(const char *name)
{
	test_base = 1469598103934665603ull;
	while (*name)
		test_base = (test_base ^ (uint8_t)*name++) * 1099511628211ull;
	nr_runs = 0;
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void cases_run(unsigned n, void (*run)(void *ctx, unsigned i), void *ctx)
{
	uint64_t state;

	nr_runs++;
	if (!shuffle_seed) {
		for (unsigned i = 0; i < n; i++)
			run(ctx, i);
		return;
	}
	assert(n <= CASES_MAX);
	/* Fisher-Yates over a permutation of its own: run() may call
	 * cases_run() again (a table inside a case), so copy it first. */
	uint16_t local[n];

	for (unsigned i = 0; i < n; i++)
		local[i] = i;
	state = shuffle_seed ^ test_base ^ (nr_runs * 0xd1342543de82ef95ull);
	for (unsigned i = n; i > 1; i--) {
		unsigned j = splitmix64(&state) % i;
		uint16_t t = local[i - 1];

		local[i - 1] = local[j];
		local[j] = t;
	}
	for (unsigned i = 0; i < n; i++)
		run(ctx, local[i]);
}
