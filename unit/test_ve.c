/*
 * Cases for lib/x86/ve_model.c: when a convertible EPT violation becomes
 * a #VE (SDM 26.5.7.1), the information area it writes (Table 26-1), the
 * #VE exception exit, VMFUNC EPTP switching (26.5.6.3) and the VM-entry
 * checks of the #VE and VM-function controls (26.2.1.1).
 */
#include "ept_fixture.h"
#include "../lib/x86/ve_model.h"

/* A violation the EPT model produced: a write to a read-only 4K leaf with
 * a valid GLA, convertible as asked. */
static struct ept_outcome violation(bool convertible, bool gla_valid)
{
	struct ept_outcome o;

	memset(&o, 0, sizeof(o));
	o.kind = EPT_OUTCOME_VIOLATION;
	o.violation.qual = QW | RD | (gla_valid ? GV | TA : 0);
	o.violation.qual_mask = MASK_STD;
	o.violation.gpa = GPA_T;
	o.violation.gpa_mask = ~0ull;
	o.violation.gla = gla_valid ? GLA_T : 0;
	o.violation.gla_valid = gla_valid;
	o.violation.ve_convertible = convertible;
	return o;
}

static const struct ve_row {
	const char *name, *sdm;
	bool convertible, pe, evd, gla_valid;
	uint32_t busy;
	enum ve_result want;
} ve_rows[] = {
	{ "ve.delivered", "SDM 26.5.7.1: convertible, PE = 1, no delivery, busy 0 -> #VE",
	  true, true, false, true, 0, VE_DELIVERED },
	{ "ve.not-convertible", "SDM 26.5.7.1: not convertible -> VM exit",
	  false, true, false, true, 0, VE_VM_EXIT },
	{ "ve.pe0", "SDM 26.5.7.1: CR0.PE = 0 -> VM exit", true, false, false, true, 0, VE_VM_EXIT },
	{ "ve.event-delivery", "SDM 26.5.7.1: during event delivery -> VM exit",
	  true, true, true, true, 0, VE_VM_EXIT },
	{ "ve.busy", "SDM 26.5.7.1: busy word FFFFFFFFH -> VM exit",
	  true, true, false, true, VE_BUSY, VE_VM_EXIT },
	{ "ve.busy-1", "SDM 26.5.7.1: the 32 bits at offset 4 must be all 0",
	  true, true, false, true, 1, VE_VM_EXIT },
	{ "ve.busy-top", "SDM 26.5.7.1: the 32 bits at offset 4 must be all 0",
	  true, true, false, true, 0x80000000u, VE_VM_EXIT },
	{ "ve.no-gla", "SDM Table 26-1: GLA as the exit would save it (undefined when bit 7 = 0)",
	  true, true, false, false, 0, VE_DELIVERED },
};

static void ve_row(const void *arg)
{
	const struct ve_row *r = arg;
	struct ept_outcome o = violation(r->convertible, r->gla_valid);
	struct ve_conditions c = { r->pe, r->evd, r->busy, 0x1234 };
	struct ve_area a;

	memset(&a, 0x5a, sizeof(a));
	expect_eq("result", ve_decide(&o, &c, &a), r->want);
	if (r->want == VE_DELIVERED) {
		expect_eq("exit reason word", a.exit_reason, EXIT_REASON_EPT_VIOLATION);
		expect_eq("busy word", a.busy, 0xffffffffu);
		expect_masked("qualification", a.qual, o.violation.qual, a.qual_mask);
		expect_eq("qualification mask", a.qual_mask, MASK_STD);
		expect_eq("gpa", a.gpa, GPA_T);
		expect_eq("gpa mask", a.gpa_mask, ~0ull);
		expect_eq("gla mask", a.gla_mask, r->gla_valid ? ~0ull : 0);
		if (r->gla_valid)
			expect_eq("gla", a.gla, GLA_T);
		expect_eq("eptp index", a.eptp_index, 0x1234);
	} else {
		expect_eq("area untouched", a.busy, 0x5a5a5a5au);
	}
}

UNIT(ve_not_violation, "ve.translation", "SDM 26.5.7.1: only EPT violations convert")
{
	struct ept_outcome o;
	struct ve_conditions c = { true, false, 0, 0 };
	struct ve_area a;

	memset(&o, 0, sizeof(o));
	o.kind = EPT_OUTCOME_MISCONFIG;
	expect_eq("misconfiguration", ve_decide(&o, &c, &a), VE_NOT_VIOLATION);
	o.kind = EPT_OUTCOME_TRANSLATION;
	expect_eq("translation", ve_decide(&o, &c, &a), VE_NOT_VIOLATION);
	expect_true("name", ve_result_name(VE_DELIVERED)[0] == '#');
}

