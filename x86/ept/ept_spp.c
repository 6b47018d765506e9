/*
 * ept_spp: EPT sub-page write permissions (SPP).  Expected values come
 * from the reference model: ept_model.c walks EPT and hands the writes
 * SPP decides to spp_model.c (SDM 29.3.4: which writes are eligible, the
 * SPP table walk, the write-permission bit of each 128-byte sub-page, SPPT
 * miss and misconfiguration, exit reason 66 and its qualification bits 11
 * and 12), and the VM-entry checks of the SPPTP (26.2.1.1).
 *
 * The window target is one 4-KByte page with its own SPP table walk
 * (SPPL4E..SPPL1E on pages of their own).  Every case sets the EPT leaf,
 * the SPP entries, the page's bytes and the guest's write, and checks:
 *   <id>       how the write ended: the guest's VMCALL, exit 48 with the
 *              qualification, GPA, GLA and RIP at the write, or exit 66
 *              (SPP-related event) with qualification bits 11 and 12 and
 *              the GPA; memory after a stopped write;
 *   <id>.data  the bytes after a completed write;
 *   <id>.ad    (TEST ept_spp_ad) the leaf's EPT accessed and dirty flags
 *              and the guest walk's A/D flags;
 *   <id>.pml.* (TEST ept_spp_ad, with PML) the PML index after, each log
 *              entry the model predicts, no other slot written.
 *
 *   ept.spp.subpage.*   each sub-page alone writable / alone not writable
 *   ept.spp.straddle.*  8-byte writes across two sub-pages
 *   ept.spp.byte.*      1-byte writes at a sub-page's last byte
 *   ept.spp.perm.*      the leaf's R/W/X and bit 61 decide eligibility
 *   ept.spp.walk.*      SPPT miss and misconfiguration at each level
 *   ept.spp.entry.*     SPPTP VM-entry checks
 *   ept.spp.ve.*        with #VE on: an SPP-denied write converts (leaf bit
 *                       63 clear), an SPP-related event never does
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/alloc.h"
#include "x86/ad_model.h"
#include "x86/pml_model.h"
#include "x86/ept_env.h"
#include "x86/ept_matrix.h"
#include "x86/spp_model.h"
#include "x86/ve_outcome.h"
#include "x86/vmentry_model.h"

#define SPP_EPTP_INDEX  0x0a7

/* RDI = the GLA, RSI = the value. */
asm(".text\n.code64\n.globl spp_guest_write_byte\nspp_guest_write_byte:\n"
    "\tmovb %sil, (%rdi)\n\tvmcall\n"
    ".globl spp_guest_vmcall\nspp_guest_vmcall:\n\tvmcall\n");
extern char spp_guest_write_byte[], spp_guest_vmcall[];

#define ALL_WRITABLE    0x5555555555555555ull	/* every even bit */

struct spp_test {
	struct ept_env env;
	uint8_t *page;
	uint64_t gla, gpa;		/* of the page */
	uint64_t *sppt[5];		/* tables, [4] = SPPL4 ... [1] = SPPL1 */
	volatile struct ve_info *ve_area;	/* NULL: no #VE */
	uint64_t *pml_log;		/* page-modification log (NULL: PML off) */
	bool ad;
	const char *why;
};

static struct spp_test T;

