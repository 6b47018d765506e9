/*
 * ept_fuzz: a randomised differential fuzzer against the reference model.
 *
 * Each case is one seed.  From it the case draws a configuration -- EPT
 * walk length (4 or 5 levels where IA32_VMX_EPT_VPID_CAP bit 7 allows),
 * EPT A/D on or off, the guest paging mode (long4, long5, pae, pg32, nopg),
 * the guest page size, the access (read, write, locked RMW, fetch) and its
 * offset in the page, the EPT leaf size of each reference of the 2-D walk
 * -- then a few mutations: R/W/X of an EPT entry at a random level of a
 * random reference (not present, read-only, write-only...), a reserved
 * bit of that entry's level, a leaf memory type (2, 3, 7 included) or
 * IPAT, an ignored bit, suppress-#VE, EPT A/D preset; a guest entry's
 * P/W/U/XD, a guest reserved bit, guest A/D preset; CR0.WP, CR4.SMEP,
 * CR4.SMAP, EFER.NXE; a non-canonical address; NMI exiting (qualification
 * bit 12 undefined).  The window is laid out with lib/x86/ept_layout.h, so
 * every guest paging-structure page of the walk and the final page have
 * EPT entries of their own.  The case runs the access (ept_case()) and
 * compares the whole outcome record with the model: the exit, data or
 * memory, the window walk's EPT and guest A/D flags (<id>, <id>.data,
 * <id>.ad), and the EPT A/D flags of every reference of the 2-D walk and
 * of a subtree no walk uses, with the guest A/D flag of every entry read
 * (<id>.walk).  Check ids are ept.fuzz.<seed>: stable for a seed.
 *
 * Kernel options (test_option()):
 *   seed=S     the first case's seed (default 1); case i uses S+i.
 *              seed=date: YYYYMMDD of the RTC, times 100000.
 *   count=N    cases to run (default 100).
 *   keep=MASK  run only the draws of MASK (bit i = draw i): a minimised
 *              reproduction (printed with every failure).
 * Replay one case:  ./run_tests.sh -b bochs --kernel-args 'seed=S count=1' ept_fuzz_1
 *
 * A failing case prints its seed, the rules of the model that decided
 * its outcome, and a minimised reproduction: its draws removed one by one
 * while the same fields still differ, with the keep= mask to replay it.
 * At the end the kernel prints how often each model rule decided an
 * outcome (`# fuzz: rule NAME COUNT`), naming the rules this fuzzer cannot
 * reach and why (`scripts/fuzz` adds them up over a campaign).
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/ept_layout.h"
#include "x86/processor.h"

#define FUZZ_MAX_DRAWS  24
#define DEFAULT_OFFSET  0x5a8
#define WALK_REFS       (LAYOUT_MAX_REFS)

enum fuzz_mode { FM_LONG4, FM_LONG5, FM_PAE, FM_PG32, FM_NOPG, FM_NR };

static const struct fuzz_mode_desc {
	const char *name;
	struct ept_env_config cfg;
	uint64_t large;		/* the large guest page size */
} fuzz_modes[FM_NR] = {
	[FM_LONG4] = { "long4", { .mode = GUEST_PAGING_4LEVEL }, PAGE_2M },
	[FM_LONG5] = { "long5", { .mode = GUEST_PAGING_5LEVEL }, PAGE_2M },
	[FM_PAE]   = { "pae",   { .mode = GUEST_PAGING_PAE }, PAGE_2M },
	[FM_PG32]  = { "pg32",  { .mode = GUEST_PAGING_32BIT }, 2 * PAGE_2M },
	[FM_NOPG]  = { "nopg",  { .paging_off = true }, 0 },
};

/* One draw: a departure from the default case (4-level EPT, A/D off,
 * long4, 4K pages, read at DEFAULT_OFFSET, every entry RWX write-back). */
enum draw_kind {
	D_EPT5,		/* 5-level EPT */
	D_EPT_AD,	/* EPTP bit 6 */
	D_MODE,		/* val: enum fuzz_mode */
	D_GSIZE,	/* large guest page (64-bit modes: 1G when val & 1 and supported) */
	D_OP,		/* val: enum guest_op */
	D_OFFSET,	/* val: offset in the guest page */
	D_ESIZE,	/* ref: its EPT leaf 2M (val even) or 1G */
	D_EPT_RWX,	/* ref, idx: EPT entry; val: bits 2:0 */
	D_EPT_RSVD,	/* ref, idx; val picks a reserved bit of the entry's format */
	D_EPT_MT,	/* ref: leaf memory type val & 7 */
	D_EPT_IPAT,	/* ref: leaf IPAT */
	D_EPT_IGN,	/* ref, idx; val picks an ignored bit */
	D_EPT_SVE,	/* ref, idx: suppress-#VE (bit 63) */
	D_EPT_ADSET,	/* ref, idx: A (and D in a leaf) already set */
	D_G_FLAGS,	/* ref: the guest entry it reads; val: P, W, U, XD, PAE PDPTE.P */
	D_G_RSVD,	/* ref; val picks a reserved bit of the guest entry */
	D_G_ADSET,	/* ref: guest A (and D in a leaf) already set */
	D_CR,		/* val: CR0.WP, CR4.SMEP, CR4.SMAP, EFER.NXE, set or clear */
	D_NONCANON,	/* 64-bit modes: GLA bit 60 flipped */
	D_NMI_EXIT,	/* "NMI exiting" = 1, "virtual NMIs" = 0 */
	D_NR
};

struct draw {
	uint8_t kind, ref, idx;
	uint32_t val;
};

