/*
 * vmx_eptp: the VM-entry checks of SDM 26.2.1.1 that concern EPT.
 *
 *  - The EPTP (format: 25.6.11, Table 25-9), with "enable EPT" = 1: every
 *    memory type 0-7, every walk-length value 0-7, the A/D enable without
 *    (and with) IA32_VMX_EPT_VPID_CAP bit 21, each of bits 11:7 (bit 7 is
 *    the supervisor shadow-stack enable where bit 23 reports it), each
 *    bit 63:MAXPHYADDR.  Expected: ept_eptp_check() (the reference model).
 *  - The controls that need "enable EPT" (lib/x86/vmentry_model.h lists
 *    them with the SDM sentences): each enabled with EPT off, and, to show
 *    the rest of the setup is valid, the same with EPT on.  "EPT-violation
 *    #VE" is the control that looks related and is not on the list.
 *
 * A failed check is VMfailValid with VM-instruction error 7 ("VM entry
 * with invalid control field(s)", 31.4); a passed one enters the guest,
 * whose first instruction is VMCALL (exit 18).
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/processor.h"
#include "x86/vmentry_model.h"

static void guest_vmcall_now(void)
{
	guest_vmcall(GUEST_CALL_DONE, 0);
}

/*
 * One VM entry and how it ended, compared whole: with @error = 0 the
 * entry succeeds and the guest's first instruction, VMCALL, exits (exit
 * reason 18, neither caused by nor during event delivery: VM-exit
 * interruption and IDT-vectoring information not valid, SDM 28.2.2,
 * 28.2.4); otherwise VMfailValid with VM-instruction error
 * @error (insn_err).
 */
static void entry_case(struct vcpu *v, const char *id, unsigned error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void entry_case(struct vcpu *v, const char *id, unsigned error, const char *fmt, ...)
{
	struct outcome want = { 0 }, got = { 0 };
	char words[160];
	struct vmx_exit e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(words, sizeof(words), fmt, ap);
	va_end(ap);
	if (error) {
		outcome_set(&want, FLD_INSN_ERR, error, 0xffffffffu);
		snprintf(want.describe, sizeof(want.describe), "VMfailValid, error %u", error);
	} else {
		outcome_set(&want, FLD_REASON, EXIT_REASON_VMCALL, 0xffffffffu);
		outcome_set(&want, FLD_IDT_VEC, 0, INTR_INFO_VALID);
		outcome_set(&want, FLD_VECTOR, 0, INTR_INFO_VALID);
		snprintf(want.describe, sizeof(want.describe), "enters, guest VMCALLs (exit 18)");
	}
	vcpu_set_entry(v, guest_vmcall_now, 0);
	e = vmx_run_guest(v);
	outcome_got_exit(&got, &e);
	if (!outcome_check(id, words, &want, &got))
		vmx_exit_report_info(&e);
}

/* The EPTP cases: a table built once, then run in any order. */
#define EPTP_CASES_MAX  (1 + 8 + 8 + 1 + 5 + 64)

struct eptp_case {
	char id[16];
	char what[96];
	uint64_t eptp;
};

struct eptp_test {
	struct ept_env env;
	const char *why;	/* the environment is missing: every case skips */
	uint64_t proc2;		/* the environment's secondary controls */
	struct ept ept5;	/* a 5-level hierarchy for walk length 5 */
	bool have_ept5;
	unsigned nr;
	struct eptp_case c[EPTP_CASES_MAX];
	uint64_t *pml_log, *sppt, *eptp_list, *ve_info;
};

/* ---------------- EPTP ---------------- */

static void eptp_case(void *ctx, unsigned i)
{
	struct eptp_test *t = ctx;
	const struct eptp_case *c = &t->c[i];
	enum ept_eptp_rule rule;

	if (t->why) {
		report_skip(c->id, NULL, "%s", t->why);
		return;
	}
	rule = ept_eptp_check(&t->env.model.caps, c->eptp);
	vmcs_write(VMCS_SECONDARY_PROC_CONTROLS, t->proc2);
	vmcs_write(VMCS_EPT_POINTER, c->eptp);
	entry_case(t->env.vcpu, c->id, rule == EPT_EPTP_OK ? 0 : VMXERR_ENTRY_INVALID_CONTROL,
		   "EPTP %#lx (%s): %s", c->eptp, c->what, ept_eptp_rule_name(rule));
	vmcs_write(VMCS_EPT_POINTER, t->env.ept.eptp);
}

static void eptp_add(struct eptp_test *t, uint64_t eptp, const char *what, const char *id)
{
	struct eptp_case *c = &t->c[t->nr++];

	assert(t->nr <= EPTP_CASES_MAX);
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->what, sizeof(c->what), "%s", what);
	c->eptp = eptp;
}

