/*
 * INVEPT / INVVPID step order (SDM 31.3 Operation sections): for every
 * step that can fail, a case where it fails while every later step's
 * operands are bad too, so only the SDM's order gives the expected result.
 */
#include "ept_fixture.h"

#define BAD_EPTP   (MEMTYPE_WT | (1 << 3))          /* bad memtype and walk */
#define GOOD_EPTP  (EPTP_4L | 0x5000)

struct step_row {
	const char *name;
	bool invvpid;
	unsigned fail_from;     /* first failing step: it and all later ones bad */
	bool no_vmcs;
	enum ept_inv_step want_step;
	enum ept_inv_result want;
	enum ept_inv_rule want_rule;
};

static void facts_for(const struct step_row *r, struct ept_inv_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->invvpid = r->invvpid;
	f->no_current_vmcs = r->no_vmcs;
	f->unsupported = r->fail_from <= EPT_INV_STEP_UD_UNSUPPORTED;
	f->not_vmx_mode = r->fail_from <= EPT_INV_STEP_UD_MODE;
	f->non_root = r->fail_from <= EPT_INV_STEP_VMEXIT;
	f->cpl = r->fail_from <= EPT_INV_STEP_GP_CPL ? 3 : 0;
	f->desc_fault = r->fail_from <= EPT_INV_STEP_DESC_READ;
	if (r->invvpid) {
		f->type = r->fail_from <= EPT_INV_STEP_TYPE ? 7 : INVVPID_INDIVIDUAL_ADDR;
		/* descriptor bad on every count: 63:16, VPID 0, non-canonical */
		f->desc_lo = r->fail_from <= EPT_INV_STEP_DESC ? BIT(20) : 1;
		f->desc_hi = r->fail_from <= EPT_INV_STEP_DESC ? 0x0000800000000000ull : 0x1000;
	} else {
		f->type = r->fail_from <= EPT_INV_STEP_TYPE ? 0 : INVEPT_SINGLE_CONTEXT;
		f->desc_lo = r->fail_from <= EPT_INV_STEP_DESC ? BAD_EPTP : GOOD_EPTP;
	}
	f->la_width = 48;
}

#define S(x) EPT_INV_STEP_##x
#define RES(x) EPT_INV_RES_##x
static const struct step_row step_rows[] = {
	{ "inv.step.invept.ud-unsupported", false, S(UD_UNSUPPORTED), false, S(UD_UNSUPPORTED), RES(UD), EPT_INV_OK },
	{ "inv.step.invept.ud-mode", false, S(UD_MODE), false, S(UD_MODE), RES(UD), EPT_INV_OK },
	{ "inv.step.invept.vmexit", false, S(VMEXIT), false, S(VMEXIT), RES(VMEXIT), EPT_INV_OK },
	{ "inv.step.invept.gp-cpl", false, S(GP_CPL), false, S(GP_CPL), RES(GP), EPT_INV_OK },
	{ "inv.step.invept.gp-cpl-no-vmcs", false, S(GP_CPL), true, S(GP_CPL), RES(GP), EPT_INV_OK },
	{ "inv.step.invept.type", false, S(TYPE), false, S(TYPE), RES(VMFAIL_VALID), EPT_INV_TYPE_UNSUPPORTED },
	{ "inv.step.invept.type-no-vmcs", false, S(TYPE), true, S(TYPE), RES(VMFAIL_INVALID), EPT_INV_TYPE_UNSUPPORTED },
	{ "inv.step.invept.desc-read", false, S(DESC_READ), false, S(DESC_READ), RES(GP), EPT_INV_OK },
	{ "inv.step.invept.desc-read-no-vmcs", false, S(DESC_READ), true, S(DESC_READ), RES(GP), EPT_INV_OK },
	{ "inv.step.invept.desc", false, S(DESC), false, S(DESC), RES(VMFAIL_VALID), EPT_INV_BAD_EPTP },
	{ "inv.step.invept.desc-no-vmcs", false, S(DESC), true, S(DESC), RES(VMFAIL_INVALID), EPT_INV_BAD_EPTP },
	{ "inv.step.invept.succeed", false, S(NR), false, S(SUCCEED), RES(SUCCEED), EPT_INV_OK },
	{ "inv.step.invept.succeed-no-vmcs", false, S(NR), true, S(SUCCEED), RES(SUCCEED), EPT_INV_OK },
	{ "inv.step.invvpid.ud-unsupported", true, S(UD_UNSUPPORTED), false, S(UD_UNSUPPORTED), RES(UD), EPT_INV_OK },
	{ "inv.step.invvpid.ud-mode", true, S(UD_MODE), true, S(UD_MODE), RES(UD), EPT_INV_OK },
	{ "inv.step.invvpid.vmexit", true, S(VMEXIT), false, S(VMEXIT), RES(VMEXIT), EPT_INV_OK },
	{ "inv.step.invvpid.gp-cpl", true, S(GP_CPL), false, S(GP_CPL), RES(GP), EPT_INV_OK },
	{ "inv.step.invvpid.type", true, S(TYPE), false, S(TYPE), RES(VMFAIL_VALID), EPT_INV_TYPE_UNSUPPORTED },
	{ "inv.step.invvpid.type-no-vmcs", true, S(TYPE), true, S(TYPE), RES(VMFAIL_INVALID), EPT_INV_TYPE_UNSUPPORTED },
	{ "inv.step.invvpid.desc-read", true, S(DESC_READ), false, S(DESC_READ), RES(GP), EPT_INV_OK },
	{ "inv.step.invvpid.desc", true, S(DESC), false, S(DESC), RES(VMFAIL_VALID), EPT_INV_RSVD_DESC },
	{ "inv.step.invvpid.desc-no-vmcs", true, S(DESC), true, S(DESC), RES(VMFAIL_INVALID), EPT_INV_RSVD_DESC },
	{ "inv.step.invvpid.succeed", true, S(NR), false, S(SUCCEED), RES(SUCCEED), EPT_INV_OK },
	{ "inv.step.invvpid.succeed-no-vmcs", true, S(NR), true, S(SUCCEED), RES(SUCCEED), EPT_INV_OK },
};

