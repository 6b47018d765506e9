/*
 * ept_cross: accesses that span two pages, where the EPT allows one page
 * and not the other.  A 2-, 4- or 8-byte read, write or add (and a
 * 3-byte VMCALL fetched across the boundary) starting a few bytes before
 * the end of page A, continuing into page B.  The add is not locked: a
 * locked access across a cache line is a split lock, which a host with
 * split-lock detection traps (and may stall or kill the VM for); an
 * unlocked add to memory is a read-modify-write all the same (SDM 28.2.1).
 * Locked read-modify-writes run within a page (ept_perm and the rest).
 *
 * Which address the exit reports: a span over two pages is two
 * guest-physical accesses, one per page; the outcome is that of the part
 * that violates (the model is asked at B's first byte for B's part, at the
 * operand's address for A's part), so qualification bits 3-5 are the AND
 * over that part's walk and the GPA and GLA fields name its page.  Which
 * byte of the part they name the SDM leaves open (lib/x86/split_model.h):
 * bits 11:0 are not compared.  The gpa-swap layout still shows an exit
 * that derives B's GPA from A's.  Cases where both pages would stop the
 * access are not run: the SDM does not order the two parts.
 *
 * Layouts:
 *   contig   two adjacent host pages, adjacent GPAs, 4K EPT leaves;
 *   gpa-swap the guest maps A and B to GPAs in the opposite order, a page
 *            apart, so "GPA of A + 4K" is not B's GPA: an exit that derives
 *            B's address from A's shows;
 *   2m-edge  A is the last page of a 2M EPT leaf and B the first of the
 *            next one: the permissions are on the two 2M leaves.
 * Memory of a stopped write is not checked: whether the allowed part of a
 * split store is written before the violation is not architectural.
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/ad_model.h"
#include "x86/split_model.h"
#include "x86/alloc.h"
#include "x86/ept_matrix.h"

/* Guest stubs: RDI = linear address, RSI = value; results in RAX; then
 * VMCALL.  Reads zero-extend into RAX so the whole register is defined. */
extern char cross_read2[], cross_read4[], cross_read8[];
extern char cross_write2[], cross_write4[], cross_write8[];
extern char cross_rmw2[], cross_rmw4[], cross_rmw8[];
asm(".pushsection .text\n"
    "cross_read2:  movzwl (%rdi), %eax\n vmcall\n"
    "cross_read4:  movl (%rdi), %eax\n vmcall\n"
    "cross_read8:  movq (%rdi), %rax\n vmcall\n"
    "cross_write2: movw %si, (%rdi)\n vmcall\n"
    "cross_write4: movl %esi, (%rdi)\n vmcall\n"
    "cross_write8: movq %rsi, (%rdi)\n vmcall\n"
    "cross_rmw2:   addw %si, (%rdi)\n vmcall\n"
    "cross_rmw4:   addl %esi, (%rdi)\n vmcall\n"
    "cross_rmw8:   addq %rsi, (%rdi)\n vmcall\n"
    ".popsection\n");
extern char guest_op_fetch[];

enum layout { CONTIG, GPA_SWAP, EDGE_2M, NR_LAYOUTS };
static const char *const layout_id[] = { "contig", "gpa-swap", "2m-edge" };
static const char *const layout_words[] = {
	"adjacent GPAs", "B's GPA below A's", "across a 2M EPT leaf boundary",
};

/* Operand width and its start offset in page A. */
static const struct span { unsigned width, start; } spans[] = {
	{ 2, 0xfff },
	{ 4, 0xffd }, { 4, 0xffe }, { 4, 0xfff },
	{ 8, 0xff9 }, { 8, 0xffc }, { 8, 0xfff },
};
/* Where the 3-byte VMCALL starts for a crossing fetch. */
static const unsigned fetch_starts[] = { 0xffe, 0xfff };

