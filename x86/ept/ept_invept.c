/*
 * ept_invept: INVEPT and INVVPID (SDM 31.3 instruction pages, 29.4.3).
 *
 * Every execution of either instruction is a case whose expected outcome
 * follows the instruction's Operation pseudocode (SDM Vol. 3C 31.3,
 * "INVEPT" and "INVVPID") step by step, as the reference model walks it
 * (ept_inv_expect(), ept_inv_steps[]): the first step whose condition
 * holds decides: #UD, a VM exit, #GP(0) or VMfail; if none does,
 * VMsucceed.  invept_steps[] / invvpid_steps[] below say how this test
 * makes each step fail.  VMfail is VMfailValid(28) with a current VMCS and
 * VMfailInvalid without one (31.2).
 *
 *   - operand cases: INVEPT types 0-4 and one with bits above 31; a
 *     single-context INVEPT with each kind of EPTP VM entry would refuse
 *     (26.2.1.1), the same with all-context INVEPT, which does not look
 *     at the EPTP; INVVPID types 0-4 and a wide one, VPID 0, each
 *     reserved descriptor bit 63:16, canonical and non-canonical
 *     addresses; a few of them with no current VMCS;
 *   - order cases (ept.inv.order.*): for each step that can fail, the
 *     step fails while the operands of every later step are bad too, so
 *     an implementation that checks in another order shows;
 *   - flush cases (29.4.3.1): after a leaf changes (another page, not
 *     present, write-protected) and an INVEPT covers its EPTP, the
 *     guest's next access uses the new entry -- with "enable VPID" off and
 *     on, and for an EPTP that is not the current one.
 *     Only that "must" is architectural: a processor may always walk
 *     afresh.  A control run first learns whether the backend ever uses a
 *     stale translation without INVEPT ("# backend caches EPT
 *     translations: yes|no"); where it does not, the flush checks say they
 *     cannot tell a working INVEPT from a no-op.
 *
 * Fields: insn_err (the instruction's result: VM-instruction error,
 * bit 32 for VMfailInvalid), vector and error_code (an exception; vector
 * bit 8 means none), reason, qual and idt_vec (the VM exit of a guest's
 * INVEPT/INVVPID), and for the flush cases the whole outcome of the
 * guest's read (ept_case_expect()).
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/alloc.h"
#include "x86/desc.h"
#include "x86/ept_env.h"
#include "x86/processor.h"

#define DATA_OFFSET     0x238
#define PATTERN_A       0xa5a5a5a50000000aull
#define PATTERN_B       0x5b5b5b5b0000000bull
#define INVVPID_VPID    1

static unsigned la_width(void)
{
	/* CPUID.80000008H:EAX[15:8], the linear-address width that
	 * canonicality is defined against */
	unsigned w = (cpuid(0x80000008).a >> 8) & 0xff;
	return w ? w : 48;
}

/* ---- one execution of INVEPT or INVVPID ---- */

enum inv_insn { INSN_INVEPT, INSN_INVVPID };

enum inv_where {
	IN_ROOT,		/* VMX root operation, the vCPU's VMCS current */
	IN_ROOT_NO_VMCS,	/* VMX root operation, no current VMCS */
	OUTSIDE_VMX,		/* after VMXOFF */
	IN_GUEST,		/* VMX non-root operation: the guest executes it */
};

struct inv_op {
	enum inv_insn insn;
	enum inv_where where;
	uint64_t type;
	uint64_t lo, hi;	/* the descriptor */
	bool desc_noncanonical;	/* the memory operand's address is not canonical */
};

/*
 * How to make each step of the Operation pseudocode fail, listed in the
 * pseudocode's order so that the order cases can spoil every later step
 * too.  What must then happen is the model's (ept_inv_expect(), which
 * owns the order: SDM Vol. 3C 31.3 INVEPT / INVVPID):
 *   IF not in VMX operation (or real, virtual-8086, compatibility mode) #UD
 *   ELSIF in VMX non-root operation VM exit
 *   ELSIF CPL > 0 #GP(0)                 -- no case: the kernels run at CPL 0
 *   ELSE type not supported -> VMfail
 *        the descriptor is read (memory operand: #GP, #SS, #PF)
 *        INVEPT:  type 1 and an EPTP VM entry would refuse -> VMfail
 *        INVVPID: descriptor bits 63:16 -> VMfail; VPID 0 (types 0, 1, 3)
 *                 -> VMfail; type 0 and a non-canonical address -> VMfail
 */
enum step_kind { STEP_VMX_OFF, STEP_NON_ROOT, STEP_RULE, STEP_DESC_READ };

struct inv_step {
	const char *id;
	const char *words;
	enum step_kind kind;
	enum ept_inv_rule rule;		/* STEP_RULE: the model's rule */
};

