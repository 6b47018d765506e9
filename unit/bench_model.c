/*
 * Host throughput of 4-level EPT walks through ept_model_access().
 * Tables: one PML4/PDPT/PD and a full PT (512 x 4K, RWX WB, A/D on);
 * accesses rotate over the 512 pages and read/write/fetch.
 * Prints "walks_per_second N" (and the mix).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "hostmem.h"

static struct hostmem h;

/* In test kernels the accessor is a plain load; here an array index. */
static uint64_t rd(void *ctx, uint64_t hpa)
{
	return ((const uint64_t *)ctx)[hpa / 8];
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	struct ept_model m = { 0 };
	struct ept_outcome o;
	struct ept_access a = { .gla = 0x1000, .gla_valid = true };
	static const enum ept_access_kind k[3] = { EPT_ACCESS_READ, EPT_ACCESS_WRITE, EPT_ACCESS_FETCH };
	double secs = argc > 1 ? atof(argv[1]) : 1.0, t0, t;
	unsigned long long n = 0, ok = 0;
	unsigned i;

	m.caps = (struct ept_caps){ .maxphyaddr = 46, .exec_only = true, .walk4 = true,
				    .memtype_wb = true, .page_2m = true, .page_1g = true, .ad = true };
	m.eptp = MEMTYPE_WB | (3ull << EPTP_WALK_LENGTH_SHIFT) | EPTP_AD_ENABLE | PAGE;
	m.read = rd;
	m.ctx = h.q;
	hm_set(&h, PAGE, 2 * PAGE | 7);
	hm_set(&h, 2 * PAGE, 3 * PAGE | 7);
	hm_set(&h, 3 * PAGE, 4 * PAGE | 7);
	for (i = 0; i < 512; i++)
		hm_set(&h, 4 * PAGE + i * 8, (0x100000ull + ((uint64_t)i << 12)) |
		       ((i % 7) ? 7 : 5) | ((uint64_t)MEMTYPE_WB << 3));

	t0 = now();
	do {
		for (i = 0; i < 65536; i++) {
			a.gpa = ((uint64_t)(i & 511) << 12) | (i & 0xff8);
			a.kind = k[i % 3];
			ok += ept_model_access(&m, &a, &o) == EPT_OUTCOME_TRANSLATION;
		}
		n += 65536;
		t = now() - t0;
	} while (t < secs);
	printf("walks %llu in %.3f s (%llu translations, %llu violations)\n",
	       n, t, ok, n - ok);
	printf("walks_per_second %.0f\n", n / t);
	return 0;
}
