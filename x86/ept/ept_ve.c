/*
 * ept_ve: virtualization exceptions (#VE) from EPT violations.  Expected
 * values come from the reference model: ept_model.c (the violation, and
 * whether bit 63 of the deciding entry makes it convertible) and
 * ve_model.c (SDM 26.5.7: the other conditions, the information area of
 * Table 26-1, the #VE exception exit, the VM-entry check of the area's
 * address).
 *
 * Every case presets the information area (sentinel bytes, busy word as
 * the case says), the EPT walk of the window target, the exception bitmap
 * and the guest IDT, the EPTP index, then runs one guest access, and
 * checks the exit record (<id>), the memory or data (<id>.data) and every
 * word of the area (<id>.ve: rewritten as Table 26-1 says for a #VE,
 * untouched for a VM exit).
 *
 *   ept.ve.conv.*      each EPT level restricted (not present or a
 *                      permission), each access, with suppress-#VE clear,
 *                      on the restricted entry, or on the leaf;
 *                      exception-bitmap bit 20 = 1: the #VE is a VM exit
 *                      (reason 0, vector 20)
 *   ept.ve.ad.conv.*   the same with EPT A/D on (TEST ept_ve_conv_ad)
 *   ept.ve.large.*     the same on a 2-MByte leaf (its bit 63 decides)
 *   ept.ve.busy.*      busy word not 0: a convertible violation is a VM exit
 *   ept.ve.misconfig.* misconfigurations are never converted
 *   ept.ve.guest.*     bit 20 = 0: the guest's IDT handler gets the #VE
 *                      (frame RIP = the faulting instruction, no error
 *                      code), then IRET retries it: fixed EPT -> the
 *                      access completes; busy word kept -> VM exit 48;
 *                      busy word cleared -> a second #VE
 *   ept.ve.delivery.*  a violation while delivering the #VE (the guest IDT
 *                      page not present) is a VM exit with IDT-vectoring
 *                      information naming the #VE
 *   ept.ve.entry.*     VM-entry checks of the #VE information address
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/alloc.h"
#include "x86/desc.h"
#include "x86/ept_env.h"
#include "x86/ept_matrix.h"
#include "x86/ve_outcome.h"

/* The guest's #VE handler: call the host, then return to the faulting
 * instruction. */
asm(".text\n.code64\n.globl ve_guest_handler\nve_guest_handler:\n\tvmcall\n\tiretq\n"
    ".globl ve_guest_vmcall\nve_guest_vmcall:\n\tvmcall\n");
extern char ve_guest_handler[], ve_guest_vmcall[];

#define VE_SENTINEL_BYTE 0x5a

struct ve_test {
	struct ept_env env;
	uint8_t *host;			/* the window target (a 4K EPT leaf) */
	uint64_t gla, gpa;
	uint8_t *host2m;		/* another, in a 2M EPT leaf (NULL: none) */
	uint64_t gla2m, gpa2m;
	volatile struct ve_info *area;
	struct idt_gate *idt;		/* identity-mapped guest IDT */
	struct idt_gate *win_idt;	/* the same, on a window page */
	uint64_t win_idt_gla, win_idt_gpa;
	uint64_t host_idt_base, host_idt_limit;
	enum ept_level top;		/* the window's own top EPT entry */
	const char *why;
};

static struct ve_test T;

static void idt_fill(struct idt_gate *idt)
{
	uint64_t h = (uintptr_t)ve_guest_handler;

	for (unsigned v = 0; v < 256; v++) {
		/* SDM Vol. 3A 6.14.1, Figure 6-8: 64-bit interrupt gate */
		idt[v].lo = (h & 0xffff) | ((uint64_t)SEL_CODE64 << 16) | (0x8eull << 40) |
			    ((h >> 16 & 0xffff) << 48);
		idt[v].hi = h >> 32;
	}
}