struct fuzz_case {
	uint64_t seed;
	unsigned n;
	struct draw d[FUZZ_MAX_DRAWS];
};

/* Mutation kinds and their weights. */
static const struct { uint8_t kind, weight; } mutations[] = {
	{ D_EPT_RWX, 30 }, { D_EPT_RSVD, 10 }, { D_EPT_MT, 8 }, { D_EPT_IPAT, 3 },
	{ D_EPT_IGN, 6 }, { D_EPT_SVE, 3 }, { D_EPT_ADSET, 6 }, { D_G_FLAGS, 16 },
	{ D_G_RSVD, 6 }, { D_G_ADSET, 8 }, { D_CR, 8 }, { D_NONCANON, 1 }, { D_NMI_EXIT, 2 },
};

/* Rules this fuzzer never draws the conditions of. */
static const struct { enum ept_rule rule; const char *why; } unreachable[] = {
	{ EPT_RULE_VIOL_FETCH_USER, "MBEC (mode-based execute control) is not drawn" },
	{ EPT_RULE_VIOL_PDPTE_LOAD, "no MOV to CR3 in the fuzzed guest (ept_modes covers PDPTE loads)" },
	{ EPT_RULE_VE_CONVERTIBLE, "\"EPT-violation #VE\" is not drawn (ept_ve)" },
	{ EPT_RULE_VE_SUPPRESSED, "\"EPT-violation #VE\" is not drawn (ept_ve)" },
	{ EPT_RULE_QUAL_GLA_INVALID, "only PDPTE loads have no linear address" },
	{ EPT_RULE_QUAL_NMI_UNBLOCK, "no IRET in the fuzzed guest (ept_nmi)" },
	{ EPT_RULE_QUAL_SHADOW_STACK, "no shadow-stack accesses" },
	{ EPT_RULE_QUAL_PDPTE_GPA, "only PDPTE loads" },
	{ EPT_RULE_SPP_DECIDES, "SPP is not drawn (ept_spp)" },
	{ EPT_RULE_UNMODELED, "the window GPA is below bit 48" },
	{ EPT_RULE_SSS_DECIDES, "no shadow-stack accesses, EPTP bit 7 is not drawn (ept_sss)" },
	{ EPT_RULE_GUEST_PF_SS, "no shadow-stack accesses (ept_sss)" },
	{ EPT_RULE_GUEST_PF_USER, "the guest runs at CPL 0" },
	{ EPT_RULE_GUEST_PF_PK, "CR4.PKE is not drawn" },
	{ EPT_RULE_GUEST_GP_PDPTE, "no MOV to CR3 in the fuzzed guest" },
};

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void add(struct fuzz_case *f, unsigned kind, uint64_t r)
{
	if (f->n < FUZZ_MAX_DRAWS)
		f->d[f->n++] = (struct draw){ (uint8_t)kind, (uint8_t)(r >> 8), (uint8_t)(r >> 16),
					      (uint32_t)(r >> 32) };
}

/* The draws of one seed; what a draw means is decided when it is applied. */
static void fuzz_generate(struct fuzz_case *f, uint64_t seed)
{
	uint64_t st = seed, r = splitmix64(&st);
	unsigned total = 0, nmut;

	f->seed = seed;
	f->n = 0;
	if (r % 3 == 0)
		add(f, D_EPT5, splitmix64(&st));
	if ((r >> 4) % 2)
		add(f, D_EPT_AD, splitmix64(&st));
	if ((r >> 8) % 2) {
		uint64_t m = splitmix64(&st);

		add(f, D_MODE, (m & 0xffffffffull) | ((1 + (m >> 32) % (FM_NR - 1)) << 32));
	}
	if ((r >> 12) % 3 == 0)
		add(f, D_GSIZE, splitmix64(&st));
	if ((r >> 16) % 4)
		add(f, D_OP, splitmix64(&st));
	if ((r >> 20) % 2)
		add(f, D_OFFSET, splitmix64(&st));
	for (unsigned i = 0; i < (r >> 24) % 3; i++)
		add(f, D_ESIZE, splitmix64(&st));
	for (unsigned i = 0; i < ARRAY_SIZE(mutations); i++)
		total += mutations[i].weight;
	nmut = 1 + (r >> 28) % 4;
	for (unsigned i = 0; i < nmut; i++) {
		uint64_t w = splitmix64(&st) % total;
		unsigned k = 0;

		while (w >= mutations[k].weight)
			w -= mutations[k++].weight;
		add(f, mutations[k].kind, splitmix64(&st));
	}
}

/* ---- building a case ---- */

struct fuzz_run {
	struct ept_env env;
	struct ept_layout lay;
	struct ept_case c;
	enum fuzz_mode mode;
	bool have_env;		/* in VMX operation: ept_env_exit() */
	unsigned ept_levels;
	bool ad;
	uint64_t gsize;
	char desc[FUZZ_MAX_DRAWS][72];	/* what each draw did */
	struct outcome want_ref[WALK_REFS], got_ref[WALK_REFS];
	struct outcome want_walk, got_walk;
};

static struct fuzz_state {
	struct fuzz_case f;
	struct fuzz_run run;
	uint64_t seed;
	unsigned count;
	uint64_t keep;
	uint8_t *big, *small;	/* the final page's blocks */
	const char *why;	/* every case skips */
	/* coverage */
	unsigned rule_count[EPT_RULE_NR];
	unsigned kinds[EPT_OUTCOME_SPP_EVENT + 1];
	unsigned nr_ambiguous, nr_failed, nr_cases;
} fz;