/* An EPTP whose root really has the walk length it announces, when the
 * processor could accept it: a valid entry then reaches the guest. */
static uint64_t eptp_with_walk(struct eptp_test *t, uint64_t base, unsigned walk_field)
{
	uint64_t eptp = (base & ~EPTP_WALK_LENGTH_MASK) | (uint64_t)walk_field << EPTP_WALK_LENGTH_SHIFT;

	if (walk_field == 4 && t->have_ept5)
		eptp = (eptp & ~BITS(63, 12)) | (uintptr_t)t->ept5.root;
	return eptp;
}

static void eptp_cases_build(struct eptp_test *t)
{
	uint64_t base = t->why ? 0 : t->env.ept.eptp;
	unsigned maxphy = t->why ? cpu_maxphyaddr() : vmx_caps.maxphyaddr;
	char id[16], what[96];

	if (!t->why && ept_cap(EPT_CAP_WALK_LENGTH_5)) {
		ept_init(&t->ept5, 5, MEMTYPE_WB, false);
		ept_map_identity(&t->ept5, EPT_RWX_MASK | EPT_WB);
		t->have_ept5 = true;
	}

	eptp_add(t, base, "the environment's own, 4-level, WB", "valid");

	/* "The EPT memory type (bits 2:0) must be a value supported by the
	 * processor as indicated in the IA32_VMX_EPT_VPID_CAP MSR" */
	for (unsigned mt = 0; mt < 8; mt++) {
		snprintf(id, sizeof(id), "memtype%u", mt);
		snprintf(what, sizeof(what), "memory type %u%s", mt,
			 mt == MEMTYPE_UC ? (ept_cap(EPT_CAP_MEMTYPE_UC) ? ", UC supported" : ", UC unsupported")
					  : mt == MEMTYPE_WB ? ", WB supported" : "");
		eptp_add(t, (base & ~EPTP_MEMTYPE_MASK) | mt, what, id);
	}

	/* "Bits 5:3 (1 less than the EPT page-walk length) must indicate a
	 * supported EPT page-walk length" */
	for (unsigned w = 0; w < 8; w++) {
		snprintf(id, sizeof(id), "walk%u", w);
		snprintf(what, sizeof(what), "bits 5:3 = %u (walk length %u)%s", w, w + 1,
			 w == 4 ? (t->have_ept5 ? ", 5-level supported" : ", 5-level unsupported") : "");
		eptp_add(t, eptp_with_walk(t, base, w), what, id);
	}

	/* "Bit 6 ... must be 0 if bit 21 of the IA32_VMX_EPT_VPID_CAP MSR is
	 * read as 0"; with the capability, set must succeed. */
	eptp_add(t, base | EPTP_AD_ENABLE,
		 ept_cap(EPT_CAP_AD) ? "A/D enable, EPT_VPID_CAP bit 21 = 1"
				     : "A/D enable, EPT_VPID_CAP bit 21 = 0", "ad");

	/* "Reserved bits 11:7 and 63:N ... must all be 0"; bit 7 enables
	 * supervisor shadow-stack control where EPT_VPID_CAP bit 23 = 1. */
	for (unsigned b = 7; b <= 11; b++) {
		snprintf(id, sizeof(id), "bit%u", b);
		snprintf(what, sizeof(what), "bit %u%s", b,
			 b == 7 ? (ept_cap(EPT_CAP_SUPERVISOR_SHADOW_STACK)
					   ? ", supervisor shadow stack supported (cap bit 23)"
					   : ", supervisor shadow stack unsupported (cap bit 23)")
				: " (reserved)");
		eptp_add(t, base | BIT(b), what, id);
	}
	for (unsigned b = maxphy; b < 64; b++) {
		snprintf(id, sizeof(id), "bit%u", b);
		snprintf(what, sizeof(what), "bit %u (MAXPHYADDR %u)", b, maxphy);
		eptp_add(t, base | BIT(b), what, id);
	}
}