static const struct inv_step invept_steps[] = {
	{ "vmx-off", "outside VMX operation", STEP_VMX_OFF, EPT_INV_OK },
	{ "non-root", "in VMX non-root operation", STEP_NON_ROOT, EPT_INV_OK },
	{ "type", "type not supported", STEP_RULE, EPT_INV_TYPE_UNSUPPORTED },
	{ "desc-read", "descriptor at a non-canonical address", STEP_DESC_READ, EPT_INV_OK },
	{ "eptp", "single-context, EPTP invalid", STEP_RULE, EPT_INV_BAD_EPTP },
};

static const struct inv_step invvpid_steps[] = {
	{ "vmx-off", "outside VMX operation", STEP_VMX_OFF, EPT_INV_OK },
	{ "non-root", "in VMX non-root operation", STEP_NON_ROOT, EPT_INV_OK },
	{ "type", "type not supported", STEP_RULE, EPT_INV_TYPE_UNSUPPORTED },
	{ "desc-read", "descriptor at a non-canonical address", STEP_DESC_READ, EPT_INV_OK },
	{ "rsvd", "descriptor bits 63:16 set", STEP_RULE, EPT_INV_RSVD_DESC },
	{ "vpid0", "VPID 0", STEP_RULE, EPT_INV_VPID_ZERO },
	{ "canonical", "individual-address, address not canonical", STEP_RULE, EPT_INV_NONCANONICAL },
};

static const struct inv_steps {
	const char *name;
	const struct inv_step *step;
	unsigned n;
	uint32_t exit_reason;
} steps_of[] = {
	[INSN_INVEPT] = { "INVEPT", invept_steps, ARRAY_SIZE(invept_steps), EXIT_REASON_INVEPT },
	[INSN_INVVPID] = { "INVVPID", invvpid_steps, ARRAY_SIZE(invvpid_steps), EXIT_REASON_INVVPID },
};

/* A non-canonical address: bit la_width-1 set, the bits above it clear. */
static uint64_t noncanonical(void)
{
	return BIT(la_width() - 1);
}

/* What the SDM requires of @op, as an outcome record: the reference
 * model's ept_inv_expect() walks the pseudocode's steps in its order. */
static void inv_expect(const struct ept_caps *caps, const struct inv_op *op, struct outcome *w)
{
	const struct ept_inv_facts f = {
		.invvpid = op->insn == INSN_INVVPID,
		.not_vmx_mode = op->where == OUTSIDE_VMX,
		.non_root = op->where == IN_GUEST,
		.no_current_vmcs = op->where == IN_ROOT_NO_VMCS,
		.type = op->type,
		.desc_lo = op->lo,
		.desc_hi = op->hi,
		.desc_fault = op->desc_noncanonical,
		.la_width = la_width(),
	};
	struct ept_inv_expect x;
	enum ept_inv_result r = ept_inv_expect(caps, &f, &x);
	const char *step = ept_inv_steps[x.step].name;

	memset(w, 0, sizeof(*w));
	switch (r) {
	case EPT_INV_RES_SUCCEED:
	case EPT_INV_RES_VMFAIL_INVALID:
	case EPT_INV_RES_VMFAIL_VALID:
		outcome_set(w, FLD_VECTOR, VECTOR_NONE, VECTOR_NONE);
		if (r == EPT_INV_RES_SUCCEED) {
			outcome_set(w, FLD_INSN_ERR, 0, VMX_INSN_MASK);
			snprintf(w->describe, sizeof(w->describe), "VMsucceed");
		} else if (r == EPT_INV_RES_VMFAIL_INVALID) {
			/* the error field does not exist: only the kind */
			outcome_set(w, FLD_INSN_ERR, VMX_INSN_FAIL_INVALID, VMX_INSN_FAIL_INVALID);
			snprintf(w->describe, sizeof(w->describe), "%s: VMfailInvalid (no current VMCS)",
				 ept_inv_rule_name(x.rule));
		} else {
			outcome_set(w, FLD_INSN_ERR, x.vm_insn_error, VMX_INSN_MASK);
			snprintf(w->describe, sizeof(w->describe), "%s: VMfailValid, error %u",
				 ept_inv_rule_name(x.rule), x.vm_insn_error);
		}
		break;
	case EPT_INV_RES_UD:
		outcome_set(w, FLD_VECTOR, UD_VECTOR, VECTOR_MASK);
		snprintf(w->describe, sizeof(w->describe), "%s: #UD", step);
		break;
	case EPT_INV_RES_GP:
		outcome_set(w, FLD_VECTOR, GP_VECTOR, VECTOR_MASK);
		outcome_set(w, FLD_ERROR_CODE, 0, 0xffffffffu);
		snprintf(w->describe, sizeof(w->describe), "%s: #GP(0)", step);
		break;
	case EPT_INV_RES_VMEXIT:
		/* 28.2.1: the qualification is the displacement of the memory
		 * operand, none here; 28.2.2, 28.2.4: neither caused by nor
		 * during event delivery */
		outcome_set(w, FLD_REASON, steps_of[op->insn].exit_reason, 0xffffffffu);
		outcome_set(w, FLD_QUAL, 0, ~0ull);
		outcome_set(w, FLD_IDT_VEC, 0, INTR_INFO_VALID);
		outcome_set(w, FLD_VECTOR, 0, INTR_INFO_VALID);
		snprintf(w->describe, sizeof(w->describe), "%s: exit %u", step,
			 steps_of[op->insn].exit_reason);
		break;
	}
}