static const char *const ept_level_names[] = { "?", "PTE", "PDE", "PDPTE", "PML4E", "PML5E" };

static bool mode_supported(enum fuzz_mode m)
{
	if (m == FM_LONG5)
		return (cpuid_count(7, 0).c & CPUID_7_ECX_LA57) &&
		       (vmx_caps.cr4_fixed1 & X86_CR4_LA57);
	if (m == FM_NOPG)
		return vmx_has_proc2(CPU2_UNRESTRICTED_GUEST);
	return true;
}

static const struct draw *find(const struct fuzz_case *f, uint64_t keep, unsigned kind)
{
	const struct draw *d = NULL;

	for (unsigned i = 0; i < f->n; i++)
		if ((keep & BIT(i)) && f->d[i].kind == kind)
			d = &f->d[i];
	return d;
}

static bool long_mode(enum fuzz_mode m) { return m == FM_LONG4 || m == FM_LONG5; }

/* A reserved bit of EPT entry @e at @level (29.3.2 Tables 29-1..29-7). */
static int ept_reserved_bit(uint64_t e, unsigned level, uint32_t pick)
{
	uint8_t cand[64];
	unsigned n = 0, M = vmx_caps.maxphyaddr;
	bool leaf = level == EPT_LEVEL_PTE ||
		    ((level == EPT_LEVEL_PDE || level == EPT_LEVEL_PDPTE) && (e & EPT_LARGE_PAGE));

	for (unsigned b = M; b <= 51; b++)
		cand[n++] = (uint8_t)b;
	if (level >= EPT_LEVEL_PML4E)
		for (unsigned b = 3; b <= 7; b++)
			cand[n++] = (uint8_t)b;
	else if (!leaf)
		for (unsigned b = 3; b <= 6; b++)
			cand[n++] = (uint8_t)b;
	else if (level == EPT_LEVEL_PDE)
		for (unsigned b = 12; b <= 20; b++)
			cand[n++] = (uint8_t)b;
	else if (level == EPT_LEVEL_PDPTE)
		for (unsigned b = 12; b <= 29; b++)
			cand[n++] = (uint8_t)b;
	return n ? cand[pick % n] : -1;
}

/* An ignored bit (bits the SDM lists as ignored with the controls the
 * fuzzer uses: MBEC, SPP, SSS and HLAT off). */
static int ept_ignored_bit(uint64_t e, unsigned level, bool ad, uint32_t pick)
{
	uint8_t cand[24];
	unsigned n = 0;
	bool leaf = level == EPT_LEVEL_PTE ||
		    ((level == EPT_LEVEL_PDE || level == EPT_LEVEL_PDPTE) && (e & EPT_LARGE_PAGE));

	cand[n++] = 10;		/* XU: ignored without MBEC */
	cand[n++] = 11;
	for (unsigned b = 52; b <= 62; b++)
		cand[n++] = (uint8_t)b;
	if (!ad)
		cand[n++] = 8;
	if (!ad || !leaf)
		cand[n++] = 9;
	if (level == EPT_LEVEL_PTE)
		cand[n++] = 7;
	return cand[pick % n];
}

/* A reserved bit of the guest entry @e at @level (Vol. 3A 4.3-4.5), one
 * that leaves the address of a table unchanged when the entry is not a
 * leaf (the helpers that read the guest walk back follow it). */
static int guest_reserved_bit(const struct fuzz_run *s, unsigned level, bool leaf, uint32_t pick)
{
	uint8_t cand[64];
	unsigned n = 0, M = vmx_caps.maxphyaddr;
	bool nxe = vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_NXE;

	switch (s->mode) {
	case FM_PG32:
		if (level == 2 && leaf) {
			unsigned lo = 13 + (M < 40 ? M : 40) - 32;

			for (unsigned b = lo; b <= 21; b++)
				cand[n++] = (uint8_t)b;
		}
		break;
	case FM_PAE:
		for (unsigned b = leaf ? M : 52; b <= 62; b++)
			cand[n++] = (uint8_t)b;
		if (!nxe)
			cand[n++] = 63;
		if (level == 2 && leaf)
			for (unsigned b = 13; b <= 20; b++)
				cand[n++] = (uint8_t)b;
		break;
	case FM_LONG4:
	case FM_LONG5:
		if (leaf)
			for (unsigned b = M; b <= 51; b++)
				cand[n++] = (uint8_t)b;
		if (level >= 4)
			cand[n++] = 7;
		if (!nxe)
			cand[n++] = 63;
		if (level == 3 && leaf)
			for (unsigned b = 13; b <= 29; b++)
				cand[n++] = (uint8_t)b;
		if (level == 2 && leaf)
			for (unsigned b = 13; b <= 20; b++)
				cand[n++] = (uint8_t)b;
		break;
	default:
		break;
	}
	return n ? cand[pick % n] : -1;
}

/* The guest entry reference @ref reads (the leaf's for the final page
 * and the unused subtree); 0: none (paging off). */
static unsigned guest_level_of(const struct ept_layout *l, unsigned ref)
{
	unsigned k = ref % (l->nr_refs + 1);

	if (l->nr_refs < 2)
		return 0;
	if (k >= l->nr_refs - 1)
		k = l->nr_refs - 2;	/* the last table: the guest leaf */
	return l->ref[k].guest_level;
}

static bool guest_is_leaf(const struct fuzz_run *s, unsigned level)
{
	const struct ept_layout *l = &s->lay;

	return level == l->ref[l->nr_refs - 2].guest_level;
}