/* ---------------- controls that need "enable EPT" ---------------- */

enum extra_setup { SETUP_NONE, SETUP_PML, SETUP_SPP, SETUP_PT, SETUP_VMFUNC, SETUP_VE };

static const struct ctl_case {
	const char *id;
	const char *name;
	uint32_t proc2;
	unsigned bit;           /* in IA32_VMX_PROCBASED_CTLS2 allowed-1 (bit + 32) */
	enum extra_setup setup;
} ctl_cases[] = {
	{ "unrestricted-guest", "\"unrestricted guest\"", CPU2_UNRESTRICTED_GUEST, 7, SETUP_NONE },
	{ "pml", "\"enable PML\"", CPU2_ENABLE_PML, 17, SETUP_PML },
	{ "mbec", "\"mode-based execute control for EPT\"", CPU2_MODE_BASED_EPT_EXEC, 22, SETUP_NONE },
	{ "spp", "\"sub-page write permissions for EPT\"", CPU2_SUBPAGE_WRITE_PERMS, 23, SETUP_SPP },
	{ "pt-gpa", "\"Intel PT uses guest physical addresses\"", CPU2_PT_USES_GPA, 24, SETUP_PT },
	{ "eptp-switching", "\"EPTP switching\" VM function", CPU2_ENABLE_VMFUNC, 13, SETUP_VMFUNC },
	{ "ve", "\"EPT-violation #VE\"", CPU2_EPT_VIOLATION_VE, 18, SETUP_VE },
};

/* What the control needs besides "enable EPT" for VM entry to pass, or a
 * reason to skip. */
static const char *ctl_setup(struct eptp_test *t, const struct ctl_case *c, uint64_t *vmfunc)
{
	*vmfunc = 0;
	switch (c->setup) {
	case SETUP_NONE:
		break;
	case SETUP_PML:
		/* 26.2.1.1: PML address 4K-aligned, within MAXPHYADDR */
		if (!t->pml_log)
			t->pml_log = alloc_page();
		vmcs_write(VMCS_PML_ADDRESS, (uintptr_t)t->pml_log);
		vmcs_write(VMCS_GUEST_PML_INDEX, 511);
		break;
	case SETUP_SPP:
		/* 26.2.1.1: SPPTP bits 11:0 zero, within MAXPHYADDR */
		if (!t->sppt)
			t->sppt = alloc_page();
		vmcs_write(VMCS_SPPT_POINTER, (uintptr_t)t->sppt);
		break;
	case SETUP_PT:
		/* 26.2.1.1: with PT-uses-GPA, "load IA32_RTIT_CTL" (entry) and
		 * "clear IA32_RTIT_CTL" (exit) must be 1 as well */
		if (!vmx_ctl_allowed(&vmx_caps.entry, ENTRY_LOAD_IA32_RTIT_CTL))
			return "IA32_VMX_ENTRY_CTLS bit 18 (load IA32_RTIT_CTL) = 0";
		if (!vmx_ctl_allowed(&vmx_caps.exit, EXIT_CLEAR_IA32_RTIT_CTL))
			return "IA32_VMX_EXIT_CTLS bit 25 (clear IA32_RTIT_CTL) = 0";
		vmcs_write(VMCS_GUEST_IA32_RTIT_CTL, 0);
		vmcs_set_bits(VMCS_ENTRY_CONTROLS, ENTRY_LOAD_IA32_RTIT_CTL);
		vmcs_set_bits(VMCS_EXIT_CONTROLS, EXIT_CLEAR_IA32_RTIT_CTL);
		break;
	case SETUP_VMFUNC:
		/* 26.2.1.1: EPTP-list address 4K-aligned, within MAXPHYADDR */
		if (!(vmx_caps.vmfunc & VMFUNC_EPTP_SWITCHING))
			return "IA32_VMX_VMFUNC bit 0 (EPTP switching) = 0";
		if (!t->eptp_list)
			t->eptp_list = alloc_page();
		t->eptp_list[0] = t->env.ept.eptp;
		vmcs_write(VMCS_EPTP_LIST_ADDR, (uintptr_t)t->eptp_list);
		vmcs_write(VMCS_VMFUNC_CONTROLS, VMENTRY_VMFUNC_EPTP_SWITCHING);
		*vmfunc = VMENTRY_VMFUNC_EPTP_SWITCHING;
		break;
	case SETUP_VE:
		/* 26.2.1.1: #VE information address 4K-aligned, within MAXPHYADDR */
		if (!t->ve_info)
			t->ve_info = alloc_page();
		vmcs_write(VMCS_VE_INFO_ADDR, (uintptr_t)t->ve_info);
		break;
	}
	return NULL;
}