UNIT(ve_intr_info, "ve.exit-intr-info", "SDM 26.5.7.3: #VE exit: vector 20, hardware exception, no error code")
{
	expect_eq("interruption info", ve_exit_intr_info(), 0x80000314u);
}

/* Through the EPT model: the entry whose bit 63 decides. */
UNIT(ve_model_sve, "ve.model.suppress", "SDM 26.5.7.1: bit 63 of the leaf (or of the not-present entry)")
{
	static struct hostmem h;
	struct ept_model m;
	struct ept_outcome o;
	struct ept_access a = { .gpa = GPA_T, .kind = EPT_ACCESS_WRITE, .gla = GLA_T, .gla_valid = true };
	struct ve_conditions c = { true, false, 0, 3 };
	struct ve_area area;
	uint64_t ov[6] = { 0 }, hpas[6];

	profile(P_VE, &m, &h);
	ov[2] = EPT_READ | EPT_SUPPRESS_VE;	/* PDE restricts, bit 63 set there */
	build_walk(&h, &m, a.gpa, 1, 1u << 2, ov, hpas);
	ept_model_access(&m, &a, &o);
	expect_eq("PDE bit 63 does not suppress a permission violation",
		  ve_decide(&o, &c, &area), VE_DELIVERED);
	expect_eq("eptp index", area.eptp_index, 3);
	ov[1] = EPT_READ | WB | EPT_SUPPRESS_VE;
	build_walk(&h, &m, a.gpa, 1, 1u << 1, ov, hpas);
	ept_model_access(&m, &a, &o);
	expect_eq("leaf bit 63 suppresses", ve_decide(&o, &c, &area), VE_VM_EXIT);
	ov[2] = EPT_SUPPRESS_VE;		/* not-present PDE with bit 63 */
	build_walk(&h, &m, a.gpa, 1, 1u << 2, ov, hpas);
	ept_model_access(&m, &a, &o);
	expect_eq("not-present entry bit 63 suppresses", ve_decide(&o, &c, &area), VE_VM_EXIT);
	ov[2] = 0;
	build_walk(&h, &m, a.gpa, 1, 1u << 2, ov, hpas);
	ept_model_access(&m, &a, &o);
	expect_eq("not-present entry, bit 63 clear", ve_decide(&o, &c, &area), VE_DELIVERED);
	m.ctl.ve = false;
	ept_model_access(&m, &a, &o);
	expect_eq("control off", ve_decide(&o, &c, &area), VE_VM_EXIT);
}

/* ---- VMFUNC ---- */
#define GOOD_EPTP (EPTP_4L | 0x5000)