/* The guest's side: the instruction with the descriptor address in RDI
 * and the type in RSI, then VMCALL if it completed. */
extern char guest_invept_stub[], guest_invvpid_stub[];
asm(".pushsection .text\n"
    "guest_invept_stub:\n"
    "	invept (%rdi), %rsi\n"
    "	xor %eax, %eax\n"
    "	vmcall\n"
    "guest_invvpid_stub:\n"
    "	invvpid (%rdi), %rsi\n"
    "	xor %eax, %eax\n"
    "	vmcall\n"
    ".popsection");

struct host_exec {
	enum inv_insn insn;
	uint64_t type, addr;
	enum vmx_status status;
};

static void host_exec(void *arg)
{
	struct host_exec *x = arg;
	bool cf, zf;

	/* the address in RAX: a DS access, so #GP (not #SS) when it is not
	 * canonical */
	if (x->insn == INSN_INVEPT)
		asm volatile("invept (%%rax), %%rcx" : "=@ccc"(cf), "=@ccz"(zf)
			     : "a"(x->addr), "c"(x->type) : "memory");
	else
		asm volatile("invvpid (%%rax), %%rcx" : "=@ccc"(cf), "=@ccz"(zf)
			     : "a"(x->addr), "c"(x->type) : "memory");
	x->status = VMX_STATUS_FROM_FLAGS(cf, zf);
}

/* Runs @op where it says and fills the observed record. */
static void inv_run(struct ept_env *env, const struct inv_op *op, struct outcome *g,
		    struct vmx_exit *exit_out)
{
	static struct { uint64_t lo, hi; } __attribute__((aligned(16))) desc;
	struct host_exec x = { op->insn, op->type, 0, VMX_SUCCEED };
	struct vcpu *v = env->vcpu;
	struct ex_info info;
	int vec;

	memset(g, 0, sizeof(*g));
	desc.lo = op->lo;
	desc.hi = op->hi;
	x.addr = op->desc_noncanonical ? noncanonical() | (uintptr_t)&desc : (uintptr_t)&desc;

	if (op->where == IN_GUEST) {
		vcpu_set_entry(v, (void (*)(void))(op->insn == INSN_INVEPT ? guest_invept_stub
									 : guest_invvpid_stub), x.addr);
		v->regs.rsi = op->type;
		*exit_out = vmx_run_guest(v);
		outcome_got_exit(g, exit_out);
		return;
	}
	if (op->where != IN_ROOT) {
		vmclear(v->vmcs);
		v->launched = false;
	}
	if (op->where == OUTSIDE_VMX)
		vmx_off();
	vec = catch_exception(host_exec, &x, &info);
	/* the result of an instruction that completed (after an exception
	 * there is none), read before the VMCS changes; outside VMX operation
	 * there is no error field to read */
	if (vec < 0)
		g->v[FLD_INSN_ERR] = op->where == OUTSIDE_VMX && x.status == VMX_FAIL_VALID
					     ? 0xffffffffu : vmx_insn_result(x.status);
	if (op->where == OUTSIDE_VMX && vmx_on() != VMX_SUCCEED) {
		report(false, "vmxon", "VMXON again after the case outside VMX operation failed");
		test_abort();
	}
	if (op->where != IN_ROOT && vmptrld(v->vmcs) != VMX_SUCCEED) {
		report(false, "vmptrld", "VMPTRLD of the vCPU's VMCS failed");
		test_abort();
	}
	g->v[FLD_VECTOR] = vec < 0 ? VECTOR_NONE : (uint64_t)vec;
	g->v[FLD_ERROR_CODE] = vec < 0 ? 0 : info.error_code;
}

/* ---- the cases ---- */

struct inv_case {
	char id[48];
	char what[112];
	struct inv_op op;
	const char *skip;	/* a missing capability */
};

#define INV_CASES_MAX   320
#define FLUSH_CASES     (2 * 2 * 5 + 1)

struct inv_test {
	struct ept_env env;
	const char *why;		/* no environment: every case skips */
	unsigned nr;
	struct inv_case c[INV_CASES_MAX];
	/* flush cases */
	uint8_t *page_a, *page_b;
	uint64_t gpa, gla;
	struct ept other;		/* a second hierarchy over the same memory */
	struct ept decoy;		/* an empty one: its EPTP is INVEPT's target
					   when a run must not flush ours */
	struct ept_env view;		/* the environment as seen through `other` */
	struct ept_env decoy_view;
	bool caches;			/* a stale translation was seen */
	uint32_t proc2;
};

