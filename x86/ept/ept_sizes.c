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
#include "cases.h"
#include "x86/alloc.h"
#include "x86/ept_matrix.h"
#include "x86/processor.h"

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

struct sizes {
	struct ept_env env;
	uint64_t region;
	const char *why;	/* every case skips */
	unsigned guest_first, nr_guest;
	bool ad;
};

/* Case i: guest size, EPT size, offset, EPT leaf permission, access kind. */
static void sizes_case(void *ctx, unsigned i)
{
	struct sizes *z = ctx;
	unsigned nops = ARRAY_SIZE(matrix_ops), nperm = ARRAY_SIZE(leaf_perms);
	unsigned noff = ARRAY_SIZE(offsets), nsize = ARRAY_SIZE(page_sizes);
	enum guest_op op = matrix_ops[i % nops];
	uint64_t rwx = leaf_perms[(i / nops) % nperm];
	const struct size_offset *so = &offsets[(i / (nops * nperm)) % noff];
	unsigned ei = (i / (nops * nperm * noff)) % nsize;
	unsigned gi = z->guest_first + i / (nops * nperm * noff * nsize);
	uint64_t gsize = page_sizes[gi], esize = page_sizes[ei];
	/* combination (gi, ei) has a 1 GiB slot of the window of its own */
	uint64_t slot = (gi * 3 + ei + 1) * PAGE_1G;
	uint64_t s = so->literal ? so->off : z->region + so->off;
	uint64_t hpa = esize == PAGE_1G ? s : z->region + s % REGION_SIZE;
	const char *skip = z->why;
	uint64_t gla, gpa;
	char id[80], words[128];

	/* An EPT 1G leaf maps the slot to host 0-1G: a literal offset there
	 * would touch memory that is not ours. */
	if (so->literal && esize == PAGE_1G)
		return;
	snprintf(id, sizeof(id), "g%s.e%s.%s.%s.%s", matrix_size_id(gsize), matrix_size_id(esize),
		 so->id, matrix_perm_id(rwx), guest_op_name(op));
	snprintf(words, sizeof(words),
		 "%s, guest %s page, EPT %s leaf %s, offset %#lx in the guest page, %#lx in the EPT leaf%s",
		 guest_op_name(op), matrix_size_name(gsize), matrix_size_name(esize),
		 ept_perm_str(rwx), s & (gsize - 1), s & (esize - 1), z->ad ? ", EPT A/D on" : "");
	if (!skip)
		skip = guest_size_missing(gsize);
	if (!skip)
		skip = matrix_ept_size_missing(esize);
	if (skip) {
		ept_case_skip(id, words, skip);
		return;
	}
	gla = z->env.window_gla + slot + s;
	gpa = z->env.window_gpa + slot + s;
	/* every case maps its own page and sets its own leaf */
	ept_map(&z->env.ept, gpa, hpa, esize, rwx | EPT_WB);
	gpt_map(&z->env.gpt, gla, gpa, gsize, PTE_WRITE);
	matrix_access_case(&z->env, id, words, op, gla, (void *)(uintptr_t)hpa, NULL);
}

static void sizes_run(unsigned guest_first, unsigned nr_guest, bool ad)
{
	static struct sizes z;
	bool have_env;

	memset(&z, 0, sizeof(z));
	z.guest_first = guest_first;
	z.nr_guest = nr_guest;
	z.ad = ad;
	report_prefix_push("ept.sizes");
	if (ad)
		report_prefix_push("ad");
	have_env = matrix_env_init(&z.env, ad, &z.why);
	if (have_env)
		z.region = (uintptr_t)alloc_aligned(REGION_SIZE, REGION_SIZE);
	cases_run(nr_guest * ARRAY_SIZE(page_sizes) * ARRAY_SIZE(offsets) *
		  ARRAY_SIZE(leaf_perms) * ARRAY_SIZE(matrix_ops), sizes_case, &z);
	if (have_env)
		ept_env_exit(&z.env);
	if (ad)
		report_prefix_pop();
	report_prefix_pop();
}

/* Three tests of one family: every guest size with EPT A/D off; with A/D
 * on, guest 4K and 2M pages, and guest 1G pages (kernels short enough to
 * run in parallel). */
static void ept_sizes(void) { sizes_run(0, 3, false); }
static void ept_sizes_ad(void) { sizes_run(0, 2, true); }
static void ept_sizes_ad1g(void) { sizes_run(2, 1, true); }

TEST("ept_sizes", ept_sizes);
TEST("ept_sizes_ad", ept_sizes_ad);
TEST("ept_sizes_ad1g", ept_sizes_ad1g);