static bool ve_init(struct ve_test *t, bool ad)
{
	struct ept_env_config cfg = { .ad = ad };

	memset(t, 0, sizeof(*t));
	if (!ept_env_init(&t->env, &cfg, &t->why))
		return false;
	if (!vmx_has_proc2(CPU2_EPT_VIOLATION_VE)) {
		t->why = "IA32_VMX_PROCBASED_CTLS2 bit 50 (allowed-1 of \"EPT-violation #VE\") = 0";
		ept_env_exit(&t->env);
		return false;
	}
	t->area = alloc_page();
	vmcs_write(VMCS_VE_INFO_ADDR, (uintptr_t)t->area);
	vmx_enable_proc2(CPU2_EPT_VIOLATION_VE);
	t->env.model.ctl.ve = true;
	t->host = matrix_map_page(&t->env, PAGE_4K, &t->gla, &t->gpa);
	if (ept_cap(EPT_CAP_PAGE_2M))
		t->host2m = matrix_map_page(&t->env, PAGE_2M, &t->gla2m, &t->gpa2m);
	t->top = t->env.window_own_pml4e ? EPT_LEVEL_PML4E : EPT_LEVEL_PDPTE;
	t->idt = alloc_page();
	idt_fill(t->idt);
	t->win_idt = alloc_page();
	idt_fill(t->win_idt);
	t->win_idt_gpa = ept_env_gpa(&t->env, (uintptr_t)t->win_idt);
	t->win_idt_gla = ept_env_map(&t->env, (uintptr_t)t->win_idt, PAGE_4K, EPT_RWX_MASK | EPT_WB,
				     PAGE_4K, PTE_WRITE | PTE_ACCESSED | PTE_DIRTY);
	t->host_idt_base = vmcs_read(VMCS_GUEST_IDTR_BASE);
	t->host_idt_limit = vmcs_read(VMCS_GUEST_IDTR_LIMIT);
	return true;
}

/* Everything a case depends on, to its defaults: the target's walk RWX
 * with suppress-#VE clear, the IDT page likewise, the area sentinel with
 * @busy, the EPTP index, exception-bitmap bit 20 (@ve_exits) and the IDT. */
static void ve_reset(struct ve_test *t, uint32_t busy, uint16_t index, bool ve_exits,
		     bool window_idt)
{
	for (unsigned l = t->top; l >= EPT_LEVEL_PTE; l--)
		ept_set_bits(&t->env.ept, t->gpa, l, EPT_RWX_MASK, EPT_SUPPRESS_VE);
	if (t->host2m)
		for (unsigned l = t->top; l >= EPT_LEVEL_PDE; l--)
			ept_set_bits(&t->env.ept, t->gpa2m, l, EPT_RWX_MASK, EPT_SUPPRESS_VE);
	ept_set_bits(&t->env.ept, t->win_idt_gpa, EPT_LEVEL_PTE, EPT_RWX_MASK, EPT_SUPPRESS_VE);
	memset((void *)t->area, VE_SENTINEL_BYTE, VE_AREA_BYTES);
	t->area->busy = busy;
	vmcs_write(VMCS_EPTP_INDEX, index);
	vmcs_write(VMCS_EXCEPTION_BITMAP, ve_exits ? 0xffffffffu : ~(uint32_t)BIT(VE_VECTOR));
	if (ve_exits) {
		vmcs_write(VMCS_GUEST_IDTR_BASE, t->host_idt_base);
		vmcs_write(VMCS_GUEST_IDTR_LIMIT, t->host_idt_limit);
	} else {
		vmcs_write(VMCS_GUEST_IDTR_BASE, window_idt ? t->win_idt_gla : (uintptr_t)t->idt);
		vmcs_write(VMCS_GUEST_IDTR_LIMIT, 256 * 16 - 1);
	}
	ept_case_begin(&t->env, t->gla);
}

/* The instruction a fault-like exit or #VE names: the stub's access, or
 * for a fetch the target it jumped to. */
static uint64_t fault_rip_at(struct ve_test *t, enum guest_op op, uint64_t gla)
{
	return op == GUEST_OP_FETCH ? gla : ept_env_stub(&t->env, op);
}

static uint64_t fault_rip(struct ve_test *t, enum guest_op op)
{
	return fault_rip_at(t, op, t->gla);
}

/*
 * One access with exception-bitmap bit 20 = 1: the model's exit, turned
 * into the #VE exception exit when ve_decide() says so, and the area.
 */