static struct inv_case *add_case(struct inv_test *t, enum inv_insn insn, uint64_t type,
				 uint64_t lo, uint64_t hi, const char *what)
{
	struct inv_case *c = &t->c[t->nr++];

	assert(t->nr <= INV_CASES_MAX);
	memset(c, 0, sizeof(*c));
	c->op.insn = insn;
	c->op.where = IN_ROOT;
	c->op.type = type;
	c->op.lo = lo;
	c->op.hi = hi;
	snprintf(c->what, sizeof(c->what), "%s", what);
	if (insn == INSN_INVVPID && !ept_cap(VPID_CAP_INVVPID))
		c->skip = "IA32_VMX_EPT_VPID_CAP bit 32 (INVVPID) = 0";
	return c;
}

static const uint64_t inv_types[] = { 0, 1, 2, 3, 4, BIT(32) | 1 };

/* EPTPs VM entry refuses (26.2.1.1), built from a valid one. */
static const struct bad_eptp {
	const char *id;
	const char *words;
	uint64_t set, clear;
	bool maxphy;		/* set bit MAXPHYADDR */
} bad_eptps[] = {
	{ "memtype1", "EPTP memory type 1", MEMTYPE_WC, EPTP_MEMTYPE_MASK, false },
	{ "memtype2", "EPTP memory type 2", 2, EPTP_MEMTYPE_MASK, false },
	{ "memtype7", "EPTP memory type 7", 7, EPTP_MEMTYPE_MASK, false },
	{ "walk1", "EPTP walk length 1", 0, EPTP_WALK_LENGTH_MASK, false },
	{ "walk3", "EPTP walk length 3", 2ull << EPTP_WALK_LENGTH_SHIFT, EPTP_WALK_LENGTH_MASK, false },
	{ "walk8", "EPTP walk length 8", 7ull << EPTP_WALK_LENGTH_SHIFT, EPTP_WALK_LENGTH_MASK, false },
	{ "ad", "EPTP A/D enable", EPTP_AD_ENABLE, 0, false },
	{ "bit7", "EPTP bit 7", BIT(7), 0, false },
	{ "bit8", "EPTP bit 8", BIT(8), 0, false },
	{ "bit11", "EPTP bit 11", BIT(11), 0, false },
	{ "bit-maxphy", "EPTP bit MAXPHYADDR", 0, 0, true },
	{ "bit51", "EPTP bit 51", BIT(51), 0, false },
	{ "bit63", "EPTP bit 63", BIT(63), 0, false },
};

static const uint64_t addresses[] = {
	0, 0x00007fffffffffffull, 0xffff800000000000ull, 0x0000800000000000ull,
	0xffff7fffffffffffull, 0x00ff000000000000ull, 0x0100000000000000ull,
	0x8000000000000000ull, 0x7fffffffffffffffull, 0xfeff000000000000ull,
};