static const struct vmfunc_row {
	const char *name, *sdm;
	bool enable;
	uint64_t ctls, eax, ecx, entry;
	bool ve;
	enum vmfunc_result want;
	enum vmfunc_rule rule;
} vmfunc_rows[] = {
	{ "vmfunc.disabled", "VMFUNC #UD: enable VM functions = 0", false, 1, 0, 0, GOOD_EPTP, true,
	  VMFUNC_UD, VMFUNC_RULE_DISABLED },
	{ "vmfunc.leaf-off", "SDM 26.5.6: control bit EAX = 0 -> VM exit", true, 0, 0, 0, GOOD_EPTP, true,
	  VMFUNC_VM_EXIT, VMFUNC_RULE_LEAF },
	{ "vmfunc.leaf1", "SDM 26.5.6: control bit EAX = 0 -> VM exit", true, 1, 1, 0, GOOD_EPTP, true,
	  VMFUNC_VM_EXIT, VMFUNC_RULE_LEAF },
	{ "vmfunc.leaf64", "VMFUNC: #UD if EAX >= 64", true, ~0ull, 64, 0, GOOD_EPTP, true,
	  VMFUNC_UD, VMFUNC_RULE_EAX_RANGE },
	{ "vmfunc.leaf63", "SDM 26.5.6: EAX 63 with its control bit 0 -> VM exit", true, 1, 63, 0,
	  GOOD_EPTP, true, VMFUNC_VM_EXIT, VMFUNC_RULE_LEAF },
	{ "vmfunc.leaf-rax-high", "VMFUNC: the function is EAX, RAX bits 63:32 ignored", true, 1,
	  1ull << 32, 0, GOOD_EPTP, true, VMFUNC_SWITCHED, VMFUNC_OK },
	{ "vmfunc.index512", "SDM 26.5.6.3: ECX >= 512 -> VM exit", true, 1, 0, 512, GOOD_EPTP, true,
	  VMFUNC_VM_EXIT, VMFUNC_RULE_INDEX },
	{ "vmfunc.index-high", "SDM 26.5.6.3: the index is ECX, RCX bits 63:32 ignored", true, 1, 0,
	  (1ull << 32) | 3, GOOD_EPTP, true, VMFUNC_SWITCHED, VMFUNC_OK },
	{ "vmfunc.index-ecx-high", "SDM 26.5.6.3: ECX >= 512 -> VM exit", true, 1, 0,
	  0x80000000ull, GOOD_EPTP, true, VMFUNC_VM_EXIT, VMFUNC_RULE_INDEX },
	{ "vmfunc.index511", "SDM 26.5.6.3: ECX 511 is in the list", true, 1, 0, 511, GOOD_EPTP, true,
	  VMFUNC_SWITCHED, VMFUNC_OK },
	{ "vmfunc.bad-memtype", "SDM 26.5.6.3: list entry must pass 26.2.1.1", true, 1, 0, 1,
	  (GOOD_EPTP & ~7ull) | 1, true, VMFUNC_VM_EXIT, VMFUNC_RULE_BAD_EPTP },
	{ "vmfunc.bad-walk", "SDM 26.5.6.3: list entry must pass 26.2.1.1", true, 1, 0, 1,
	  MEMTYPE_WB | (1ull << EPTP_WALK_LENGTH_SHIFT) | 0x5000, true, VMFUNC_VM_EXIT, VMFUNC_RULE_BAD_EPTP },
	{ "vmfunc.bad-rsvd", "SDM 26.5.6.3: list entry must pass 26.2.1.1", true, 1, 0, 1,
	  GOOD_EPTP | BIT(8), true, VMFUNC_VM_EXIT, VMFUNC_RULE_BAD_EPTP },
	{ "vmfunc.bad-phys", "SDM 26.5.6.3: list entry must pass 26.2.1.1", true, 1, 0, 1,
	  GOOD_EPTP | BIT(46), true, VMFUNC_VM_EXIT, VMFUNC_RULE_BAD_EPTP },
	{ "vmfunc.zero-entry", "SDM 26.5.6.3: an empty list entry fails 26.2.1.1", true, 1, 0, 2,
	  0, true, VMFUNC_VM_EXIT, VMFUNC_RULE_BAD_EPTP },
	{ "vmfunc.switch", "SDM 26.5.6.3: EPTP and index loaded", true, 1, 0, 7, GOOD_EPTP, true,
	  VMFUNC_SWITCHED, VMFUNC_OK },
	{ "vmfunc.switch-no-ve", "SDM 26.5.6.3: index written only with #VE support", true, 1, 0, 7,
	  GOOD_EPTP, false, VMFUNC_SWITCHED, VMFUNC_OK },
};

static void vmfunc_row(const void *arg)
{
	const struct vmfunc_row *r = arg;
	struct ept_caps caps = caps_std();
	struct vmfunc_facts f = { r->enable, r->ctls, r->eax, r->ecx, r->entry, r->ve };
	struct vmfunc_expect x;

	expect_eq("result", vmfunc_expect(&caps, &f, &x), r->want);
	expect_eq("rule", x.rule, r->rule);
	if (r->want == VMFUNC_SWITCHED) {
		expect_eq("new eptp", x.eptp, r->entry);
		expect_eq("index written", x.index_written, r->ve);
		expect_eq("index", x.eptp_index, r->ve ? (uint16_t)r->ecx : 0);
	} else {
		expect_eq("nothing written", x.index_written, 0);
	}
	expect_true("rule name", vmfunc_rule_name(x.rule)[0] != '?');
}