static volatile uint64_t *ept_target(struct fuzz_run *s, const struct draw *d, unsigned *level,
				     unsigned *k_out)
{
	const struct ept_layout *l = &s->lay;
	unsigned k = d->ref % (l->nr_refs + 1);
	const struct ept_layout_ref *r = &l->ref[k];
	unsigned j = d->idx % r->nr_ept;

	if (d->kind == D_EPT_MT || d->kind == D_EPT_IPAT)
		j = r->nr_ept - 1;
	*level = r->ept_level[j];
	*k_out = k;
	return (volatile uint64_t *)(uintptr_t)r->ept_hpa[j];
}

static void apply_cr(struct fuzz_run *s, uint32_t val, char *desc, size_t len)
{
	/* SMEP and SMAP start clear: only setting them changes anything */
	static const struct { enum vmcs_field f; uint64_t bit; const char *name; bool set; } crs[] = {
		{ VMCS_GUEST_CR0, X86_CR0_WP, "CR0.WP", false },
		{ VMCS_GUEST_CR0, X86_CR0_WP, "CR0.WP", true },
		{ VMCS_GUEST_CR4, X86_CR4_SMEP, "CR4.SMEP", true },
		{ VMCS_GUEST_CR4, X86_CR4_SMAP, "CR4.SMAP", true },
		{ VMCS_GUEST_IA32_EFER, EFER_NXE, "EFER.NXE", false },
		{ VMCS_GUEST_IA32_EFER, EFER_NXE, "EFER.NXE", true },
	};
	unsigned i = val % ARRAY_SIZE(crs);
	bool set = crs[i].set;

	(void)s;
	if (crs[i].f == VMCS_GUEST_CR4 && !(vmx_caps.cr4_fixed1 & crs[i].bit)) {
		snprintf(desc, len, "%s not allowed (IA32_VMX_CR4_FIXED1): no effect", crs[i].name);
		return;
	}
	if (set)
		vmcs_set_bits(crs[i].f, crs[i].bit);
	else
		vmcs_clear_bits(crs[i].f, crs[i].bit);
	snprintf(desc, len, "%s = %u", crs[i].name, set);
}