static bool spp_init(struct spp_test *t, bool ad)
{
	struct ept_env_config cfg = { .ad = ad };

	memset(t, 0, sizeof(*t));
	t->ad = ad;
	if (!ept_env_init(&t->env, &cfg, &t->why))
		return false;
	if (!vmx_has_proc2(CPU2_SUBPAGE_WRITE_PERMS)) {
		t->why = "IA32_VMX_PROCBASED_CTLS2 bit 55 (allowed-1 of \"sub-page write permissions for EPT\") = 0";
		ept_env_exit(&t->env);
		return false;
	}
	t->page = alloc_page();
	t->gla = ept_env_map(&t->env, (uintptr_t)t->page, PAGE_4K, EPT_RWX_MASK | EPT_WB, PAGE_4K,
			     PTE_WRITE);
	t->gpa = ept_env_gpa(&t->env, (uintptr_t)t->page);
	for (unsigned l = 1; l <= 4; l++)
		t->sppt[l] = alloc_page();
	vmcs_write(VMCS_SPPT_POINTER, (uintptr_t)t->sppt[4]);
	if (vmx_has_proc2(CPU2_EPT_VIOLATION_VE)) {
		t->ve_area = alloc_page();
		vmcs_write(VMCS_VE_INFO_ADDR, (uintptr_t)t->ve_area);
	}
	vmx_enable_proc2(CPU2_SUBPAGE_WRITE_PERMS);
	t->env.model.ctl.spp = true;
	t->env.model.ctl.spptp = (uintptr_t)t->sppt[4];
	/* with EPT A/D on, a write SPP allows sets the leaf's dirty flag and
	 * so logs its GPA when PML is on (29.3.6) */
	if (ad && vmx_has_proc2(CPU2_ENABLE_PML)) {
		t->pml_log = alloc_page();
		vmcs_write(VMCS_PML_ADDRESS, (uintptr_t)t->pml_log);
		vmx_enable_proc2(CPU2_ENABLE_PML);
	}
	return true;
}

static uint64_t *sppt_entry(struct spp_test *t, unsigned level)
{
	return &t->sppt[level][(t->gpa >> (12 + 9 * (level - 1))) & 511];
}

/* The page's SPP walk: levels 4..2 valid and linked, the SPPL1E @vec;
 * then level @ol (if any) gets @set and loses @clear. */
static void spp_set(struct spp_test *t, uint64_t vec, unsigned ol, uint64_t set, uint64_t clear)
{
	for (unsigned l = 4; l >= 2; l--)
		*sppt_entry(t, l) = (uintptr_t)t->sppt[l - 1] | SPP_VALID;
	*sppt_entry(t, 1) = vec;
	if (ol)
		*sppt_entry(t, ol) = (*sppt_entry(t, ol) & ~clear) | set;
}

#define PML_POISON      0xdeadbeefdeadbeefull
#define PML_START       (PML_ENTRIES - 1)

/* Every 2M leaf of the identity map accessed and dirty, so that the only
 * dirty flag a case's run can set -- and log -- is the target's. */
static void pml_quiet(struct spp_test *t)
{
	for (uint64_t gpa = 0; gpa < alloc_region_end(); gpa += PAGE_2M) {
		uint64_t *e = ept_entry(&t->env.ept, gpa, EPT_LEVEL_PDE);

		if (e && (*e & EPT_LARGE_PAGE))
			*e |= EPT_ACCESSED | EPT_DIRTY;
	}
	for (unsigned k = 0; k < PML_ENTRIES; k++)
		t->pml_log[k] = PML_POISON;
	vmcs_write(VMCS_GUEST_PML_INDEX, PML_START);
}

struct spp_write {
	const char *id;
	char words[120];
	enum guest_op op;	/* GUEST_OP_WRITE, _RMW or _READ */
	unsigned off, size;	/* size 1: the byte stub */
	uint64_t leaf;		/* bits 6:0 and 63:52 of the EPT leaf */
	bool ve;		/* "EPT-violation #VE" on, #VE exits (bitmap bit 20) */
};

/* The log after the run: the index, each entry the model predicts, and
 * no other slot written.  A PML-full exit cannot happen from index 511. */
