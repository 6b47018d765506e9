/*
 * ept_sizes: guest page sizes x EPT page sizes.  Guest 4K, 2M and 1G
 * pages over EPT 4K, 2M and 1G leaves, with accesses deep inside the large
 * pages, so the GPA and GLA fields of an EPT violation must carry the full
 * offset: the GPA is the guest leaf's frame plus the linear address's
 * offset in the guest page (Vol. 3A 4.5), and the exit reports "the
 * guest-physical address that caused the EPT violation" and the linear
 * address (SDM 28.2.1 / 27.2.1); with the EPT leaf restricted only the
 * window's accesses see it.
 *
 * Layout: combination k gets its own 1 GiB slot of the window,
 *   GLA window_gla + k GiB + s  ->  GPA window_gpa + k GiB + s  ->  HPA h
 * where s is the access's offset in the slot and h is in a 4 MiB region
 * of our own (R, 4 MiB-aligned): h = R + (s mod 4 MiB).  An EPT 1G leaf
 * maps its slot to host 0-1G, so there h = s, which holds for the offsets
 * R + d; the literal offset 0x2345678 is used only over EPT 4K and 2M
 * leaves, which can point anywhere.
 */
#include "libcflat.h"
#include "test.h"
#include "x86/alloc.h"
#include "x86/ept_matrix.h"
#include "x86/processor.h"

#ifndef EPT_SIZES_AD
#define EPT_SIZES_AD    false
#define EPT_SIZES_NAME  "ept_sizes"
#endif
/* Guest page sizes this kernel runs (indexes in page_sizes[]). */
#ifndef EPT_SIZES_GUEST_FIRST
#define EPT_SIZES_GUEST_FIRST 0
#define EPT_SIZES_GUEST_LAST  2
#endif

#define REGION_SIZE     (4ull << 20)

static const uint64_t page_sizes[] = { PAGE_4K, PAGE_2M, PAGE_1G };

/* Offsets of the accesses in the slot: from our region, or literal. */
static const struct size_offset {
	const char *id;
	uint64_t off;
	bool literal;	/* slot offset = off (not R + off) */
} offsets[] = {
	{ "5a8",     0x5a8,     false },	/* first 4K page of R */
	{ "1ff5a8",  0x1ff5a8,  false },	/* last 4K page of a 2M page */
	{ "3ff5a8",  0x3ff5a8,  false },	/* 2M page 2 of R: bit 21 set */
	{ "2345678", 0x2345678, true },		/* deep into a 1G page, bits 25:3 */
};

/* EPT leaf permissions: everything allowed, read-only, not present. */
static const uint64_t leaf_perms[] = { EPT_RWX_MASK, EPT_READ, 0 };

static const char *guest_size_missing(uint64_t size)
{
	if (size == PAGE_1G && !(cpuid(0x80000001).d & CPUID_80000001_EDX_1G))
		return "CPUID.80000001H:EDX[26] (1-GByte guest pages) = 0";
	return NULL;
}

static void sizes_run(bool ad)
{
	const char *env_why = NULL;
	struct ept_env env;
	bool have_env = matrix_env_init(&env, ad, &env_why);
	uint64_t region = have_env ? (uintptr_t)alloc_aligned(REGION_SIZE, REGION_SIZE) : 0;
	unsigned slot;

	if (ad)
		report_prefix_push("ad");
	for (unsigned gi = EPT_SIZES_GUEST_FIRST; gi <= EPT_SIZES_GUEST_LAST; gi++) {
		for (unsigned ei = 0; ei < ARRAY_SIZE(page_sizes); ei++) {
			uint64_t gsize = page_sizes[gi], esize = page_sizes[ei];
			uint64_t slot_gla = 0, slot_gpa = 0;
			const char *skip = env_why;

			slot = gi * 3 + ei + 1;
			if (!skip)
				skip = guest_size_missing(gsize);
			if (!skip)
				skip = matrix_ept_size_missing(esize);
			if (have_env) {
				slot_gla = env.window_gla + slot * PAGE_1G;
				slot_gpa = env.window_gpa + slot * PAGE_1G;
			}

			for (unsigned oi = 0; oi < ARRAY_SIZE(offsets); oi++) {
				const struct size_offset *so = &offsets[oi];
				uint64_t s = so->literal ? so->off : region + so->off;
				uint64_t hpa = esize == PAGE_1G ? s : region + s % REGION_SIZE;
				uint64_t gla = slot_gla + s, gpa = slot_gpa + s;

				/* An EPT 1G leaf maps the slot to host 0-1G: a literal
				 * offset there would touch memory that is not ours. */
				if (so->literal && esize == PAGE_1G)
					continue;
				if (!skip) {
					ept_map(&env.ept, gpa, hpa, esize, EPT_RWX_MASK | EPT_WB);
					gpt_map(&env.gpt, gla, gpa, gsize, PTE_WRITE);
				}
				for (unsigned pi = 0; pi < ARRAY_SIZE(leaf_perms); pi++) {
					uint64_t rwx = leaf_perms[pi];

					if (!skip)
						ept_set_perms(&env.ept, gpa, ept_leaf_level(esize), rwx);
					for (unsigned i = 0; i < ARRAY_SIZE(matrix_ops); i++) {
						enum guest_op op = matrix_ops[i];
						char id[80], words[128];

						snprintf(id, sizeof(id), "g%s.e%s.%s.%s.%s",
							 matrix_size_id(gsize), matrix_size_id(esize),
							 so->id, matrix_perm_id(rwx), guest_op_name(op));
						snprintf(words, sizeof(words),
							 "%s, guest %s page, EPT %s leaf %s, offset %#lx in the guest page, %#lx in the EPT leaf%s",
							 guest_op_name(op), matrix_size_name(gsize),
							 matrix_size_name(esize), ept_perm_str(rwx),
							 s & (gsize - 1), s & (esize - 1),
							 ad ? ", EPT A/D on" : "");
						if (skip)
							matrix_skip_case(id, words, skip);
						else
							matrix_access_case(&env, id, words, op, gla,
									   (void *)(uintptr_t)hpa, NULL);
					}
				}
				if (!skip)
					ept_set_perms(&env.ept, gpa, ept_leaf_level(esize), EPT_RWX_MASK);
			}
		}
	}
	if (have_env)
		ept_env_exit(&env);
	if (ad)
		report_prefix_pop();
}

/* EPT A/D flags on: ept_sizes_ad.c, a kernel of its own (short kernels
 * parallelize, and see the report on Bochs' preemption timer). */
static void ept_sizes(void)
{
	report_prefix_push("ept.sizes");
	sizes_run(EPT_SIZES_AD);
	report_prefix_pop();
}

TEST(EPT_SIZES_NAME, ept_sizes);