/* EPT R/W/X of pages A and B: at most one of them stops any access. */
static const struct page_perms { uint64_t a, b; } perms[] = {
	{ EPT_RWX_MASK, EPT_RWX_MASK },
	{ EPT_RWX_MASK, 0 },
	{ EPT_RWX_MASK, EPT_READ },
	{ EPT_RWX_MASK, EPT_READ | EPT_WRITE },
	{ 0,            EPT_RWX_MASK },
};

static const enum guest_op data_ops[] = { GUEST_OP_READ, GUEST_OP_WRITE, GUEST_OP_RMW };

struct cross_pages {
	uint8_t *a, *b;		/* host pointers of the two pages */
	uint64_t gla;		/* GLA of A; B is at gla + 4K */
	uint64_t gpa_a, gpa_b;
	enum ept_level level;	/* of the leaves that carry the permissions */
};

/* Byte i of the span, counted from the boundary (negative: in A). */
static volatile uint8_t *span_byte(const struct cross_pages *p, int i)
{
	return i < 0 ? p->a + PAGE_4K + i : p->b + i;
}

static uint64_t span_load(const struct cross_pages *p, unsigned start, unsigned width)
{
	uint64_t v = 0;

	for (unsigned k = width; k-- > 0;)
		v = v << 8 | *span_byte(p, (int)(start + k) - (int)PAGE_4K);
	return v;
}

static uint64_t width_mask(unsigned width)
{
	return width == 8 ? ~0ull : (1ull << (8 * width)) - 1;
}

/* 16 distinct bytes on each side of the boundary; or a VMCALL at @start. */
static void span_fill(const struct cross_pages *p, enum guest_op op, unsigned start)
{
	static const uint8_t vmcall[] = { 0x0f, 0x01, 0xc1 };

	for (int i = -16; i < 16; i++)
		*span_byte(p, i) = (uint8_t)(0x31 + 7 * (i + 16));
	if (op == GUEST_OP_FETCH)
		for (unsigned k = 0; k < sizeof(vmcall); k++)
			*span_byte(p, (int)(start + k) - (int)PAGE_4K) = vmcall[k];
}

static bool setup_layout(struct ept_env *env, enum layout l, struct cross_pages *p,
			 const char **why)
{
	uint8_t *h;

	switch (l) {
	case CONTIG:
		h = alloc_aligned(2 * PAGE_4K, PAGE_4K);
		p->a = h;
		p->b = h + PAGE_4K;
		p->gla = ept_env_map(env, (uintptr_t)p->a, PAGE_4K, EPT_RWX_MASK | EPT_WB,
				     PAGE_4K, PTE_WRITE);
		ept_env_map(env, (uintptr_t)p->b, PAGE_4K, EPT_RWX_MASK | EPT_WB, PAGE_4K, PTE_WRITE);
		p->level = EPT_LEVEL_PTE;
		break;
	case GPA_SWAP:
		/* Host pages h, (gap), h + 8K; A is backed by the upper one. */
		h = alloc_aligned(3 * PAGE_4K, PAGE_4K);
		p->a = h + 2 * PAGE_4K;
		p->b = h;
		ept_env_map(env, (uintptr_t)p->a, PAGE_4K, EPT_RWX_MASK | EPT_WB, PAGE_4K, PTE_WRITE);
		ept_env_map(env, (uintptr_t)p->b, PAGE_4K, EPT_RWX_MASK | EPT_WB, PAGE_4K, PTE_WRITE);
		/* Two linear pages of their own, far from window_gla + host. */
		p->gla = env->window_gla + (1ull << 37);
		gpt_map(&env->gpt, p->gla, ept_env_gpa(env, (uintptr_t)p->a), PAGE_4K, PTE_WRITE);
		gpt_map(&env->gpt, p->gla + PAGE_4K, ept_env_gpa(env, (uintptr_t)p->b), PAGE_4K,
			PTE_WRITE);
		p->level = EPT_LEVEL_PTE;
		break;
	default:
		if ((*why = matrix_ept_size_missing(PAGE_2M)))
			return false;
		h = alloc_aligned(2 * PAGE_2M, PAGE_2M);
		p->a = h + PAGE_2M - PAGE_4K;
		p->b = h + PAGE_2M;
		p->gla = ept_env_map(env, (uintptr_t)p->a, PAGE_2M, EPT_RWX_MASK | EPT_WB,
				     PAGE_4K, PTE_WRITE);
		ept_env_map(env, (uintptr_t)p->b, PAGE_2M, EPT_RWX_MASK | EPT_WB, PAGE_4K, PTE_WRITE);
		p->level = EPT_LEVEL_PDE;
		break;
	}
	p->gpa_a = ept_env_gpa(env, (uintptr_t)p->a);
	p->gpa_b = ept_env_gpa(env, (uintptr_t)p->b);
	return true;
}