static void ctl_teardown(const struct ctl_case *c)
{
	if (c->setup == SETUP_PT) {
		vmcs_clear_bits(VMCS_ENTRY_CONTROLS, ENTRY_LOAD_IA32_RTIT_CTL);
		vmcs_clear_bits(VMCS_EXIT_CONTROLS, EXIT_CLEAR_IA32_RTIT_CTL);
	}
	if (c->setup == SETUP_VMFUNC)
		vmcs_write(VMCS_VMFUNC_CONTROLS, 0);
}

/* Case i: control i / 2, "enable EPT" = i % 2. */
static void ctl_case(void *ctx, unsigned i)
{
	struct eptp_test *t = ctx;
	const struct ctl_case *c = &ctl_cases[i / 2];
	bool with_ept = i % 2;
	const char *why = t->why;
	enum vmentry_ept_rule rule;
	char id[48];
	uint64_t vmfunc;
	uint32_t proc2;

	snprintf(id, sizeof(id), "%s.%s", c->id, with_ept ? "ept" : "no-ept");
	if (!why && !vmx_has_proc2(c->proc2)) {
		report_skip(id, c->name, "IA32_VMX_PROCBASED_CTLS2 bit %u (allowed-1 of %s) = 0",
			    c->bit + 32, c->name);
		return;
	}
	if (!why)
		why = ctl_setup(t, c, &vmfunc);
	if (why) {
		report_skip(id, c->name, "%s", why);
		return;
	}
	proc2 = (uint32_t)(t->proc2 & ~CPU2_ENABLE_EPT) | c->proc2 | (with_ept ? CPU2_ENABLE_EPT : 0);
	rule = vmentry_ept_dependency_check(proc2, vmfunc);
	vmcs_write(VMCS_EPT_POINTER, t->env.ept.eptp);
	vmcs_write(VMCS_SECONDARY_PROC_CONTROLS, proc2);
	entry_case(t->env.vcpu, id, vmentry_ept_expected_error(rule),
		   "%s = 1, \"enable EPT\" = %d: %s", c->name, with_ept, vmentry_ept_rule_name(rule));
	vmcs_write(VMCS_SECONDARY_PROC_CONTROLS, t->proc2);
	ctl_teardown(c);
}

static void vmx_eptp(void)
{
	static struct eptp_test t;
	struct ept_env_config cfg = { 0 };

	memset(&t, 0, sizeof(t));
	if (ept_env_init(&t.env, &cfg, &t.why)) {
		t.why = NULL;
		t.proc2 = vmcs_read(VMCS_SECONDARY_PROC_CONTROLS);
		printf("# MAXPHYADDR %u, IA32_VMX_EPT_VPID_CAP %#lx, PROCBASED_CTLS2 allowed-1 %#x, VMFUNC %#lx\n",
		       vmx_caps.maxphyaddr, vmx_caps.ept_vpid, vmx_caps.proc2.allowed1, vmx_caps.vmfunc);
	}
	eptp_cases_build(&t);

	report_prefix_push("vmx.eptp");
	cases_run(t.nr, eptp_case, &t);
	report_prefix_pop();
	report_prefix_push("vmx.ept-controls");
	cases_run(2 * ARRAY_SIZE(ctl_cases), ctl_case, &t);
	report_prefix_pop();
	if (!t.why)
		ept_env_exit(&t.env);
}

TEST("vmx_eptp", vmx_eptp);