static void build_operand_cases(struct inv_test *t, uint64_t eptp)
{
	unsigned maxphy = vmx_caps.maxphyaddr;
	struct inv_case *c;
	char what[112];

	for (unsigned i = 0; i < ARRAY_SIZE(inv_types); i++) {
		c = add_case(t, INSN_INVEPT, inv_types[i], eptp, 0, "the environment's EPTP");
		snprintf(c->id, sizeof(c->id), "invept.type%#lx", inv_types[i]);
	}
	/* 31.3 INVEPT: bits 127:64 of the descriptor are reserved but the
	 * operation does not check them (the model takes no such input) */
	c = add_case(t, INSN_INVEPT, INVEPT_SINGLE_CONTEXT, eptp, ~0ull,
		     "valid EPTP, descriptor bits 127:64 all set");
	snprintf(c->id, sizeof(c->id), "invept.single.desc-hi");
	for (unsigned i = 0; i < ARRAY_SIZE(bad_eptps); i++) {
		const struct bad_eptp *b = &bad_eptps[i];
		uint64_t e = (eptp & ~b->clear) | b->set | (b->maxphy && maxphy < 64 ? BIT(maxphy) : 0);

		snprintf(what, sizeof(what), "%s (EPTP %#lx)", b->words, e);
		c = add_case(t, INSN_INVEPT, INVEPT_SINGLE_CONTEXT, e, 0, what);
		snprintf(c->id, sizeof(c->id), "invept.single.%s", b->id);
		c = add_case(t, INSN_INVEPT, INVEPT_ALL_CONTEXT, e, 0, what);
		snprintf(c->id, sizeof(c->id), "invept.all.%s", b->id);
	}

	for (unsigned i = 0; i < ARRAY_SIZE(inv_types); i++) {
		c = add_case(t, INSN_INVVPID, inv_types[i], INVVPID_VPID, 0, "VPID 1, address 0");
		snprintf(c->id, sizeof(c->id), "invvpid.type%#lx", inv_types[i]);
	}
	for (unsigned ty = 0; ty < 4; ty++) {
		c = add_case(t, INSN_INVVPID, ty, 0, 0, "VPID 0, address 0");
		snprintf(c->id, sizeof(c->id), "invvpid.type%u.vpid0", ty);
	}
	for (unsigned ty = 0; ty < 4; ty++)
		for (unsigned b = 16; b < 64; b++) {
			snprintf(what, sizeof(what), "VPID 1, descriptor bit %u set", b);
			c = add_case(t, INSN_INVVPID, ty, INVVPID_VPID | BIT(b), 0, what);
			snprintf(c->id, sizeof(c->id), "invvpid.type%u.rsvd-bit%u", ty, b);
		}
	for (unsigned ty = 0; ty < 2; ty++)
		for (unsigned i = 0; i < ARRAY_SIZE(addresses); i++) {
			snprintf(what, sizeof(what), "VPID 1, address %#lx (linear-address width %u)",
				 addresses[i], la_width());
			c = add_case(t, INSN_INVVPID, ty, INVVPID_VPID, addresses[i], what);
			snprintf(c->id, sizeof(c->id), "invvpid.type%u.addr%u", ty, i);
		}

	/* No current VMCS: VMfail is VMfailInvalid (31.2) */
	c = add_case(t, INSN_INVEPT, 0, eptp, 0, "no current VMCS");
	snprintf(c->id, sizeof(c->id), "no-vmcs.type0");
	c->op.where = IN_ROOT_NO_VMCS;
	c = add_case(t, INSN_INVEPT, INVEPT_SINGLE_CONTEXT, eptp | EPTP_WALK_LENGTH_MASK, 0,
		     "no current VMCS, EPTP walk length 8");
	snprintf(c->id, sizeof(c->id), "no-vmcs.single.walk8");
	c->op.where = IN_ROOT_NO_VMCS;
	c = add_case(t, INSN_INVEPT, INVEPT_ALL_CONTEXT, 0, 0, "no current VMCS");
	snprintf(c->id, sizeof(c->id), "no-vmcs.all");
	c->op.where = IN_ROOT_NO_VMCS;
	c = add_case(t, INSN_INVVPID, 4, INVVPID_VPID, 0, "no current VMCS");
	snprintf(c->id, sizeof(c->id), "no-vmcs.invvpid.type4");
	c->op.where = IN_ROOT_NO_VMCS;
	c = add_case(t, INSN_INVVPID, INVVPID_SINGLE_CONTEXT, 0, 0, "no current VMCS, VPID 0");
	snprintf(c->id, sizeof(c->id), "no-vmcs.invvpid.vpid0");
	c->op.where = IN_ROOT_NO_VMCS;
}

/* Make step @s fail in @op. */
static void spoil(const struct inv_step *s, struct inv_op *op)
{
	switch (s->kind) {
	case STEP_VMX_OFF:
		op->where = OUTSIDE_VMX;
		return;
	case STEP_NON_ROOT:
		op->where = IN_GUEST;
		return;
	case STEP_DESC_READ:
		op->desc_noncanonical = true;
		return;
	case STEP_RULE:
		break;
	}
	switch (s->rule) {
	case EPT_INV_TYPE_UNSUPPORTED:
		/* INVEPT defines types 1 and 2, INVVPID 0-3 */
		op->type = op->insn == INSN_INVEPT ? 0 : 4;
		break;
	case EPT_INV_BAD_EPTP:
		op->lo |= EPTP_WALK_LENGTH_MASK;
		break;
	case EPT_INV_RSVD_DESC:
		op->lo |= BIT(16);
		break;
	case EPT_INV_VPID_ZERO:
		op->lo &= ~0xffffull;
		break;
	case EPT_INV_NONCANONICAL:
		op->hi = noncanonical();
		break;
	default:
		break;
	}
}

/*
 * One order case per step: every step from the last down to @k spoiled
 * (step k last, so that where two steps set the same thing -- outside VMX
 * operation or in the guest -- step k's condition is the one that holds).
 * The base operands pass every step: single-context INVEPT of the
 * environment's EPTP, individual-address INVVPID of VPID 1, address 0.
 */
static void build_order_cases(struct inv_test *t, uint64_t eptp)
{
	for (unsigned insn = INSN_INVEPT; insn <= INSN_INVVPID; insn++) {
		const struct inv_steps *ss = &steps_of[insn];

		for (unsigned k = 0; k < ss->n; k++) {
			struct inv_case *c = add_case(t, insn,
						      insn == INSN_INVEPT ? INVEPT_SINGLE_CONTEXT
									  : INVVPID_INDIVIDUAL_ADDR,
						      insn == INSN_INVEPT ? eptp : INVVPID_VPID, 0, "");
			unsigned len = 0;

			for (unsigned j = ss->n; j-- > k;)
				spoil(&ss->step[j], &c->op);
			snprintf(c->id, sizeof(c->id), "order.%s.%s", insn == INSN_INVEPT ? "invept" : "invvpid",
				 ss->step[k].id);
			len = snprintf(c->what, sizeof(c->what), "%s", ss->step[k].words);
			for (unsigned j = k + 1; j < ss->n && len < sizeof(c->what); j++)
				len += snprintf(c->what + len, sizeof(c->what) - len, "%s%s",
						j == k + 1 ? "; later bad too: " : ", ", ss->step[j].id);
		}
	}
}