static void *stub_for(enum guest_op op, unsigned width)
{
	static char *const stubs[][3] = {
		[GUEST_OP_READ] = { cross_read2, cross_read4, cross_read8 },
		[GUEST_OP_WRITE] = { cross_write2, cross_write4, cross_write8 },
		[GUEST_OP_RMW] = { cross_rmw2, cross_rmw4, cross_rmw8 },
	};

	if (op == GUEST_OP_FETCH)
		return guest_op_fetch;
	return stubs[op][width == 2 ? 0 : width == 4 ? 1 : 2];
}

/* ept_env_run() with our own guest code. */
static struct vmx_exit cross_run(struct ept_env *env, void *stub, uint64_t gla, uint64_t value)
{
	ept_invalidate(&env->ept);
	vcpu_set_entry(env->vcpu, (void (*)(void))stub, gla);
	env->vcpu->regs.rsi = value;
	env->vcpu->regs.rax = 0;
	return vmx_run_guest(env->vcpu);
}

static void cross_case(struct ept_env *env, const struct cross_pages *p, enum layout l,
		       const struct page_perms *pp, enum guest_op op, unsigned width,
		       unsigned start)
{
	uint64_t gla = p->gla + start, gla_b = p->gla + PAGE_4K;
	uint64_t value = op == GUEST_OP_RMW ? CASE_RMW_ADDEND : CASE_WRITE_VALUE;
	uint64_t leaf[2] = {
		(uintptr_t)ept_entry_must(&env->ept, p->gpa_a, p->level),
		(uintptr_t)ept_entry_must(&env->ept, p->gpa_b, p->level),
	};
	struct ept_outcome oa, ob, o;
	struct outcome want = { 0 }, got = { 0 };
	struct vmx_exit e;
	uint64_t before;
	char id[96], words[160];

	snprintf(id, sizeof(id), "%s.%ub.%x.%s.%s.%s", layout_id[l], width, start,
		 matrix_perm_id(pp->a), matrix_perm_id(pp->b), guest_op_name(op));
	snprintf(words, sizeof(words), "%u-byte %s at page offset %#x, page A %s, page B %s, %s",
		 width, guest_op_name(op), start, ept_perm_str(pp->a), ept_perm_str(pp->b),
		 layout_words[l]);

	span_fill(p, op, start);
	before = span_load(p, start, width);
	ept_set_perms(&env->ept, p->gpa_a, p->level, pp->a);
	ept_set_perms(&env->ept, p->gpa_b, p->level, pp->b);
	ept_case_begin(env, p->gla);
	ept_case_begin(env, gla_b);

	/* The part in A is the access at the operand's address, the part in
	 * B the access at B's first byte (see the top of this file). */
	ept_env_expect(env, op, gla, &oa);
	ept_env_expect(env, op, gla_b, &ob);
	if (oa.order_ambiguous || ob.order_ambiguous ||
	    (oa.kind != EPT_OUTCOME_TRANSLATION && ob.kind != EPT_OUTCOME_TRANSLATION)) {
		report_skip(id, words, "the SDM allows more than one outcome (order of the two parts)");
		return;
	}
	o = oa.kind != EPT_OUTCOME_TRANSLATION ? oa : ob;
	outcome_want_exit(&want, &o);
	split_access_masks(&want.mask[FLD_GPA], &want.mask[FLD_GLA]);
	if (o.kind == EPT_OUTCOME_TRANSLATION) {
		uint64_t d;

		switch (op) {
		case GUEST_OP_READ:  d = before; break;
		case GUEST_OP_WRITE: d = value & width_mask(width); break;
		case GUEST_OP_RMW:   d = (before + value) & width_mask(width); break;
		default:             d = gla; break;	/* the VMCALL ran at the operand */
		}
		outcome_set(&want, FLD_DATA, d, ~0ull);
	}
	/* the EPT leaves of both pages: A/D as SDM 29.3.5 says (none with
	 * EPT A/D off) */
	want.nr_ept_ad = 2;
	want.ept_ad_level[0] = want.ept_ad_level[1] = (uint8_t)p->level;
	for (unsigned i = 0; i < 2; i++) {
		struct ad_flags f = ad_model_ept(&env->model, &o, NULL, leaf[i]);

		outcome_want_ad(&want, FLD_EPT_AD, i, f);
	}

	e = cross_run(env, stub_for(op, width), gla, value);
	outcome_got_exit(&got, &e);
	switch (op) {
	case GUEST_OP_READ:  got.v[FLD_DATA] = e.regs.rax; break;
	case GUEST_OP_FETCH: got.v[FLD_DATA] = e.guest_rip; break;
	default:             got.v[FLD_DATA] = span_load(p, start, width); break;
	}
	for (unsigned i = 0; i < 2; i++) {
		uint64_t entry = *(volatile uint64_t *)(uintptr_t)leaf[i];

		got.v[FLD_EPT_AD] |= (uint64_t)!!(entry & EPT_ACCESSED) << (2 * i) |
				     (uint64_t)!!(entry & EPT_DIRTY) << (2 * i + 1);
	}
	if (!outcome_check(id, words, &want, &got))
		vmx_exit_report_info(&e);
}