static void apply_draw(struct fuzz_run *s, const struct draw *d, char *desc, size_t len)
{
	struct ept_layout *l = &s->lay;
	volatile uint64_t *e;
	unsigned level, k;
	int bit;

	switch (d->kind) {
	case D_ESIZE: {
		uint64_t size = d->val & 1 ? PAGE_1G : PAGE_2M;

		k = d->ref % (l->nr_refs + 1);
		/* a 2M leaf needs the capability (else ept_map's leaf is still
		 * written: the model says what bit 7 then means) */
		ept_layout_map_ref(&s->env, l, k, size);
		snprintf(desc, len, "reference %s: EPT leaf %s", ept_layout_ref_name(&s->env, l, k),
			 size == PAGE_1G ? "1G" : "2M");
		return;
	}
	case D_EPT_RWX:
		e = ept_target(s, d, &level, &k);
		*e = (*e & ~EPT_RWX_MASK) | (d->val & 7);
		snprintf(desc, len, "reference %s: EPT %s R/W/X %s", ept_layout_ref_name(&s->env, l, k),
			 ept_level_names[level], ept_perm_str(d->val & 7));
		return;
	case D_EPT_RSVD:
		e = ept_target(s, d, &level, &k);
		bit = ept_reserved_bit(*e, level, d->val);
		if (bit >= 0)
			*e |= BIT(bit);
		snprintf(desc, len, "reference %s: EPT %s reserved bit %d",
			 ept_layout_ref_name(&s->env, l, k), ept_level_names[level], bit);
		return;
	case D_EPT_MT:
		e = ept_target(s, d, &level, &k);
		*e = (*e & ~EPT_MEMTYPE_MASK) | EPT_MT(d->val & 7);
		snprintf(desc, len, "reference %s: EPT %s memory type %u",
			 ept_layout_ref_name(&s->env, l, k), ept_level_names[level], d->val & 7);
		return;
	case D_EPT_IPAT:
		e = ept_target(s, d, &level, &k);
		*e |= EPT_IGNORE_PAT;
		snprintf(desc, len, "reference %s: EPT %s IPAT", ept_layout_ref_name(&s->env, l, k),
			 ept_level_names[level]);
		return;
	case D_EPT_IGN:
		e = ept_target(s, d, &level, &k);
		bit = ept_ignored_bit(*e, level, s->ad, d->val);
		*e |= BIT(bit);
		snprintf(desc, len, "reference %s: EPT %s ignored bit %d",
			 ept_layout_ref_name(&s->env, l, k), ept_level_names[level], bit);
		return;
	case D_EPT_SVE:
		e = ept_target(s, d, &level, &k);
		*e |= EPT_SUPPRESS_VE;
		snprintf(desc, len, "reference %s: EPT %s suppress-#VE",
			 ept_layout_ref_name(&s->env, l, k), ept_level_names[level]);
		return;
	case D_EPT_ADSET: {
		bool leaf;

		e = ept_target(s, d, &level, &k);
		leaf = level == EPT_LEVEL_PTE || (level <= EPT_LEVEL_PDPTE && (*e & EPT_LARGE_PAGE));
		*e |= EPT_ACCESSED | (leaf ? EPT_DIRTY : 0);
		snprintf(desc, len, "reference %s: EPT %s A%s already set",
			 ept_layout_ref_name(&s->env, l, k), ept_level_names[level], leaf ? "/D" : "");
		return;
	}
	default:
		break;
	}

	/* guest entries */
	level = guest_level_of(l, d->ref);
	if (!level && (d->kind == D_G_FLAGS || d->kind == D_G_RSVD || d->kind == D_G_ADSET)) {
		snprintf(desc, len, "guest entry: none (paging off): no effect");
		return;
	}
	if (level && !gpt_table_gpa(&s->env.gpt, l->gla, level) &&
	    (d->kind == D_G_FLAGS || d->kind == D_G_RSVD || d->kind == D_G_ADSET)) {
		snprintf(desc, len, "guest level %u: an entry above is not present: no effect", level);
		return;
	}
	switch (d->kind) {
	case D_G_FLAGS: {
		static const struct { uint64_t set, clear; const char *what; } flags[] = {
			{ 0, PTE_PRESENT, "not present" }, { 0, PTE_WRITE, "read-only" },
			{ PTE_USER, 0, "user" }, { PTE_NX, 0, "execute-disable" },
			{ 0, PTE_PRESENT, "PAE PDPTE not present" },
		};
		unsigned i = d->val % ARRAY_SIZE(flags);

		if (i == 4) {
			if (s->mode != FM_PAE) {
				snprintf(desc, len, "PAE PDPTE: not PAE: no effect");
				return;
			}
			level = 3;
		}
		if (s->mode == FM_PG32 && (flags[i].set & PTE_NX)) {
			snprintf(desc, len, "guest level %u: XD: 32-bit paging has none: no effect", level);
			return;
		}
		/* the tables above a leaf are user already: U on the leaf
		 * makes a user-mode address (SMEP, SMAP); XD with EFER.NXE */
		if (flags[i].set & PTE_USER)
			level = l->ref[l->nr_refs - 2].guest_level;
		if (!gpt_table_gpa(&s->env.gpt, l->gla, level)) {
			snprintf(desc, len, "guest level %u: an entry above is not present: no effect", level);
			return;
		}
		if (flags[i].set & PTE_NX)
			vmcs_set_bits(VMCS_GUEST_IA32_EFER, EFER_NXE);
		gpt_entry_update(&s->env.gpt, l->gla, level, flags[i].set, flags[i].clear);
		snprintf(desc, len, "guest level %u entry %s%s", level, flags[i].what,
			 flags[i].set & PTE_NX ? " (EFER.NXE = 1)" : "");
		return;
	}
	case D_G_RSVD:
		bit = guest_reserved_bit(s, level, guest_is_leaf(s, level), d->val);
		if (bit >= 0)
			gpt_entry_update(&s->env.gpt, l->gla, level, BIT(bit), 0);
		snprintf(desc, len, "guest level %u entry reserved bit %d%s", level, bit,
			 bit < 0 ? " (none): no effect" : "");
		return;
	case D_G_ADSET: {
		bool leaf = guest_is_leaf(s, level);

		gpt_entry_update(&s->env.gpt, l->gla, level, PTE_ACCESSED | (leaf ? PTE_DIRTY : 0), 0);
		snprintf(desc, len, "guest level %u entry A%s already set", level, leaf ? "/D" : "");
		return;
	}
	case D_CR:
		apply_cr(s, d->val, desc, len);
		return;
	case D_NONCANON:
		if (!long_mode(s->mode)) {
			snprintf(desc, len, "non-canonical address: 32-bit guest: no effect");
			return;
		}
		s->c.gla ^= BIT(60);
		/* The guest's first fetch walks the root table through EPT
		 * before the access faults (#GP, no walk of its own); the model
		 * of the run (ept_env_expect_run()) keeps the trace of the
		 * access only, so that walk's EPT flags are preset (sticky). */
		if (s->ad)
			for (unsigned j = 0; j < l->ref[0].nr_ept; j++)
				*(volatile uint64_t *)(uintptr_t)l->ref[0].ept_hpa[j] |=
					EPT_ACCESSED | (j + 1 == l->ref[0].nr_ept ? EPT_DIRTY : 0);
		snprintf(desc, len, "non-canonical address (bit 60 flipped)");
		return;
	case D_NMI_EXIT:
		if (!vmx_ctl_allowed(&vmx_caps.pin, PIN_NMI_EXITING)) {
			snprintf(desc, len, "NMI exiting not allowed: no effect");
			return;
		}
		vmcs_set_bits(VMCS_PIN_BASED_CONTROLS, PIN_NMI_EXITING);
		vmcs_clear_bits(VMCS_PIN_BASED_CONTROLS, PIN_VIRTUAL_NMIS);
		s->env.model.ctl.nmi_exiting = true;
		snprintf(desc, len, "NMI exiting = 1, virtual NMIs = 0");
		return;
	default:
		break;
	}
	/* the configuration draws (fuzz_build() applied them) */
	switch (d->kind) {
	case D_EPT5:
		snprintf(desc, len, "%u-level EPT", s->ept_levels);
		break;
	case D_EPT_AD:
		snprintf(desc, len, "EPT A/D %s", s->ad ? "on" : "off (not supported)");
		break;
	case D_MODE:
		snprintf(desc, len, "guest paging %s", fuzz_modes[s->mode].name);
		break;
	case D_GSIZE:
		snprintf(desc, len, "guest page %#lx", s->gsize);
		break;
	case D_OP:
		snprintf(desc, len, "access %s", guest_op_name(s->c.op));
		break;
	case D_OFFSET:
		snprintf(desc, len, "offset %#lx in the page", (uint64_t)(s->c.gla & (PAGE_2M - 1)));
		break;
	default:
		snprintf(desc, len, "draw kind %u", d->kind);
		break;
	}
}