static void inv_case(void *ctx, unsigned i)
{
	struct inv_test *t = ctx;
	const struct inv_case *c = &t->c[i];
	const struct inv_steps *ss = &steps_of[c->op.insn];
	struct outcome want, got;
	struct vmx_exit e = { 0 };
	const char *skip = t->why ? t->why : c->skip;
	char words[160];

	if (skip) {
		report_skip(c->id, c->what[0] ? c->what : NULL, "%s", skip);
		return;
	}
	/* the environment's VMCS as every case expects it */
	vmcs_write(VMCS_EPT_POINTER, t->env.ept.eptp);
	vmcs_write(VMCS_SECONDARY_PROC_CONTROLS, t->proc2);
	inv_expect(&t->env.model.caps, &c->op, &want);
	inv_run(&t->env, &c->op, &got, &e);
	snprintf(words, sizeof(words), "%s type %#lx, %s", ss->name, c->op.type, c->what);
	if (!outcome_check(c->id, words, &want, &got) && c->op.where == IN_GUEST)
		vmx_exit_report_info(&e);
}

/* ---- the new mapping is used after INVEPT (SDM 29.4.3.1) ---- */

static void set_vpid(struct inv_test *t, bool on)
{
	vmcs_write(VMCS_SECONDARY_PROC_CONTROLS, on ? t->proc2 | CPU2_ENABLE_VPID
						     : t->proc2 & ~CPU2_ENABLE_VPID);
	vmcs_write(VMCS_VPID, on ? 1 : 0);
}

/* Point the window's page at @page (the leaf of @e), RW-, with the
 * patterns A and B in the two pages. */
static void set_leaf(struct inv_test *t, struct ept *e, const uint8_t *page)
{
	uint64_t *pte = ept_entry_must(e, t->gpa, EPT_LEVEL_PTE);

	*pte = (*pte & ~BITS(51, 12)) | (uintptr_t)page;
	ept_set_perms(e, t->gpa, EPT_LEVEL_PTE, EPT_READ | EPT_WRITE);
	*(volatile uint64_t *)(t->page_a + DATA_OFFSET) = PATTERN_A;
	*(volatile uint64_t *)(t->page_b + DATA_OFFSET) = PATTERN_B;
}

/* A read through the window that leaves its translation in use (and
 * maybe cached): @view's own INVEPT first, as every ept_env_run(). */
static struct vmx_exit warm(struct ept_env *view, uint64_t gla)
{
	return ept_env_run(view, GUEST_OP_READ, gla, 0);
}

/*
 * The read of a flush case, after the case's own INVEPT: ept_case_run()
 * through a copy of @view whose EPTP is the decoy's, so the run's own
 * INVEPT (single-context) targets an EPTP no translation of the case
 * belongs to, and only the case's INVEPT covers the changed leaf.
 */
static void run_after_own_invept(struct inv_test *t, struct ept_env *view, struct ept_case *c)
{
	t->decoy_view = *view;
	t->decoy_view.ept.eptp = t->decoy.eptp;
	ept_case_run(&t->decoy_view, c);
}

static const char *cannot_discriminate(const struct inv_test *t)
{
	if (!ept_cap(EPT_CAP_INVEPT_SINGLE))
		return " (cannot discriminate: without single-context INVEPT every run flushes all EPTPs)";
	if (!t->caches)
		return " (cannot discriminate: this backend used no stale translation without INVEPT)";
	return "";
}

/*
 * The control case: does the backend ever use a stale translation?
 * Read page A through the leaf, point the leaf at page B without any
 * INVEPT of ours, read again.  Either answer is allowed (29.4.3.1): it
 * is no check, it only says what the flush checks can show.
 */
static bool stale_seen(struct inv_test *t, bool vpid)
{
	struct vmx_exit e;
	bool stale;

	set_vpid(t, vpid);
	set_leaf(t, &t->env.ept, t->page_a);
	warm(&t->env, t->gla);
	set_leaf(t, &t->env.ept, t->page_b);
	t->decoy_view = t->env;
	t->decoy_view.ept.eptp = t->decoy.eptp;
	e = ept_env_run(&t->decoy_view, GUEST_OP_READ, t->gla, 0);
	stale = e.kind == VMX_EXIT_VMEXIT && e.reason == EXIT_REASON_VMCALL && e.regs.rax == PATTERN_A;
	set_leaf(t, &t->env.ept, t->page_a);
	ept_invalidate(&t->env.ept);
	set_vpid(t, false);
	return stale;
}