static bool ve_access_at(struct ve_test *t, const char *id, const char *words, enum guest_op op,
			 uint64_t gla, uint8_t *host, uint32_t busy, uint16_t index)
{
	struct ept_case c = { .op = op, .gla = gla, .host = (volatile uint64_t *)host };
	struct ve_conditions cond = { .cr0_pe = true, .busy = busy, .eptp_index = index };
	struct ve_snapshot snap;
	struct ve_area area;
	enum ve_result r;
	bool pass;

	ept_case_expect(&t->env, &c);
	if (c.model.kind == EPT_OUTCOME_UNMODELED || c.model.order_ambiguous) {
		ept_case_skip(id, words, "the reference model does not predict this case");
		return true;
	}
	r = ve_decide(&c.model, &cond, &area);
	ve_area_snapshot(&snap, t->area);
	if (r == VE_DELIVERED) {
		outcome_set(&c.want, FLD_REASON, EXIT_REASON_EXCEPTION_NMI, ~0u);
		outcome_set(&c.want, FLD_VECTOR, ve_exit_intr_info(), ~0u);
		/* the exception exit's qualification and address fields are
		 * not the violation's: only the area carries those */
		c.want.mask[FLD_QUAL] = c.want.mask[FLD_GPA] = c.want.mask[FLD_GLA] = 0;
		snprintf(c.want.describe, sizeof(c.want.describe), "#VE (exit 0, vector 20), qual %#lx",
			 area.qual);
		outcome_want_ve_area(&c.want, &area);
	}
	if (c.model.kind == EPT_OUTCOME_VIOLATION || c.model.kind == EPT_OUTCOME_MISCONFIG)
		outcome_set(&c.want, FLD_VALUE, fault_rip_at(t, op, gla), ~0ull);
	ept_case_run(&t->env, &c);
	c.got.v[FLD_VALUE] = c.exit.guest_rip;
	outcome_got_ve_area(&c.got, t->area);
	pass = ept_case_check(id, words, &c);
	if (r != VE_DELIVERED)
		ve_area_kept_check(id, &snap, t->area);
	return pass;
}

static bool ve_access_case(struct ve_test *t, const char *id, const char *words,
			   enum guest_op op, uint32_t busy, uint16_t index)
{
	return ve_access_at(t, id, words, op, t->gla, t->host, busy, index);
}

/* ---- ept.ve.conv: level x permission x access x suppress-#VE ---- */
static const enum ept_level conv_levels[] = {
	EPT_LEVEL_PTE, EPT_LEVEL_PDE, EPT_LEVEL_PDPTE, EPT_LEVEL_PML4E,
};
static const uint64_t conv_perms[] = {
	0, EPT_READ, EPT_READ | EPT_WRITE, EPT_READ | EPT_EXEC, EPT_EXEC, EPT_RWX_MASK,
};
enum sve_at { SVE_NONE, SVE_ENTRY, SVE_LEAF, SVE_NR };
static const char *const sve_ids[] = { "sve-none", "sve-entry", "sve-leaf" };

static void conv_case(void *ctx, unsigned i)
{
	struct ve_test *t = ctx;
	enum sve_at sve = i % SVE_NR;
	enum guest_op op = matrix_ops[i / SVE_NR % 4];
	uint64_t rwx = conv_perms[i / SVE_NR / 4 % ARRAY_SIZE(conv_perms)];
	enum ept_level level = conv_levels[i / SVE_NR / 4 / ARRAY_SIZE(conv_perms)];
	char id[80], words[120];

	if (level == EPT_LEVEL_PTE && sve == SVE_LEAF)
		return;		/* the PTE is the leaf: same as sve-entry */
	snprintf(id, sizeof(id), "conv.%s.%s.%s.%s", matrix_level_id(level), matrix_perm_id(rwx),
		 guest_op_name(op), sve_ids[sve]);
	snprintf(words, sizeof(words), "%s, %s %s (others RWX), suppress-#VE %s%s", guest_op_name(op),
		 matrix_level_name(level), ept_perm_str(rwx),
		 sve == SVE_NONE ? "clear" : "set in the ", sve == SVE_NONE ? "" :
		 sve == SVE_ENTRY ? matrix_level_name(level) : "leaf PTE");
	if (t->why || (level > t->top)) {
		ept_case_skip(id, words, t->why ? t->why :
			      "MAXPHYADDR <= 39: the window has no EPT PML4E of its own");
		return;
	}
	ve_reset(t, 0, (uint16_t)(i % 511 + 1), true, false);
	ept_set_perms(&t->env.ept, t->gpa, level, rwx);
	if (sve != SVE_NONE)
		ept_set_bits(&t->env.ept, t->gpa, sve == SVE_ENTRY ? level : EPT_LEVEL_PTE,
			     EPT_SUPPRESS_VE, 0);
	ve_access_case(t, id, words, op, 0, (uint16_t)(i % 511 + 1));
}