/*
 * Build case @f with the draws of @keep: the environment, the layout and
 * every draw.  Returns false (with *why) when the environment cannot be
 * built; the caller releases memory and leaves VMX operation.
 */
static bool fuzz_build(struct fuzz_run *s, const struct fuzz_case *f, uint64_t keep,
		       const char **why)
{
	const struct draw *d;
	struct ept_env_config cfg;
	uint64_t offset = DEFAULT_OFFSET, page;
	enum guest_op op = GUEST_OP_READ;

	memset(s->desc, 0, sizeof(s->desc));
	s->have_env = false;
	s->mode = FM_LONG4;
	if ((d = find(f, keep, D_MODE)) && mode_supported((enum fuzz_mode)(d->val % FM_NR)))
		s->mode = (enum fuzz_mode)(d->val % FM_NR);
	cfg = fuzz_modes[s->mode].cfg;
	s->ept_levels = find(f, keep, D_EPT5) && ept_cap(EPT_CAP_WALK_LENGTH_5) ? 5 : 4;
	s->ad = find(f, keep, D_EPT_AD) && ept_cap(EPT_CAP_AD);
	cfg.ept_levels = s->ept_levels;
	cfg.ad = s->ad;
	s->gsize = s->mode == FM_NOPG ? 0 : PAGE_4K;
	if ((d = find(f, keep, D_GSIZE)) && s->mode != FM_NOPG) {
		s->gsize = fuzz_modes[s->mode].large;
		if (long_mode(s->mode) && (d->val & 1) &&
		    (cpuid(0x80000001).d & CPUID_80000001_EDX_1G))
			s->gsize = PAGE_1G;
	}
	if ((d = find(f, keep, D_OP)))
		op = (enum guest_op)(d->val % 4);
	if ((d = find(f, keep, D_OFFSET)))
		/* 8-byte aligned, the 8 bytes (a fetch: the VMCALL) in the page */
		offset = (uint64_t)(d->val & 0x1ffff8) & ((s->gsize > PAGE_4K ? PAGE_2M : PAGE_4K) - 8);

	if (!ept_env_init(&s->env, &cfg, why))
		return false;
	s->have_env = true;
	page = s->gsize > PAGE_4K ? (uintptr_t)fz.big : (uintptr_t)fz.small;
	if (!ept_layout_init(&s->env, &s->lay, page, s->gsize, offset, why))
		return false;
	ept_layout_map(&s->env, &s->lay, PAGE_4K, op);
	memset(&s->c, 0, sizeof(s->c));
	s->c.op = op;
	s->c.gla = s->lay.gla;
	s->c.host = s->lay.host;
	/* a restricted root table also stops the guest's own code fetch */
	s->c.expect_run = true;

	for (unsigned i = 0; i < f->n; i++) {
		if (!(keep & BIT(i)))
			continue;
		apply_draw(s, &f->d[i], s->desc[i], sizeof(s->desc[i]));
	}
	return true;
}

/* The per-reference rows packed into one record: EPT A/D of every
 * observed entry of every reference (and of the unused subtree), then the
 * guest A/D of every entry read.  @shape: the expected rows (their counts). */
static void pack_walk(const struct outcome *rows, const struct outcome *shape, unsigned n,
		      struct outcome *w)
{
	unsigned pe = 0, pg = 0;

	memset(w, 0, sizeof(*w));
	for (unsigned k = 0; k < n; k++) {
		for (unsigned j = 0; j < shape[k].nr_ept_ad && pe < 32; j++, pe++) {
			w->v[FLD_EPT_AD] |= ((rows[k].v[FLD_EPT_AD] >> (2 * j)) & 3) << (2 * pe);
			w->mask[FLD_EPT_AD] |= ((rows[k].mask[FLD_EPT_AD] >> (2 * j)) & 3) << (2 * pe);
		}
		if (shape[k].nr_guest_ad && pg < 32) {
			w->v[FLD_GUEST_AD] |= (rows[k].v[FLD_GUEST_AD] & 3) << (2 * pg);
			w->mask[FLD_GUEST_AD] |= (rows[k].mask[FLD_GUEST_AD] & 3) << (2 * pg);
			pg++;
		}
	}
}

/* Fields (bit FLD_x, and FLD_NR + FLD_x for the walk record) that differ. */
static uint64_t mismatch(const struct fuzz_run *s)
{
	uint64_t m = 0;

	for (unsigned f = 0; f < FLD_NR; f++) {
		if ((s->c.want.v[f] ^ s->c.got.v[f]) & s->c.want.mask[f])
			m |= BIT(f);
		if ((s->want_walk.v[f] ^ s->got_walk.v[f]) & s->want_walk.mask[f])
			m |= BIT(FLD_NR + f);
	}
	return m;
}

enum run_result { RUN_SKIPPED, RUN_DONE };