static const struct flush_type {
	const char *id;
	uint64_t type, cap;
	const char *why;
} flush_types[] = {
	{ "single", INVEPT_SINGLE_CONTEXT, EPT_CAP_INVEPT_SINGLE,
	  "IA32_VMX_EPT_VPID_CAP bit 25 (single-context INVEPT) = 0" },
	{ "all", INVEPT_ALL_CONTEXT, EPT_CAP_INVEPT_ALL,
	  "IA32_VMX_EPT_VPID_CAP bit 26 (all-context INVEPT) = 0" },
};

enum flush_step {
	FLUSH_WARM_A, FLUSH_REMAP_B, FLUSH_WARM_B, FLUSH_NOT_PRESENT, FLUSH_WRITE_RO, FLUSH_STEPS
};
static const char *const flush_step_ids[FLUSH_STEPS] = {
	"warm-a", "remap-b", "warm-b", "not-present", "write-ro",
};

/* The INVEPT a flush case executes itself; its failure fails the case. */
static bool own_invept(const char *id, const char *words, uint64_t type, uint64_t eptp)
{
	enum vmx_status s = invept(type, eptp);

	if (s != VMX_SUCCEED)
		report(false, id, "%s: INVEPT failed: %s", words, vmx_status_name(s));
	return s == VMX_SUCCEED;
}

/* Case i < 20: "enable VPID" i / 10, type (i / 5) % 2, step i % 5. */
static void flush_case(struct inv_test *t, unsigned i)
{
	bool vpid = i / (2 * FLUSH_STEPS);
	const struct flush_type *ft = &flush_types[(i / FLUSH_STEPS) % 2];
	enum flush_step step = i % FLUSH_STEPS;
	struct ept_case c = { .op = GUEST_OP_READ, .gla = t->gla };
	char id[64], words[200];
	const char *skip = t->why;

	snprintf(id, sizeof(id), "flush.%s%s.%s", vpid ? "vpid." : "", ft->id, flush_step_ids[step]);
	if (!skip && !ept_cap(ft->cap))
		skip = ft->why;
	if (!skip && vpid && !vmx_has_proc2(CPU2_ENABLE_VPID))
		skip = "IA32_VMX_PROCBASED_CTLS2 bit 37 (enable VPID) = 0";
	if (skip) {
		report_skip(id, NULL, "%s", skip);
		return;
	}
	vmcs_write(VMCS_EPT_POINTER, t->env.ept.eptp);
	set_vpid(t, vpid);
	switch (step) {
	case FLUSH_WARM_A:
	case FLUSH_WARM_B:
		set_leaf(t, &t->env.ept, step == FLUSH_WARM_A ? t->page_a : t->page_b);
		snprintf(words, sizeof(words), "%sread, PTE RW- -> page %c", vpid ? "VPID 1, " : "",
			 step == FLUSH_WARM_A ? 'A' : 'B');
		c.host = (volatile uint64_t *)((step == FLUSH_WARM_A ? t->page_a : t->page_b) + DATA_OFFSET);
		ept_case_begin(&t->env, t->gla);
		ept_case(&t->env, id, words, &c);
		break;
	case FLUSH_REMAP_B:
	case FLUSH_NOT_PRESENT:
	case FLUSH_WRITE_RO:
		/* in use: page A (remap) or B, for a read (a write for write-ro) */
		set_leaf(t, &t->env.ept, step == FLUSH_REMAP_B ? t->page_a : t->page_b);
		if (step == FLUSH_WRITE_RO) {
			c.op = GUEST_OP_WRITE;
			ept_env_run(&t->env, GUEST_OP_WRITE, t->gla, PATTERN_B);
		} else {
			warm(&t->env, t->gla);
		}
		if (step == FLUSH_REMAP_B) {
			set_leaf(t, &t->env.ept, t->page_b);
			snprintf(words, sizeof(words), "%sPTE changed to page B, INVEPT %s-context, read%s",
				 vpid ? "VPID 1, " : "", ft->id, cannot_discriminate(t));
		} else {
			ept_set_perms(&t->env.ept, t->gpa, EPT_LEVEL_PTE,
				      step == FLUSH_WRITE_RO ? EPT_READ : 0);
			snprintf(words, sizeof(words), "%sPTE changed RW- -> %s, INVEPT %s-context, %s%s",
				 vpid ? "VPID 1, " : "", step == FLUSH_WRITE_RO ? "R--" : "---", ft->id,
				 step == FLUSH_WRITE_RO ? "write" : "read", cannot_discriminate(t));
		}
		if (!own_invept(id, words, ft->type, t->env.ept.eptp))
			break;
		c.host = (volatile uint64_t *)(t->page_b + DATA_OFFSET);
		ept_case_begin(&t->env, t->gla);
		ept_case_expect(&t->env, &c);
		run_after_own_invept(t, &t->env, &c);
		ept_case_check(id, words, &c);
		break;
	default:
		break;
	}
	set_leaf(t, &t->env.ept, t->page_a);
	set_vpid(t, false);
}