/* ---- ept.ve.large: a 2-MByte leaf restricted, suppress-#VE in it ---- */
static void large_case(void *ctx, unsigned i)
{
	struct ve_test *t = ctx;
	bool sve = i % 2;
	enum guest_op op = matrix_ops[i / 2 % 4];
	uint64_t rwx = conv_perms[i / 8];
	char id[80], words[120];

	snprintf(id, sizeof(id), "large.2m.%s.%s.%s", matrix_perm_id(rwx), guest_op_name(op),
		 sve ? "sve-leaf" : "sve-none");
	snprintf(words, sizeof(words), "%s, 2M leaf PDE %s, suppress-#VE %s", guest_op_name(op),
		 ept_perm_str(rwx), sve ? "set" : "clear");
	if (t->why || !t->host2m) {
		ept_case_skip(id, words, t->why ? t->why : matrix_ept_size_missing(PAGE_2M));
		return;
	}
	ve_reset(t, 0, (uint16_t)(i + 100), true, false);
	ept_case_begin(&t->env, t->gla2m);
	ept_set_perms(&t->env.ept, t->gpa2m, EPT_LEVEL_PDE, rwx);
	if (sve)
		ept_set_bits(&t->env.ept, t->gpa2m, EPT_LEVEL_PDE, EPT_SUPPRESS_VE, 0);
	ve_access_at(t, id, words, op, t->gla2m, t->host2m, 0, (uint16_t)(i + 100));
}

/* ---- ept.ve.busy: the busy word not 0 ---- */
static const uint32_t busy_values[] = { VE_BUSY, 1, 0x80000000u, 0x0000ffffu };

static void busy_case(void *ctx, unsigned i)
{
	struct ve_test *t = ctx;
	uint32_t busy = busy_values[i / 4];
	enum guest_op op = matrix_ops[i % 4];
	char id[64], words[96];

	snprintf(id, sizeof(id), "busy.%08x.%s", busy, guest_op_name(op));
	snprintf(words, sizeof(words), "%s, PTE ---, busy word %#x", guest_op_name(op), busy);
	if (t->why) {
		ept_case_skip(id, words, t->why);
		return;
	}
	ve_reset(t, busy, 7, true, false);
	ept_set_perms(&t->env.ept, t->gpa, EPT_LEVEL_PTE, 0);
	ve_access_case(t, id, words, op, busy, 7);
}

/* ---- ept.ve.misconfig: never converted ---- */
static const struct {
	const char *id;
	uint64_t bits;		/* bits 6:0 of the leaf */
} mc_cases[] = {
	{ "write-only", EPT_WRITE | EPT_WB },
	{ "write-exec", EPT_WRITE | EPT_EXEC | EPT_WB },
	{ "memtype2", EPT_RWX_MASK | EPT_MT(2) },
	{ "memtype7", EPT_RWX_MASK | EPT_MT(7) },
};

static void mc_case(void *ctx, unsigned i)
{
	struct ve_test *t = ctx;
	enum guest_op op = matrix_ops[i % 4];
	char id[64], words[96];

	snprintf(id, sizeof(id), "misconfig.%s.%s", mc_cases[i / 4].id, guest_op_name(op));
	snprintf(words, sizeof(words), "%s, PTE bits 6:0 = %#lx, suppress-#VE clear",
		 guest_op_name(op), mc_cases[i / 4].bits);
	if (t->why) {
		ept_case_skip(id, words, t->why);
		return;
	}
	ve_reset(t, 0, 9, true, false);
	ept_set_bits(&t->env.ept, t->gpa, EPT_LEVEL_PTE, mc_cases[i / 4].bits, BITS(6, 0));
	ve_access_case(t, id, words, op, 0, 9);
}

/* ---- ept.ve.guest: the guest's handler, then IRET ---- */
enum guest_after { AFTER_RETRY, AFTER_BUSY_KEPT, AFTER_BUSY_CLEARED, AFTER_NR };
static const char *const after_ids[] = { "retry", "busy-kept", "busy-cleared" };