static void pml_check(struct spp_test *t, const char *id, const struct pml_outcome *po)
{
	unsigned rest = 0;
	char cid[96];

	snprintf(cid, sizeof(cid), "%s.pml.index", id);
	report_expect_u64(cid, "value", vmcs_read(VMCS_GUEST_PML_INDEX) & 0xffff, po->index,
			  "the PML index after the write (29.3.6)");
	for (unsigned k = 0; k < po->nr_log; k++) {
		unsigned slot = (unsigned)((po->log[k].hpa - (uintptr_t)t->pml_log) / 8);

		snprintf(cid, sizeof(cid), "%s.pml.log%u", id, k);
		report_expect_u64(cid, "value", t->pml_log[slot % PML_ENTRIES], po->log[k].value,
				  "log slot %u: GPA %#lx, bits 11:0 clear", slot, po->log[k].value);
	}
	for (unsigned k = 0; k < PML_ENTRIES; k++) {
		bool logged = false;

		for (unsigned j = 0; j < po->nr_log; j++)
			logged |= po->log[j].hpa == (uintptr_t)&t->pml_log[k];
		rest += !logged && t->pml_log[k] != PML_POISON;
	}
	snprintf(cid, sizeof(cid), "%s.pml.rest", id);
	report_expect_u64(cid, "value", rest, 0, "no other log slot written (of %u)", PML_ENTRIES);
}