/* Expect, run, compare.  @report: TAP checks (else silent). */
static enum run_result fuzz_exec(struct fuzz_run *s, const char *id, const char *words,
				 bool report, const char **skip_why)
{
	unsigned n = s->lay.nr_refs + 1;

	ept_case_expect(&s->env, &s->c);
	if (s->c.model.kind == EPT_OUTCOME_UNMODELED) {
		*skip_why = "the reference model does not predict this case";
		return RUN_SKIPPED;
	}
	if (s->c.model.order_ambiguous) {
		*skip_why = "the SDM allows more than one outcome (guest A/D update order)";
		return RUN_SKIPPED;
	}
	for (unsigned k = 0; k < n; k++)
		ept_layout_want_ref(&s->env, &s->lay, k, &s->c, &s->want_ref[k]);
	pack_walk(s->want_ref, s->want_ref, n, &s->want_walk);
	ept_case_run(&s->env, &s->c);
	for (unsigned k = 0; k < n; k++)
		ept_layout_got_ref(&s->env, &s->lay, k, &s->got_ref[k]);
	pack_walk(s->got_ref, s->want_ref, n, &s->got_walk);
	if (report) {
		const char *rules[EPT_RULE_NR];
		struct check_field f[2];
		unsigned nf = 0;
		char cid[64];

		ept_case_check(id, words, &s->c);
		f[nf++] = (struct check_field){ "ept_ad", s->got_walk.v[FLD_EPT_AD],
						s->want_walk.v[FLD_EPT_AD], s->want_walk.mask[FLD_EPT_AD] };
		if (s->want_walk.mask[FLD_GUEST_AD])
			f[nf++] = (struct check_field){ "guest_ad", s->got_walk.v[FLD_GUEST_AD],
							s->want_walk.v[FLD_GUEST_AD],
							s->want_walk.mask[FLD_GUEST_AD] };
		snprintf(cid, sizeof(cid), "%s.walk", id);
		report_set_rules(rules, outcome_rule_names(s->c.want.rules, rules));
		report_fields(cid, f, nf, "EPT A/D of every reference of the 2-D walk and of an unused "
			      "subtree, guest A/D of every entry read (SDM 29.3.5, Vol. 3A 4.8)");
		report_set_rules(NULL, 0);
	}
	return RUN_DONE;
}

static void fuzz_teardown(struct fuzz_run *s, struct alloc_mark mark)
{
	if (s->have_env)
		ept_env_exit(&s->env);
	s->have_env = false;
	alloc_release(mark);
}

/* Silent run of @f with @keep: the fields that differ (0: none, or skipped). */
static uint64_t fuzz_try(const struct fuzz_case *f, uint64_t keep)
{
	struct fuzz_run *s = &fz.run;
	struct alloc_mark mark = alloc_mark();
	const char *why = NULL;
	uint64_t m = 0;
	bool built = fuzz_build(s, f, keep, &why);

	if (built && fuzz_exec(s, NULL, NULL, false, &why) == RUN_DONE)
		m = mismatch(s);
	fuzz_teardown(s, mark);
	return m;
}

static void print_draws(const struct fuzz_case *f, uint64_t keep)
{
	for (unsigned i = 0; i < f->n; i++)
		if (keep & BIT(i))
			report_info("fuzz:   draw %u: %s", i, fz.run.desc[i][0] ? fz.run.desc[i] : "?");
}

/* Remove the draws one by one while the same fields still differ. */
static void fuzz_minimise(const struct fuzz_case *f, uint64_t keep, uint64_t fields)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < f->n; i++) {
		uint64_t k = keep & ~BIT(i);

		if (!(keep & BIT(i)))
			continue;
		if (fuzz_try(f, k) & fields)
			keep = k;
	}
	for (unsigned i = 0; i < f->n; i++)
		kept += !!(keep & BIT(i));
	fuzz_try(f, keep);	/* the descriptions of the minimised case */
	report_info("fuzz: seed %lu: minimised reproduction, %u of %u draws (keep=%#lx):",
		    f->seed, kept, f->n, keep);
	print_draws(f, keep);
	report_info("fuzz: replay: ./run_tests.sh -b bochs --kernel-args 'seed=%lu count=1 keep=%#lx' ept_fuzz_1",
		    f->seed, keep);
}

static void count_rules(uint64_t rules)
{
	for (unsigned r = 0; r < EPT_RULE_NR; r++)
		if (rules & BIT(r))
			fz.rule_count[r]++;
}

static void fuzz_case(void *ctx, unsigned i)
{
	struct fuzz_run *s = &fz.run;
	struct fuzz_case *f = &fz.f;
	struct alloc_mark mark = alloc_mark();
	uint64_t keep = fz.keep, seed = fz.seed + i, failures = report_failures();
	const char *why = fz.why, *skip_why = NULL;
	char id[48], words[160];
	bool built = false;

	(void)ctx;
	fuzz_generate(f, seed);
	if (!fz.keep)
		keep = f->n < 64 ? BIT(f->n) - 1 : ~0ull;
	snprintf(id, sizeof(id), "%lu", seed);
	if (!why)
		built = fuzz_build(s, f, keep, &why);
	if (!built) {
		report_skip(id, "fuzz case", "%s", why);
		fuzz_teardown(s, mark);
		return;
	}
	snprintf(words, sizeof(words), "%s guest, %u-level EPT, A/D %s, %s at %#lx, guest page %s, %u draws",
		 fuzz_modes[s->mode].name, s->ept_levels, s->ad ? "on" : "off", guest_op_name(s->c.op),
		 s->c.gla, s->gsize == PAGE_4K ? "4K" : s->gsize == PAGE_2M ? "2M" :
		 s->gsize == PAGE_1G ? "1G" : s->gsize ? "4M" : "none", f->n);
	fz.nr_cases++;
	if (fuzz_exec(s, id, words, true, &skip_why) == RUN_SKIPPED) {
		report_skip(id, words, "%s", skip_why);
		fz.kinds[s->c.model.kind <= EPT_OUTCOME_SPP_EVENT ? s->c.model.kind : 0]++;
		fz.nr_ambiguous += s->c.model.order_ambiguous;
		count_rules(s->c.model.rules);
		fuzz_teardown(s, mark);
		return;
	}
	fz.kinds[s->c.model.kind <= EPT_OUTCOME_SPP_EVENT ? s->c.model.kind : 0]++;
	count_rules(s->c.model.rules);
	if (report_failures() > failures && mismatch(s)) {
		uint64_t fields = mismatch(s);
		const char *rules[EPT_RULE_NR];
		unsigned nr = outcome_rule_names(s->c.model.rules, rules);
		char buf[256];
		unsigned len = 0;

		fz.nr_failed++;
		for (unsigned r = 0; r < nr && len < sizeof(buf); r++)
			len += snprintf(buf + len, sizeof(buf) - len, "%s%s", r ? " " : "", rules[r]);
		report_info("fuzz: seed %lu failed; model rules: %s", seed, buf);
		print_draws(f, keep);
		fuzz_teardown(s, mark);
		mark = alloc_mark();
		fuzz_minimise(f, keep, fields);
		alloc_release(mark);
		return;
	}
	fuzz_teardown(s, mark);
}