/* What ept_case_run() reads back, after a resumed (not restarted) run. */
static void got_after_resume(struct ve_test *t, struct ept_case *c)
{
	outcome_got_exit(&c->got, &c->exit);
	c->got.v[FLD_MEM] = *c->host;
	c->got.v[FLD_DATA] = c->op == GUEST_OP_READ ? c->exit.regs.rax :
			     c->op == GUEST_OP_FETCH ? c->exit.guest_rip : *c->host;
	c->got.v[FLD_VALUE] = c->exit.guest_rip;
	outcome_got_ve_area(&c->got, t->area);
}

/* The handler's VMCALL after a #VE: the frame's RIP is the faulting
 * instruction (at [RSP]: no error code pushed), and the area. */
static bool guest_ve_check(struct ve_test *t, const char *id, const char *words,
			   struct ept_case *c, const struct ve_area *area)
{
	memset(&c->want, 0, sizeof(c->want));
	outcome_set(&c->want, FLD_REASON, EXIT_REASON_VMCALL, ~0u);
	outcome_set(&c->want, FLD_IDT_VEC, 0, INTR_INFO_VALID);
	outcome_set(&c->want, FLD_VALUE, fault_rip(t, c->op), ~0ull);
	outcome_want_ve_area(&c->want, area);
	snprintf(c->want.describe, sizeof(c->want.describe), "#VE handler, frame RIP %#lx",
		 fault_rip(t, c->op));
	memset(&c->got, 0, sizeof(c->got));
	outcome_got_exit(&c->got, &c->exit);
	c->got.v[FLD_VALUE] = c->exit.reason == EXIT_REASON_VMCALL ?
			      *(volatile uint64_t *)(uintptr_t)c->exit.guest_rsp : 0;
	outcome_got_ve_area(&c->got, t->area);
	return ept_case_check(id, words, c);
}

static void guest_case(void *ctx, unsigned i)
{
	struct ve_test *t = ctx;
	enum guest_after after = i / 4;
	enum guest_op op = matrix_ops[i % 4];
	struct ept_case c = { .op = op, .gla = t->gla, .host = (volatile uint64_t *)t->host };
	struct ve_conditions cond = { .cr0_pe = true, .eptp_index = 3 };
	struct ve_snapshot snap;
	struct ve_area area;
	char id[64], id2[80], words[96];

	snprintf(id, sizeof(id), "guest.%s.%s", after_ids[after], guest_op_name(op));
	snprintf(id2, sizeof(id2), "%s.after-iret", id);
	snprintf(words, sizeof(words), "%s, PTE ---, #VE to the guest's IDT handler", guest_op_name(op));
	if (t->why) {
		ept_case_skip(id, words, t->why);
		ept_case_skip(id2, "after IRET", t->why);
		return;
	}
	ve_reset(t, 0, 3, false, false);
	ept_set_perms(&t->env.ept, t->gpa, EPT_LEVEL_PTE, 0);
	ept_case_expect(&t->env, &c);
	if (ve_decide(&c.model, &cond, &area) != VE_DELIVERED) {
		report(false, id, "the model does not convert this violation");
		ept_case_skip(id2, "after IRET", "no #VE");
		return;
	}
	c.exit = ept_env_run(&t->env, op, t->gla, op == GUEST_OP_RMW ? CASE_RMW_ADDEND : CASE_WRITE_VALUE);
	if (!guest_ve_check(t, id, words, &c, &area)) {
		ept_case_skip(id2, "after IRET", "the #VE was not delivered as required");
		return;
	}

	/* The handshake: the handler returns with IRET to the faulting
	 * instruction, which runs again under what the host changed. */
	vcpu_skip_instruction(t->env.vcpu, &c.exit);
	switch (after) {
	case AFTER_RETRY:
		/* fixed EPT, area released: the access completes */
		ept_set_perms(&t->env.ept, t->gpa, EPT_LEVEL_PTE, EPT_RWX_MASK);
		t->area->busy = 0;
		snprintf(words, sizeof(words), "IRET after EPT fixed and busy word cleared: completes");
		break;
	case AFTER_BUSY_KEPT:
		snprintf(words, sizeof(words), "IRET, PTE still ---, busy word kept: VM exit 48");
		break;
	case AFTER_BUSY_CLEARED:
		memset((void *)t->area, VE_SENTINEL_BYTE, VE_AREA_BYTES);
		t->area->busy = 0;
		vmcs_write(VMCS_EPTP_INDEX, 0x1ab);
		cond.eptp_index = 0x1ab;
		snprintf(words, sizeof(words), "IRET, PTE still ---, busy word cleared: a second #VE");
		break;
	case AFTER_NR:
		break;
	}
	cond.busy = t->area->busy;
	ept_invalidate(&t->env.ept);
	{
		uint64_t keep = *t->host;
		struct ept_case d = c;

		/* the model on the tables as they are now (ept_case_expect
		 * rewrites the target with the same pattern: the first try
		 * wrote nothing) */
		ept_case_expect(&t->env, &d);
		*t->host = keep;
		if (after == AFTER_BUSY_CLEARED) {
			ve_decide(&d.model, &cond, &area);
			d.exit = vmx_run_guest(t->env.vcpu);
			guest_ve_check(t, id2, words, &d, &area);
			return;
		}
		if (ve_decide(&d.model, &cond, &area) == VE_DELIVERED) {
			report(false, id2, "the model converts the retried access");
			return;
		}
		/* the first try already walked the guest tables: their A/D
		 * flags are not what this step is about */
		d.want.mask[FLD_EPT_AD] = d.want.mask[FLD_GUEST_AD] = 0;
		if (d.model.kind == EPT_OUTCOME_VIOLATION)
			outcome_set(&d.want, FLD_VALUE, fault_rip(t, op), ~0ull);
		ve_area_snapshot(&snap, t->area);
		d.exit = vmx_run_guest(t->env.vcpu);
		memset(&d.got, 0, sizeof(d.got));
		got_after_resume(t, &d);
		ept_case_check(id2, words, &d);
		ve_area_kept_check(id2, &snap, t->area);
	}
}