/* Run one guest access at page + off and compare it whole. */
static void spp_case(struct spp_test *t, struct spp_write *c)
{
	struct linear_access la = {
		.gla = t->gla + c->off, .size = (uint8_t)c->size,
		.kind = c->op == GUEST_OP_RMW ? LINEAR_RMW : c->op == GUEST_OP_READ ? LINEAR_READ : LINEAR_WRITE,
	};
	volatile uint64_t *q = (volatile uint64_t *)(t->page + (c->off & ~7u));
	uint64_t *leaf = ept_entry_must(&t->env.ept, t->gpa, EPT_LEVEL_PTE);
	uint64_t value = c->op == GUEST_OP_RMW ? CASE_RMW_ADDEND : CASE_WRITE_VALUE;
	uint64_t stub = c->size == 1 ? (uintptr_t)spp_guest_write_byte : ept_env_stub(&t->env, c->op);
	struct ept_outcome o;
	struct ept_trace trace = { 0 };
	struct pml_outcome po = { 0 };
	struct ve_snapshot snap;
	bool keep_area = false;
	struct outcome w, g;
	struct guest_state gs;
	struct vmx_exit e;
	uint64_t before;

	*leaf = (*leaf & ~(BITS(6, 0) | BITS(63, 52))) | c->leaf;
	ept_case_begin(&t->env, la.gla);
	/* 8 bytes of pattern around the target (an 8-byte write at an offset
	 * 4 mod 8 spans two of them) */
	q[0] = CASE_PATTERN;
	q[1] = CASE_PATTERN;
	before = *(volatile uint64_t *)(t->page + c->off);

	ept_env_guest_state(&gs);
	t->env.model.eptp = vmcs_read(VMCS_EPT_POINTER);
	if (t->pml_log) {
		struct pml_state st = { true, (uintptr_t)t->pml_log, PML_START };

		pml_quiet(t);
		ept_env_guest_state(&gs);
		pml_model_linear(&t->env.model, &gs, &la, &st, &po, &o, &trace);
	} else {
		ept_model_linear(&t->env.model, &gs, &la, &o, &trace);
	}
	memset(&w, 0, sizeof(w));
	memset(&g, 0, sizeof(g));
	if (o.kind == EPT_OUTCOME_UNMODELED || o.order_ambiguous) {
		report_skip(c->id, c->words, "the reference model does not predict this case");
		return;
	}
	if (o.kind == EPT_OUTCOME_SPP_EVENT) {
		outcome_set(&w, FLD_IDT_VEC, 0, INTR_INFO_VALID);
		outcome_set(&w, FLD_VECTOR, 0, INTR_INFO_VALID);
		outcome_set(&w, FLD_REASON, EXIT_REASON_SPP_EVENT, ~0u);
		outcome_set(&w, FLD_QUAL, o.spp.qual, o.spp.qual_mask);
		outcome_set(&w, FLD_GPA, o.spp.gpa, ~0ull);
		snprintf(w.describe, sizeof(w.describe), "exit 66 (%s)", spp_result_name(o.spp.result));
	} else {
		outcome_want_exit(&w, &o);
	}
	if (o.kind == EPT_OUTCOME_TRANSLATION) {
		uint64_t want = c->op == GUEST_OP_READ ? CASE_PATTERN :
				c->op == GUEST_OP_RMW ? before + value :
				c->size == 1 ? (before & ~0xffull) | (value & 0xff) : value;

		outcome_set(&w, FLD_DATA, want, ~0ull);
	} else {
		outcome_set(&w, FLD_VALUE, stub, ~0ull);	/* fault-like: RIP at the write */
		if (c->op != GUEST_OP_READ)
			outcome_set(&w, FLD_MEM, before, ~0ull);
	}
	if (c->ve) {
		/* 26.5.7.1: an SPP-denied write is an EPT violation like any
		 * other, convertible by the leaf's bit 63; an SPP-related event
		 * is not an EPT violation and never a #VE */
		/* an EPTP index of our own, nonzero: a #VE must report this
		 * field's value, whatever VMFUNC did before (26.5.7.2) */
		struct ve_conditions cond = { .cr0_pe = true, .eptp_index = SPP_EPTP_INDEX };
		struct ve_area area;

		memset((void *)t->ve_area, 0x5a, VE_AREA_BYTES);
		t->ve_area->busy = 0;
		vmcs_write(VMCS_EPTP_INDEX, SPP_EPTP_INDEX);
		t->env.model.ctl.ve = true;
		ept_model_linear(&t->env.model, &gs, &la, &o, NULL);
		t->env.model.ctl.ve = false;
		if (ve_decide(&o, &cond, &area) == VE_DELIVERED) {
			outcome_set(&w, FLD_REASON, EXIT_REASON_EXCEPTION_NMI, ~0u);
			outcome_set(&w, FLD_VECTOR, ve_exit_intr_info(), ~0u);
			w.mask[FLD_QUAL] = w.mask[FLD_GPA] = w.mask[FLD_GLA] = 0;
			snprintf(w.describe, sizeof(w.describe), "#VE (exit 0, vector 20), qual %#lx", area.qual);
			outcome_want_ve_area(&w, &area);
		} else {
			keep_area = true;
		}
		ve_area_snapshot(&snap, t->ve_area);
		vmcs_set_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_EPT_VIOLATION_VE);
	}
	if (t->ad && o.kind != EPT_OUTCOME_SPP_EVENT) {
		struct ad_flags a = ad_model_ept(&t->env.model, &o, &trace, (uintptr_t)leaf);

		w.v[FLD_EPT_AD] = (uint64_t)(a.a == AD_SET) | (uint64_t)(a.d == AD_SET) << 1;
		w.mask[FLD_EPT_AD] = (uint64_t)(a.a != AD_MAY) | (uint64_t)(a.d != AD_MAY) << 1;
		w.nr_ept_ad = 1;
		w.ept_ad_level[0] = EPT_LEVEL_PTE;
		/* and the guest's own walk of the target, top level first */
		for (unsigned l = t->env.gpt.levels, i = 0; l >= 1; l--, i++) {
			a = ad_model_guest(&o, &trace, l, l == 1, c->op != GUEST_OP_READ,
					   gpt_entry_read(&t->env.gpt, la.gla, l));
			w.v[FLD_GUEST_AD] |= (uint64_t)(a.a == AD_SET) << (2 * i) |
					     (uint64_t)(a.d == AD_SET) << (2 * i + 1);
			w.mask[FLD_GUEST_AD] |= (uint64_t)(a.a != AD_MAY) << (2 * i) |
						(uint64_t)(a.d != AD_MAY) << (2 * i + 1);
			w.guest_ad_level[i] = (uint8_t)l;
		}
		w.nr_guest_ad = (uint8_t)t->env.gpt.levels;
	}

	ept_invalidate(&t->env.ept);
	vcpu_set_entry(t->env.vcpu, (void (*)(void))stub, la.gla);
	t->env.vcpu->regs.rsi = value;
	t->env.vcpu->regs.rax = 0;
	e = vmx_run_guest(t->env.vcpu);
	if (c->ve) {
		vmcs_clear_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_EPT_VIOLATION_VE);
		outcome_got_ve_area(&g, t->ve_area);
	}
	outcome_got_exit(&g, &e);
	g.v[FLD_VALUE] = e.guest_rip;
	g.v[FLD_DATA] = c->op == GUEST_OP_READ ? e.regs.rax : *(volatile uint64_t *)(t->page + c->off);
	g.v[FLD_MEM] = *(volatile uint64_t *)(t->page + c->off);
	g.v[FLD_EPT_AD] = (uint64_t)!!(*leaf & EPT_ACCESSED) | (uint64_t)!!(*leaf & EPT_DIRTY) << 1;
	for (unsigned l = t->env.gpt.levels, i = 0; l >= 1; l--, i++) {
		uint64_t e = gpt_entry_read(&t->env.gpt, la.gla, l);

		g.v[FLD_GUEST_AD] |= (uint64_t)!!(e & PTE_ACCESSED) << (2 * i) |
				     (uint64_t)!!(e & PTE_DIRTY) << (2 * i + 1);
	}
	if (!outcome_check(c->id, c->words, &w, &g))
		vmx_exit_report_info(&e);
	if (keep_area)
		ve_area_kept_check(c->id, &snap, t->ve_area);
	if (t->pml_log)
		pml_check(t, c->id, &po);
}