static void run_step(const void *arg)
{
	const struct step_row *r = arg;
	struct ept_caps c = caps_std();
	struct ept_inv_facts f;
	struct ept_inv_expect e;

	facts_for(r, &f);
	expect_eq("result (returned)", ept_inv_expect(&c, &f, &e), r->want);
	expect_eq("first failing step", e.step, r->want_step);
	expect_eq("result", e.result, r->want);
	expect_eq("operand rule", e.rule, r->want_rule);
	expect_eq("VM-instruction error", e.vm_insn_error, r->want == RES(VMFAIL_VALID) ? 28 : 0);
}

UNIT(inv_step_table, "inv.steps.order",
     "SDM 31.3: #UD, #UD, VM exit, #GP, type, descriptor read, descriptor, VMsucceed")
{
	static const char *const names[] = {
		"ud-unsupported", "ud-mode", "vmexit", "gp-cpl", "type", "desc-read", "descriptor",
		"succeed",
	};
	unsigned i;

	for (i = 0; i < EPT_INV_STEP_NR; i++) {
		expect_eq("step i at index i", ept_inv_steps[i].step, i);
		expect_eq("name", strcmp(ept_inv_steps[i].name, names[i]), 0);
		expect_eq("cites the SDM", ept_inv_steps[i].sdm[0], 'S');
	}
}

UNIT(inv_supported, "inv.supported.cap-bits", "SDM A.10: INVEPT bit 20, INVVPID bit 32")
{
	struct ept_caps c = ept_caps_from_msrs(EPT_CAP_INVEPT, 0, 46);
	expect_eq("invept", ept_inv_insn_supported(&c, false), 1);
	expect_eq("invvpid", ept_inv_insn_supported(&c, true), 0);
	c = ept_caps_from_msrs(VPID_CAP_INVVPID, 0, 46);
	expect_eq("invept off", ept_inv_insn_supported(&c, false), 0);
	expect_eq("invvpid on", ept_inv_insn_supported(&c, true), 1);
}

/* Within the descriptor step, the INVVPID checks keep their own order. */
UNIT(inv_vpid_desc_order, "inv.step.invvpid.desc-order", "SDM 31.3 INVVPID: 63:16, then VPID 0, then canonical")
{
	struct ept_caps c = caps_std();
	struct ept_inv_facts f = { .invvpid = true, .type = INVVPID_INDIVIDUAL_ADDR,
				   .desc_lo = 0, .desc_hi = 0x0000800000000000ull };
	struct ept_inv_expect e;

	ept_inv_expect(&c, &f, &e);
	expect_eq("VPID 0 before canonical", e.rule, EPT_INV_VPID_ZERO);
	f.desc_lo = 1;
	ept_inv_expect(&c, &f, &e);
	expect_eq("then canonical", e.rule, EPT_INV_NONCANONICAL);
	f.la_width = 57;
	ept_inv_expect(&c, &f, &e);
	expect_eq("57-bit width accepts it", e.result, EPT_INV_RES_SUCCEED);
	expect_eq("result name", ept_inv_result_name(EPT_INV_RES_VMFAIL_INVALID)[6], 'I');
}

__attribute__((constructor)) static void reg_steps(void)
{
	unsigned i;
	for (i = 0; i < sizeof(step_rows) / sizeof(step_rows[0]); i++)
		unit_register(step_rows[i].name, "SDM 31.3: INVEPT/INVVPID Operation order",
			      run_step, &step_rows[i]);
}