/* ---- VM-entry checks ---- */
static const struct entry_row {
	const char *name, *sdm;
	uint32_t proc2;
	uint64_t ve_addr, ctls, allowed, list;
	enum ve_entry_rule want;
} entry_rows[] = {
	{ "ve-entry.ok", "SDM 26.2.1.1: aligned #VE address", CPU2_EPT_VIOLATION_VE, 0x3000, 0, 1, 0,
	  VE_ENTRY_OK },
	{ "ve-entry.addr-bit0", "SDM 26.2.1.1: #VE address bits 11:0", CPU2_EPT_VIOLATION_VE, 0x3001,
	  0, 1, 0, VE_ENTRY_VE_ADDR },
	{ "ve-entry.addr-bit11", "SDM 26.2.1.1: #VE address bits 11:0", CPU2_EPT_VIOLATION_VE, 0x3800,
	  0, 1, 0, VE_ENTRY_VE_ADDR },
	{ "ve-entry.addr-phys", "SDM 26.2.1.1: #VE address beyond MAXPHYADDR", CPU2_EPT_VIOLATION_VE,
	  BIT(46) | 0x3000, 0, 1, 0, VE_ENTRY_VE_ADDR },
	{ "ve-entry.addr-phys-ok", "SDM 26.2.1.1: bit N-1 is an address bit", CPU2_EPT_VIOLATION_VE,
	  BIT(45), 0, 1, 0, VE_ENTRY_OK },
	{ "ve-entry.off", "SDM 26.2.1.1: address unchecked with the control 0", 0, 0x3001, 0, 1, 0,
	  VE_ENTRY_OK },
	{ "vmfunc-entry.rsvd", "SDM 26.2.1.1: VM-function control not in IA32_VMX_VMFUNC",
	  CPU2_ENABLE_VMFUNC, 0, BIT(1), 1, 0x4000, VE_ENTRY_VMFUNC_RESERVED },
	{ "vmfunc-entry.rsvd-off", "SDM 26.2.1.1: VM-function controls unchecked without enable VM functions",
	  0, 0, BIT(1), 1, 0x4000, VE_ENTRY_OK },
	{ "vmfunc-entry.list-ok", "SDM 26.2.1.1: aligned EPTP-list address", CPU2_ENABLE_VMFUNC, 0, 1, 1,
	  0x4000, VE_ENTRY_OK },
	{ "vmfunc-entry.list-bit0", "SDM 26.2.1.1: EPTP-list address bits 11:0", CPU2_ENABLE_VMFUNC, 0,
	  1, 1, 0x4001, VE_ENTRY_EPTP_LIST_ADDR },
	{ "vmfunc-entry.list-bit11", "SDM 26.2.1.1: EPTP-list address bits 11:0", CPU2_ENABLE_VMFUNC, 0,
	  1, 1, 0x4800, VE_ENTRY_EPTP_LIST_ADDR },
	{ "vmfunc-entry.list-phys", "SDM 26.2.1.1: EPTP-list address beyond MAXPHYADDR",
	  CPU2_ENABLE_VMFUNC, 0, 1, 1, BIT(46), VE_ENTRY_EPTP_LIST_ADDR },
	{ "vmfunc-entry.list-unused", "SDM 26.2.1.1: list address checked only with EPTP switching",
	  CPU2_ENABLE_VMFUNC, 0, 0, 1, 0x4001, VE_ENTRY_OK },
};

static void entry_row(const void *arg)
{
	const struct entry_row *r = arg;
	struct ept_caps caps = caps_std();
	struct ve_entry_facts f = { r->proc2, r->ve_addr, r->ctls, r->allowed, r->list };
	enum ve_entry_rule got = ve_entry_check(&caps, &f);

	expect_eq("rule", got, r->want);
	expect_eq("VM-instruction error", ve_entry_expected_error(got),
		  r->want ? VMXERR_ENTRY_INVALID_CONTROL : 0);
	expect_true("rule name", ve_entry_rule_name(got)[0] != '?');
}

__attribute__((constructor)) static void reg_ve(void)
{
	unsigned i;

	for (i = 0; i < sizeof(ve_rows) / sizeof(ve_rows[0]); i++)
		unit_register(ve_rows[i].name, ve_rows[i].sdm, ve_row, &ve_rows[i]);
	for (i = 0; i < sizeof(vmfunc_rows) / sizeof(vmfunc_rows[0]); i++)
		unit_register(vmfunc_rows[i].name, vmfunc_rows[i].sdm, vmfunc_row, &vmfunc_rows[i]);
	for (i = 0; i < sizeof(entry_rows) / sizeof(entry_rows[0]); i++)
		unit_register(entry_rows[i].name, entry_rows[i].sdm, entry_row, &entry_rows[i]);
}