struct cross {
	struct ept_env env;
	struct cross_pages p;
	enum layout l;
	const char *skip;
};

/* Case i of a layout: page permissions, then the data accesses (span x
 * kind), then the crossing fetches. */
static void cross_one(void *ctx, unsigned i)
{
	struct cross *c = ctx;
	unsigned per_perm = ARRAY_SIZE(spans) * ARRAY_SIZE(data_ops) + ARRAY_SIZE(fetch_starts);
	const struct page_perms *pp = &perms[i / per_perm];
	unsigned k = i % per_perm, width, start;
	enum guest_op op;
	char id[96];

	if (k < ARRAY_SIZE(spans) * ARRAY_SIZE(data_ops)) {
		width = spans[k / ARRAY_SIZE(data_ops)].width;
		start = spans[k / ARRAY_SIZE(data_ops)].start;
		op = data_ops[k % ARRAY_SIZE(data_ops)];
	} else {
		width = 3;
		start = fetch_starts[k - ARRAY_SIZE(spans) * ARRAY_SIZE(data_ops)];
		op = GUEST_OP_FETCH;
	}
	if (c->skip) {
		snprintf(id, sizeof(id), "%s.%ub.%x.%s.%s.%s", layout_id[c->l], width, start,
			 matrix_perm_id(pp->a), matrix_perm_id(pp->b), guest_op_name(op));
		report_skip(id, NULL, "%s", c->skip);
		return;
	}
	cross_case(&c->env, &c->p, c->l, pp, op, width, start);
}

static void ept_cross(void)
{
	static struct cross c;
	const char *why;
	bool have_env;

	memset(&c, 0, sizeof(c));
	report_prefix_push("ept.cross");
	have_env = matrix_env_init(&c.env, false, &why);
	for (c.l = 0; c.l < NR_LAYOUTS; c.l++) {
		c.skip = have_env ? NULL : why;
		if (!c.skip)
			setup_layout(&c.env, c.l, &c.p, &c.skip);
		cases_run(ARRAY_SIZE(perms) * (ARRAY_SIZE(spans) * ARRAY_SIZE(data_ops) +
					       ARRAY_SIZE(fetch_starts)), cross_one, &c);
	}
	if (have_env)
		ept_env_exit(&c.env);
	report_prefix_pop();
}

TEST("ept_cross", ept_cross);