#define LEAF_R   (EPT_READ | EPT_WB | EPT_SUBPAGE_WRITE_PERM)

/* ---- each sub-page alone writable, alone not writable ---- */
static void subpage_case(void *ctx, unsigned i)
{
	struct spp_test *t = ctx;
	unsigned sp = i / 2;
	bool alone_writable = !(i & 1);
	char id[64];
	struct spp_write c = { id, "", GUEST_OP_WRITE, sp * SPP_SUBPAGE_SIZE + 0x10, 8, LEAF_R, false };

	snprintf(id, sizeof(id), "subpage.%u.%s", sp, alone_writable ? "only-writable" : "only-denied");
	snprintf(c.words, sizeof(c.words), "8-byte write in sub-page %u, PTE R-- bit 61, %s", sp,
		 alone_writable ? "only its bit set" : "every bit but its own set");
	if (t->why) {
		report_skip(id, c.words, "%s", t->why);
		return;
	}
	spp_set(t, alone_writable ? SPP_WRITE_BIT(sp) : ALL_WRITABLE & ~SPP_WRITE_BIT(sp), 0, 0, 0);
	spp_case(t, &c);
}

/* ---- writes across two sub-pages ---- */
static const unsigned straddle_at[] = { 0, 1, 7, 15, 16, 30 };
static const char *const straddle_ids[] = { "both", "low-only", "high-only", "neither" };

static void straddle_case(void *ctx, unsigned i)
{
	struct spp_test *t = ctx;
	unsigned sp = straddle_at[i / 4], which = i % 4;
	uint64_t vec = (which == 0 || which == 1 ? SPP_WRITE_BIT(sp) : 0) |
		       (which == 0 || which == 2 ? SPP_WRITE_BIT(sp + 1) : 0);
	char id[64];
	struct spp_write c = { id, "", GUEST_OP_WRITE, (sp + 1) * SPP_SUBPAGE_SIZE - 4, 8, LEAF_R, false };

	snprintf(id, sizeof(id), "straddle.%u-%u.%s", sp, sp + 1, straddle_ids[which]);
	snprintf(c.words, sizeof(c.words), "8-byte write across sub-pages %u and %u, %s writable",
		 sp, sp + 1, straddle_ids[which]);
	if (t->why) {
		report_skip(id, c.words, "%s", t->why);
		return;
	}
	spp_set(t, vec, 0, 0, 0);
	spp_case(t, &c);
}