/* YYYYMMDD from the CMOS RTC (BCD unless status register B bit 2). */
static uint64_t rtc_date(void)
{
	uint8_t v[3], regs[3] = { 9, 8, 7 }, b;

	outb(0x70, 0x0b);
	b = inb(0x71);
	for (unsigned i = 0; i < 3; i++) {
		outb(0x70, regs[i]);
		v[i] = inb(0x71);
		if (!(b & 4))
			v[i] = (uint8_t)((v[i] >> 4) * 10 + (v[i] & 15));
	}
	return (2000ull + v[0]) * 10000 + v[1] * 100ull + v[2];
}

static uint64_t option_u64(const char *key, uint64_t def)
{
	const char *v = test_option(key);

	return v ? strtoul(v, NULL, 0) : def;
}

static void print_coverage(void)
{
	unsigned never = 0;

	report_info("fuzz: %u cases from seed %lu: %u translations, %u EPT violations, "
		    "%u EPT misconfigurations, %u guest faults, %u unmodeled, %u with an "
		    "ambiguous order (skipped); %u failed",
		    fz.nr_cases, fz.seed, fz.kinds[EPT_OUTCOME_TRANSLATION],
		    fz.kinds[EPT_OUTCOME_VIOLATION], fz.kinds[EPT_OUTCOME_MISCONFIG],
		    fz.kinds[EPT_OUTCOME_GUEST_FAULT], fz.kinds[EPT_OUTCOME_UNMODELED],
		    fz.nr_ambiguous, fz.nr_failed);
	for (unsigned r = 0; r < EPT_RULE_NR; r++) {
		const char *why = NULL;

		for (unsigned u = 0; u < ARRAY_SIZE(unreachable); u++)
			if (unreachable[u].rule == r)
				why = unreachable[u].why;
		/* rules that depend on what the processor reports */
		if (r == EPT_RULE_MC_EXEC_ONLY && ept_cap(EPT_CAP_EXEC_ONLY))
			why = "the processor supports execute-only translations (EPT_VPID_CAP bit 0)";
		if (r == EPT_RULE_MC_LARGE_UNSUP && ept_cap(EPT_CAP_PAGE_2M) && ept_cap(EPT_CAP_PAGE_1G))
			why = "the processor supports 2M and 1G EPT pages (EPT_VPID_CAP bits 16, 17)";
		if (r == EPT_RULE_QUAL_ADV_INFO && !ept_cap(EPT_CAP_ADV_EXIT_INFO))
			why = "EPT_VPID_CAP bit 22 (advanced VM-exit information) = 0";
		if (r == EPT_RULE_QUAL_ADV_UNDEF && ept_cap(EPT_CAP_ADV_EXIT_INFO))
			why = NULL;
		never += !fz.rule_count[r];
		report_info("fuzz: rule %s %u%s%s%s", ept_rule_names[r], fz.rule_count[r],
			    why ? " (not drawn: " : "", why ? why : "", why ? ")" : "");
	}
	report_info("fuzz: %u of %u model rules decided an outcome in this run", EPT_RULE_NR - never,
		    EPT_RULE_NR);
}

static void ept_fuzz(void)
{
	const char *seed = test_option("seed");
	bool vmx;

	memset(&fz, 0, sizeof(fz));
	fz.seed = seed && !strcmp(seed, "date") ? rtc_date() * 100000 : option_u64("seed", 1);
	fz.count = (unsigned)option_u64("count", 100);
	fz.keep = option_u64("keep", 0);
	report_info("fuzz: seed %lu%s, count %u%s: replay a case with --kernel-args 'seed=S count=1'",
		    fz.seed, seed && !strcmp(seed, "date") ? " (the RTC date)" : "", fz.count,
		    fz.keep ? " (keep= set)" : "");
	/* the final page's blocks: 8M aligned (4M guest pages), and a page */
	fz.big = alloc_aligned(4 * PAGE_2M, 4 * PAGE_2M);
	fz.small = alloc_page();
	vmx = vmx_supported(&fz.why) && vmx_has_ept();
	if (vmx)
		fz.why = NULL;
	else if (!fz.why)
		fz.why = vmx_missing(VMX_REQ_BASE,
				     "IA32_VMX_PROCBASED_CTLS2 does not allow \"enable EPT\" (bit 1)");
	report_prefix_push("ept.fuzz");
	cases_run(fz.count, fuzz_case, NULL);
	report_prefix_pop();
	if (!fz.why)
		print_coverage();
}
TEST("ept_fuzz", ept_fuzz);