/* ---- ept.ve.delivery: a violation while delivering the #VE ---- */
static void delivery_case(void *ctx, unsigned i)
{
	struct ve_test *t = ctx;
	enum guest_op op = matrix_ops[i];
	struct ept_case c = { .op = op, .gla = t->gla, .host = (volatile uint64_t *)t->host };
	struct ve_conditions cond = { .cr0_pe = true, .eptp_index = 5 };
	struct linear_access la = {
		.gla = t->win_idt_gla + 16 * VE_VECTOR, .kind = LINEAR_READ, .implicit = true,
		.event_delivery = true,
	};
	struct ept_outcome io;
	struct guest_state gs;
	struct ve_area area;
	char id[64], words[96];

	snprintf(id, sizeof(id), "delivery.%s", guest_op_name(op));
	snprintf(words, sizeof(words), "%s, PTE ---, then the guest IDT page not present", guest_op_name(op));
	if (t->why) {
		ept_case_skip(id, words, t->why);
		return;
	}
	ve_reset(t, 0, 5, false, true);
	ept_set_perms(&t->env.ept, t->gpa, EPT_LEVEL_PTE, 0);
	ept_set_perms(&t->env.ept, t->win_idt_gpa, EPT_LEVEL_PTE, 0);
	ept_case_expect(&t->env, &c);
	if (ve_decide(&c.model, &cond, &area) != VE_DELIVERED) {
		report(false, id, "the model does not convert the first violation");
		return;
	}
	/* 26.5.7.1: the second violation happens "in the process of
	 * delivering an event through the IDT": a VM exit, whatever its
	 * entry's bit 63; IDT-vectoring information names the #VE (28.2.4;
	 * bit 12 undefined there). */
	ept_env_guest_state(&gs);
	t->env.model.eptp = vmcs_read(VMCS_EPT_POINTER);
	ept_model_linear(&t->env.model, &gs, &la, &io, NULL);
	cond.busy = VE_BUSY;
	cond.event_delivery = true;
	memset(&c.want, 0, sizeof(c.want));
	outcome_want_exit(&c.want, &io);
	if (ve_decide(&io, &cond, &(struct ve_area){ 0 }) != VE_VM_EXIT)
		report_info("model: the delivery violation converts");
	outcome_set(&c.want, FLD_IDT_VEC, ve_exit_intr_info(), 0xffffffffu & ~(uint64_t)INTR_INFO_NMI_UNBLOCKING);
	outcome_set(&c.want, FLD_MEM, CASE_PATTERN, c.op == GUEST_OP_WRITE || c.op == GUEST_OP_RMW ? ~0ull : 0);
	outcome_want_ve_area(&c.want, &area);
	c.exit = ept_env_run(&t->env, op, t->gla, op == GUEST_OP_RMW ? CASE_RMW_ADDEND : CASE_WRITE_VALUE);
	memset(&c.got, 0, sizeof(c.got));
	outcome_got_exit(&c.got, &c.exit);
	c.got.v[FLD_MEM] = *(volatile uint64_t *)t->host;
	outcome_got_ve_area(&c.got, t->area);
	ept_case_check(id, words, &c);
}