/* ---- single bytes at the sub-page boundary ---- */
static void byte_case(void *ctx, unsigned i)
{
	struct spp_test *t = ctx;
	unsigned sp = (i / 4) * 5, k = i % 4;	/* sub-pages 0, 5, 10, ... 30 */
	bool last = k < 2;			/* the sub-page's last byte, or the next one's first */
	bool own = k % 2 == 0;			/* the written sub-page writable */
	unsigned target = last ? sp : sp + 1;
	char id[64];
	struct spp_write c = { id, "", GUEST_OP_WRITE, (sp + 1) * SPP_SUBPAGE_SIZE - (last ? 1 : 0), 1,
			       LEAF_R, false };

	snprintf(id, sizeof(id), "byte.%u.%s.%s", sp, last ? "last" : "next-first",
		 own ? "writable" : "neighbour-writable");
	snprintf(c.words, sizeof(c.words), "1-byte write at offset %#x (sub-page %u), only sub-page %u writable",
		 c.off, target, own ? target : (target == sp ? sp + 1 : sp));
	if (t->why) {
		report_skip(id, c.words, "%s", t->why);
		return;
	}
	spp_set(t, SPP_WRITE_BIT(own ? target : (target == sp ? sp + 1 : sp)), 0, 0, 0);
	spp_case(t, &c);
}

/* ---- the leaf decides whether SPP is consulted ---- */
static const struct { const char *id; uint64_t leaf; } perm_leaves[] = {
	{ "r--.spp", EPT_READ | EPT_WB | EPT_SUBPAGE_WRITE_PERM },
	{ "r-x.spp", EPT_READ | EPT_EXEC | EPT_WB | EPT_SUBPAGE_WRITE_PERM },
	{ "rw-.spp", EPT_READ | EPT_WRITE | EPT_WB | EPT_SUBPAGE_WRITE_PERM },
	{ "--x.spp", EPT_EXEC | EPT_WB | EPT_SUBPAGE_WRITE_PERM },
	{ "---.spp", EPT_SUBPAGE_WRITE_PERM },
	{ "r--.no-spp", EPT_READ | EPT_WB },
	{ "r--.spp-sve", EPT_READ | EPT_WB | EPT_SUBPAGE_WRITE_PERM | EPT_SUPPRESS_VE },
};
static const enum guest_op perm_ops[] = { GUEST_OP_WRITE, GUEST_OP_RMW, GUEST_OP_READ };

static void perm_case(void *ctx, unsigned i)
{
	struct spp_test *t = ctx;
	unsigned p = i / 6;
	enum guest_op op = perm_ops[i / 2 % 3];
	bool allow = !(i & 1);
	char id[64];
	struct spp_write c = { id, "", op, 0x208, 8, perm_leaves[p].leaf, false };

	snprintf(id, sizeof(id), "perm.%s.%s.%s", perm_leaves[p].id, guest_op_name(op),
		 allow ? "subpage-writable" : "subpage-denied");
	snprintf(c.words, sizeof(c.words), "%s, PTE %s%s, sub-page 4 %s", guest_op_name(op),
		 ept_perm_str(perm_leaves[p].leaf), perm_leaves[p].leaf & EPT_SUBPAGE_WRITE_PERM ?
		 " bit 61" : "", allow ? "writable" : "not writable");
	if (t->why) {
		report_skip(id, c.words, "%s", t->why);
		return;
	}
	spp_set(t, allow ? ALL_WRITABLE : ALL_WRITABLE & ~SPP_WRITE_BIT(4), 0, 0, 0);
	spp_case(t, &c);
}

/* ---- with "EPT-violation #VE" ---- */
static const struct { const char *id; uint64_t leaf, vec; unsigned ol; uint64_t set, clear; } ve_cases[] = {
	{ "ve.denied", LEAF_R, ALL_WRITABLE & ~SPP_WRITE_BIT(2), 0, 0, 0 },
	{ "ve.denied-sve", LEAF_R | EPT_SUPPRESS_VE, ALL_WRITABLE & ~SPP_WRITE_BIT(2), 0, 0, 0 },
	{ "ve.allowed", LEAF_R, SPP_WRITE_BIT(2), 0, 0, 0 },
	{ "ve.miss", LEAF_R, ALL_WRITABLE, 3, 0, SPP_VALID },
	{ "ve.misconfig", LEAF_R, ALL_WRITABLE, 2, BIT(1), 0 },
};