/*
 * INVEPT single-context of an EPTP that is not the one in the current
 * VMCS: it invalidates the mappings of that EPTP all the same (31.3
 * INVEPT: "mappings associated with EPTP[51:12]").  The guest reads
 * through `other`, the VMCS goes back to the environment's EPTP, the
 * leaf of `other` changes, INVEPT of other's EPTP, the guest reads
 * through `other` again.
 */
static void other_eptp_case(struct inv_test *t)
{
	const char *id = "flush.other-eptp.remap-b";
	struct ept_case c = { .op = GUEST_OP_READ, .gla = t->gla };
	const char *skip = t->why;
	char words[200];

	if (!skip && !ept_cap(EPT_CAP_INVEPT_SINGLE))
		skip = flush_types[0].why;
	if (skip) {
		report_skip(id, NULL, "%s", skip);
		return;
	}
	set_vpid(t, false);
	vmcs_write(VMCS_EPT_POINTER, t->other.eptp);
	set_leaf(t, &t->other, t->page_a);
	warm(&t->view, t->gla);
	vmcs_write(VMCS_EPT_POINTER, t->env.ept.eptp);
	set_leaf(t, &t->other, t->page_b);
	snprintf(words, sizeof(words), "another EPTP's PTE changed to page B, INVEPT single-context "
		 "of it while the VMCS holds the environment's, read through it%s",
		 cannot_discriminate(t));
	if (own_invept(id, words, INVEPT_SINGLE_CONTEXT, t->other.eptp)) {
		vmcs_write(VMCS_EPT_POINTER, t->other.eptp);
		c.host = (volatile uint64_t *)(t->page_b + DATA_OFFSET);
		ept_case_begin(&t->view, t->gla);
		ept_case_expect(&t->view, &c);
		run_after_own_invept(t, &t->view, &c);
		ept_case_check(id, words, &c);
	}
	vmcs_write(VMCS_EPT_POINTER, t->env.ept.eptp);
	set_leaf(t, &t->other, t->page_a);
}

static void flush_or_other(void *ctx, unsigned i)
{
	if (i < FLUSH_CASES - 1)
		flush_case(ctx, i);
	else
		other_eptp_case(ctx);
}

static void flush_setup(struct inv_test *t)
{
	struct ept_env *env = &t->env;

	t->page_a = alloc_page();
	t->page_b = alloc_page();
	t->gla = ept_env_map(env, (uintptr_t)t->page_a, PAGE_4K, EPT_READ | EPT_WRITE | EPT_WB,
			     PAGE_4K, PTE_WRITE) + DATA_OFFSET;
	t->gpa = ept_env_gpa(env, (uintptr_t)t->page_a) + DATA_OFFSET;

	ept_init(&t->decoy, env->ept.levels, MEMTYPE_WB, false);
	/* `other`: the same memory, its own tables, the window's page */
	ept_init(&t->other, env->ept.levels, MEMTYPE_WB, false);
	ept_map_identity(&t->other, EPT_RWX_MASK | EPT_WB);
	ept_map(&t->other, t->gpa & ~0xfffull, (uintptr_t)t->page_a, PAGE_4K,
		EPT_READ | EPT_WRITE | EPT_WB);
	t->view = *env;
	t->view.ept = t->other;
	t->view.model.eptp = t->other.eptp;

	t->caches = stale_seen(t, false);
	if (vmx_has_proc2(CPU2_ENABLE_VPID))
		t->caches |= stale_seen(t, true);
	printf("# backend caches EPT translations: %s\n", t->caches ? "yes" : "no");
}

static void ept_invept(void)
{
	static struct inv_test t;
	struct ept_env_config cfg = { 0 };
	uint64_t eptp = 0;

	memset(&t, 0, sizeof(t));
	if (ept_env_init(&t.env, &cfg, &t.why)) {
		t.why = NULL;
		t.proc2 = (uint32_t)vmcs_read(VMCS_SECONDARY_PROC_CONTROLS);
		eptp = t.env.ept.eptp;
		printf("# IA32_VMX_EPT_VPID_CAP %#lx, linear-address width %u\n", vmx_caps.ept_vpid,
		       la_width());
		flush_setup(&t);
	}
	build_operand_cases(&t, eptp);
	build_order_cases(&t, eptp);

	report_prefix_push("ept.inv");
	cases_run(t.nr, inv_case, &t);
	cases_run(FLUSH_CASES, flush_or_other, &t);
	report_prefix_pop();
	if (!t.why)
		ept_env_exit(&t.env);
}

TEST("ept_invept", ept_invept);