/* ---- ept.ve.entry: the #VE information address at VM entry ---- */
static void entry_case(void *ctx, unsigned i)
{
	struct ve_test *t = ctx;
	static const struct { const char *id; uint64_t off; bool high; } rows[] = {
		{ "aligned", 0, false }, { "bit0", 1, false }, { "bit11", 0x800, false },
		{ "bits11-0", 0xfff, false }, { "maxphyaddr", 0, true },
	};
	struct ept_caps caps;
	struct ve_entry_facts f = { 0 };
	struct outcome w = { 0 }, g = { 0 };
	struct vmx_exit e;
	enum ve_entry_rule rule;
	char id[64], words[96];

	snprintf(id, sizeof(id), "entry.%s", rows[i].id);
	snprintf(words, sizeof(words), "#VE information address %s", rows[i].high ?
		 "with bit MAXPHYADDR set" : "page + offset");
	if (t->why) {
		ept_case_skip(id, words, t->why);
		return;
	}
	ve_reset(t, 0, 0, true, false);
	caps = t->env.model.caps;
	f.proc2 = (uint32_t)vmcs_read(VMCS_SECONDARY_PROC_CONTROLS);
	f.ve_info_addr = (uintptr_t)t->area + rows[i].off +
			 (rows[i].high ? 1ull << vmx_caps.maxphyaddr : 0);
	rule = ve_entry_check(&caps, &f);
	vmcs_write(VMCS_VE_INFO_ADDR, f.ve_info_addr);
	vcpu_set_entry(t->env.vcpu, (void (*)(void))ve_guest_vmcall, 0);
	e = vmx_run_guest(t->env.vcpu);
	vmcs_write(VMCS_VE_INFO_ADDR, (uintptr_t)t->area);
	outcome_want_entry(&w, ve_entry_expected_error(rule), ve_entry_rule_name(rule));
	outcome_got_exit(&g, &e);
	if (!outcome_check(id, words, &w, &g))
		vmx_exit_report_info(&e);
}

static void ve_run_ad(const char *prefix, bool ad, unsigned n, void (*fn)(void *, unsigned))
{
	report_prefix_push(prefix);
	if (ve_init(&T, ad))
		T.why = NULL;
	cases_run(n, fn, &T);
	if (!T.why)
		ept_env_exit(&T.env);
	report_prefix_pop();
}

static void ve_run(const char *prefix, unsigned n, void (*fn)(void *, unsigned))
{
	ve_run_ad(prefix, false, n, fn);
}

static void ept_ve_conv(void)
{
	ve_run("ept.ve", ARRAY_SIZE(conv_levels) * ARRAY_SIZE(conv_perms) * 4 * SVE_NR, conv_case);
}

static void ept_ve_more(void)
{
	ve_run("ept.ve", ARRAY_SIZE(conv_perms) * 4 * 2, large_case);
	ve_run("ept.ve", ARRAY_SIZE(busy_values) * 4, busy_case);
	ve_run("ept.ve", ARRAY_SIZE(mc_cases) * 4, mc_case);
	ve_run("ept.ve", AFTER_NR * 4, guest_case);
	ve_run("ept.ve", 4, delivery_case);
	ve_run("ept.ve", 5, entry_case);
}

/* The same with EPT accessed and dirty flags on (EPTP bit 6): guest
 * paging-structure reads are then writes for EPT (29.3.3.2), the area is
 * written as before. */
static void ept_ve_conv_ad(void)
{
	ve_run_ad("ept.ve.ad", true,
		  ARRAY_SIZE(conv_levels) * ARRAY_SIZE(conv_perms) * 4 * SVE_NR, conv_case);
}

TEST("ept_ve_conv", ept_ve_conv);
TEST("ept_ve_conv_ad", ept_ve_conv_ad);
TEST("ept_ve", ept_ve_more);