static void ve_case(void *ctx, unsigned i)
{
	struct spp_test *t = ctx;
	enum guest_op op = i & 1 ? GUEST_OP_RMW : GUEST_OP_WRITE;
	char id[64];
	struct spp_write c = { id, "", op, 2 * SPP_SUBPAGE_SIZE + 8, 8, ve_cases[i / 2].leaf, true };

	snprintf(id, sizeof(id), "%s.%s", ve_cases[i / 2].id, guest_op_name(op));
	snprintf(c.words, sizeof(c.words), "%s in sub-page 2, PTE R--%s bit 61, #VE on", guest_op_name(op),
		 ve_cases[i / 2].leaf & EPT_SUPPRESS_VE ? " suppress-#VE" : "");
	if (t->why || !t->ve_area) {
		report_skip(id, c.words, "%s", t->why ? t->why :
			    "IA32_VMX_PROCBASED_CTLS2 bit 50 (allowed-1 of \"EPT-violation #VE\") = 0");
		return;
	}
	spp_set(t, ve_cases[i / 2].vec, ve_cases[i / 2].ol, ve_cases[i / 2].set, ve_cases[i / 2].clear);
	spp_case(t, &c);
}

/* ---- SPPT miss and misconfiguration ---- */
static const struct {
	const char *id;
	unsigned level;
	uint64_t set, clear;
	bool maxphy;		/* set bit MAXPHYADDR */
} walk_cases[] = {
	{ "miss.l4", 4, 0, SPP_VALID, false },
	{ "miss.l3", 3, 0, SPP_VALID, false },
	{ "miss.l2", 2, 0, SPP_VALID, false },
	{ "miss.l3-rsvd", 3, BIT(1), SPP_VALID, false },
	{ "rsvd1.l4", 4, BIT(1), 0, false },
	{ "rsvd1.l3", 3, BIT(1), 0, false },
	{ "rsvd1.l2", 2, BIT(1), 0, false },
	{ "rsvd11.l4", 4, BIT(11), 0, false },
	{ "rsvd11.l3", 3, BIT(11), 0, false },
	{ "rsvd11.l2", 2, BIT(11), 0, false },
	{ "maxphyaddr.l4", 4, 0, 0, true },
	{ "maxphyaddr.l3", 3, 0, 0, true },
	{ "maxphyaddr.l2", 2, 0, 0, true },
	{ "bit63.l2", 2, BIT(63), 0, false },
	{ "odd1.l1", 1, BIT(1), 0, false },
	{ "odd63.l1", 1, BIT(63), 0, false },
	{ "odd9.l1", 1, BIT(9), 0, false },
};

static void walk_case(void *ctx, unsigned i)
{
	struct spp_test *t = ctx;
	unsigned k = i / 2;
	enum guest_op op = i & 1 ? GUEST_OP_RMW : GUEST_OP_WRITE;
	char id[64];
	struct spp_write c = { id, "", op, 0x40, 8, LEAF_R, false };

	snprintf(id, sizeof(id), "walk.%s.%s", walk_cases[k].id, guest_op_name(op));
	snprintf(c.words, sizeof(c.words), "%s, SPP level %u entry %s%#lx%s", guest_op_name(op),
		 walk_cases[k].level, walk_cases[k].clear ? "without bit 0, with " : "with ",
		 walk_cases[k].set, walk_cases[k].maxphy ? " and bit MAXPHYADDR" : "");
	if (t->why) {
		report_skip(id, c.words, "%s", t->why);
		return;
	}
	spp_set(t, ALL_WRITABLE, walk_cases[k].level,
		walk_cases[k].set | (walk_cases[k].maxphy ? 1ull << vmx_caps.maxphyaddr : 0),
		walk_cases[k].clear);
	spp_case(t, &c);
}

/* ---- SPPTP at VM entry ---- */
static const struct { const char *id; uint64_t off; bool high, no_ept; } entry_cases[] = {
	{ "entry.valid", 0, false, false },
	{ "entry.bit0", 1, false, false },
	{ "entry.bit11", 0x800, false, false },
	{ "entry.maxphyaddr", 0, true, false },
	{ "entry.no-ept", 0, false, true },
};

static void entry_case(void *ctx, unsigned i)
{
	struct spp_test *t = ctx;
	uint64_t spptp = (uintptr_t)t->sppt[4] + entry_cases[i].off +
			 (entry_cases[i].high ? 1ull << vmx_caps.maxphyaddr : 0);
	struct outcome w = { 0 }, g = { 0 };
	enum vmentry_ept_rule er;
	enum spp_spptp_rule sr;
	struct vmx_exit e;
	unsigned err;
	char words[96];

	snprintf(words, sizeof(words), "SPPTP = table + %#lx%s%s", entry_cases[i].off,
		 entry_cases[i].high ? " + 2^MAXPHYADDR" : "",
		 entry_cases[i].no_ept ? ", \"enable EPT\" = 0" : "");
	if (t->why) {
		report_skip(entry_cases[i].id, words, "%s", t->why);
		return;
	}
	vmcs_set_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_ENABLE_EPT);
	if (entry_cases[i].no_ept)
		vmcs_clear_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_ENABLE_EPT);
	er = vmentry_ept_dependency_check((uint32_t)vmcs_read(VMCS_SECONDARY_PROC_CONTROLS), 0);
	sr = spp_spptp_check(vmx_caps.maxphyaddr, spptp);
	err = er != VMENTRY_EPT_OK ? vmentry_ept_expected_error(er) :
	      sr != SPP_SPPTP_OK ? VMXERR_ENTRY_INVALID_CONTROL : 0;
	vmcs_write(VMCS_SPPT_POINTER, spptp);
	vcpu_set_entry(t->env.vcpu, (void (*)(void))spp_guest_vmcall, 0);
	e = vmx_run_guest(t->env.vcpu);
	vmcs_write(VMCS_SPPT_POINTER, (uintptr_t)t->sppt[4]);
	vmcs_set_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_ENABLE_EPT);
	outcome_want_entry(&w, err, er != VMENTRY_EPT_OK ? vmentry_ept_rule_name(er) :
			   spp_spptp_rule_name(sr));
	outcome_got_exit(&g, &e);
	if (!outcome_check(entry_cases[i].id, words, &w, &g))
		vmx_exit_report_info(&e);
}

static void spp_run(bool ad, unsigned nr, void (*const fn[])(void *, unsigned), const unsigned *n)
{
	report_prefix_push(ad ? "ept.spp.ad" : "ept.spp");
	if (spp_init(&T, ad))
		T.why = NULL;
	for (unsigned k = 0; k < nr; k++)
		cases_run(n[k], fn[k], &T);
	if (!T.why)
		ept_env_exit(&T.env);
	report_prefix_pop();
}

static void ept_spp(void)
{
	static void (*const fn[])(void *, unsigned) = {
		subpage_case, straddle_case, byte_case, perm_case, walk_case, entry_case, ve_case,
	};
	static const unsigned n[] = {
		2 * SPP_SUBPAGES, 4 * ARRAY_SIZE(straddle_at), 4 * 7,
		6 * ARRAY_SIZE(perm_leaves), 2 * ARRAY_SIZE(walk_cases), ARRAY_SIZE(entry_cases),
		2 * ARRAY_SIZE(ve_cases),
	};

	spp_run(false, ARRAY_SIZE(fn), fn, n);
}

/* The same writes with EPT accessed and dirty flags on (SDM 29.3.5: a
 * write SPP allows sets the leaf's dirty flag like any other write). */
static void ept_spp_ad(void)
{
	static void (*const fn[])(void *, unsigned) = { subpage_case, straddle_case, perm_case };
	static const unsigned n[] = {
		2 * SPP_SUBPAGES, 4 * ARRAY_SIZE(straddle_at), 6 * ARRAY_SIZE(perm_leaves),
	};

	/* ept_env_init() skips without EPTP bit 6 support (EPT_VPID_CAP bit 21) */
	spp_run(true, ARRAY_SIZE(fn), fn, n);
}

TEST("ept_spp", ept_spp);
TEST("ept_spp_ad", ept_spp_ad);
