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
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/processor.h"
#include "x86/vmentry_model.h"

/* Outcome of one VM entry as a number: VMCALL exit, VMfail + error, or
 * some other exit. */
#define RESULT_VMCALL           EXIT_REASON_VMCALL
#define RESULT_FAIL_VALID(err)  (0x20000u | (err))
#define RESULT_FAIL_INVALID     0x10000u
#define RESULT_OTHER_EXIT(r)    (0x40000000u | (r))

static void guest_vmcall_now(void)
{
	guest_vmcall(GUEST_CALL_DONE, 0);
}

static uint64_t entry_result(const struct vmx_exit *e)
{
	switch (e->kind) {
	case VMX_EXIT_VMFAIL_INVALID:
		return RESULT_FAIL_INVALID;
	case VMX_EXIT_VMFAIL_VALID:
		return RESULT_FAIL_VALID(e->vm_instruction_error);
	case VMX_EXIT_VMEXIT:
		break;
	}
	if (e->basic_reason == EXIT_REASON_VMCALL && !e->entry_failed)
		return RESULT_VMCALL;
	return RESULT_OTHER_EXIT(e->reason);
}

static uint64_t expected_result(unsigned error)
{
	return error ? RESULT_FAIL_VALID(error) : RESULT_VMCALL;
}

static void run_and_expect(struct vcpu *v, const char *id, uint64_t want, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void run_and_expect(struct vcpu *v, const char *id, uint64_t want, const char *fmt, ...)
{
	char words[160];
	struct vmx_exit e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(words, sizeof(words), fmt, ap);
	va_end(ap);
	vcpu_set_entry(v, guest_vmcall_now, 0);
	e = vmx_run_guest(v);
	if (!report_expect_u64(id, entry_result(&e), want, "%s -> %s", words,
			       want == RESULT_VMCALL ? "enters, guest VMCALLs (exit 18)"
						     : "VMfailValid, error 7"))
		vmx_exit_report_info(&e);
}

/* ---------------- EPTP ---------------- */

struct eptp_ctx {
	struct ept_env *env;
	struct ept ept5;        /* a 5-level hierarchy for walk length 5 */
	bool have_ept5;
	struct ept_caps caps;
};

static void eptp_case(struct eptp_ctx *c, const char *id, uint64_t eptp, const char *what)
{
	enum ept_eptp_rule rule = ept_eptp_check(&c->caps, eptp);

	vmcs_write(VMCS_EPT_POINTER, eptp);
	run_and_expect(c->env->vcpu, id, expected_result(rule == EPT_EPTP_OK ? 0 : VMXERR_ENTRY_INVALID_CONTROL),
		       "EPTP %#lx (%s): %s", eptp, what, ept_eptp_rule_name(rule));
	vmcs_write(VMCS_EPT_POINTER, c->env->ept.eptp);
}

/* An EPTP whose root really has the walk length it announces, when the
 * processor could accept it: a valid entry then reaches the guest. */
static uint64_t eptp_with_walk(struct eptp_ctx *c, uint64_t base, unsigned walk_field)
{
	uint64_t eptp = (base & ~EPTP_WALK_LENGTH_MASK) | (uint64_t)walk_field << EPTP_WALK_LENGTH_SHIFT;

	if (walk_field == 4 && c->have_ept5)
		eptp = (eptp & ~BITS(63, 12)) | (uintptr_t)c->ept5.root;
	return eptp;
}

static void eptp_checks(struct ept_env *env)
{
	struct eptp_ctx c = { .env = env, .caps = env->model.caps };
	uint64_t base = env->ept.eptp;
	char id[48], what[64];

	if (ept_cap(EPT_CAP_WALK_LENGTH_5)) {
		ept_init(&c.ept5, 5, MEMTYPE_WB, false);
		ept_map_identity(&c.ept5, EPT_RWX_MASK | EPT_WB);
		c.have_ept5 = true;
	}

	eptp_case(&c, "valid", base, "the environment's own, 4-level, WB");

	/* "The EPT memory type (bits 2:0) must be a value supported by the
	 * processor as indicated in the IA32_VMX_EPT_VPID_CAP MSR" */
	for (unsigned mt = 0; mt < 8; mt++) {
		snprintf(id, sizeof(id), "memtype%u", mt);
		snprintf(what, sizeof(what), "memory type %u%s", mt,
			 mt == MEMTYPE_UC ? (ept_cap(EPT_CAP_MEMTYPE_UC) ? ", UC supported" : ", UC unsupported")
					  : mt == MEMTYPE_WB ? ", WB supported" : "");
		eptp_case(&c, id, (base & ~EPTP_MEMTYPE_MASK) | mt, what);
	}

	/* "Bits 5:3 (1 less than the EPT page-walk length) must indicate a
	 * supported EPT page-walk length" */
	for (unsigned w = 0; w < 8; w++) {
		snprintf(id, sizeof(id), "walk%u", w);
		snprintf(what, sizeof(what), "bits 5:3 = %u (walk length %u)%s", w, w + 1,
			 w == 4 ? (c.have_ept5 ? ", 5-level supported" : ", 5-level unsupported") : "");
		eptp_case(&c, id, eptp_with_walk(&c, base, w), what);
	}

	/* "Bit 6 ... must be 0 if bit 21 of the IA32_VMX_EPT_VPID_CAP MSR is
	 * read as 0"; with the capability, set must succeed. */
	eptp_case(&c, "ad", base | EPTP_AD_ENABLE,
		  ept_cap(EPT_CAP_AD) ? "A/D enable, EPT_VPID_CAP bit 21 = 1"
				      : "A/D enable, EPT_VPID_CAP bit 21 = 0");

	/* "Reserved bits 11:7 and 63:N ... must all be 0"; bit 7 enables
	 * supervisor shadow-stack control where EPT_VPID_CAP bit 23 = 1. */
	for (unsigned b = 7; b <= 11; b++) {
		snprintf(id, sizeof(id), "bit%u", b);
		snprintf(what, sizeof(what), "bit %u%s", b,
			 b == 7 ? (ept_cap(EPT_CAP_SUPERVISOR_SHADOW_STACK)
					   ? ", supervisor shadow stack supported (cap bit 23)"
					   : ", supervisor shadow stack unsupported (cap bit 23)")
				: " (reserved)");
		eptp_case(&c, id, base | BIT(b), what);
	}
	for (unsigned b = vmx_caps.maxphyaddr; b < 64; b++) {
		snprintf(id, sizeof(id), "bit%u", b);
		snprintf(what, sizeof(what), "bit %u (MAXPHYADDR %u)", b, vmx_caps.maxphyaddr);
		eptp_case(&c, id, base | BIT(b), what);
	}
}

static void eptp_skip_all(const char *why)
{
	char id[48];
	unsigned maxphy = cpu_maxphyaddr();

	report_skip("valid", NULL, "%s", why);
	for (unsigned i = 0; i < 8; i++) {
		snprintf(id, sizeof(id), "memtype%u", i);
		report_skip(id, NULL, "%s", why);
	}
	for (unsigned i = 0; i < 8; i++) {
		snprintf(id, sizeof(id), "walk%u", i);
		report_skip(id, NULL, "%s", why);
	}
	report_skip("ad", NULL, "%s", why);
	for (unsigned b = 7; b <= 11; b++) {
		snprintf(id, sizeof(id), "bit%u", b);
		report_skip(id, NULL, "%s", why);
	}
	for (unsigned b = maxphy; b < 64; b++) {
		snprintf(id, sizeof(id), "bit%u", b);
		report_skip(id, NULL, "%s", why);
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
static const char *ctl_setup(const struct ctl_case *c, struct ept_env *env, uint64_t *vmfunc)
{
	static uint64_t *pml_log, *sppt, *eptp_list, *ve_info;

	*vmfunc = 0;
	switch (c->setup) {
	case SETUP_NONE:
		break;
	case SETUP_PML:
		/* 26.2.1.1: PML address 4K-aligned, within MAXPHYADDR */
		if (!pml_log)
			pml_log = alloc_page();
		vmcs_write(VMCS_PML_ADDRESS, (uintptr_t)pml_log);
		vmcs_write(VMCS_GUEST_PML_INDEX, 511);
		break;
	case SETUP_SPP:
		/* 26.2.1.1: SPPTP bits 11:0 zero, within MAXPHYADDR */
		if (!sppt)
			sppt = alloc_page();
		vmcs_write(VMCS_SPPT_POINTER, (uintptr_t)sppt);
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
		if (!eptp_list)
			eptp_list = alloc_page();
		eptp_list[0] = env->ept.eptp;
		vmcs_write(VMCS_EPTP_LIST_ADDR, (uintptr_t)eptp_list);
		vmcs_write(VMCS_VMFUNC_CONTROLS, VMENTRY_VMFUNC_EPTP_SWITCHING);
		*vmfunc = VMENTRY_VMFUNC_EPTP_SWITCHING;
		break;
	case SETUP_VE:
		/* 26.2.1.1: #VE information address 4K-aligned, within MAXPHYADDR */
		if (!ve_info)
			ve_info = alloc_page();
		vmcs_write(VMCS_VE_INFO_ADDR, (uintptr_t)ve_info);
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

static void ctl_checks(struct ept_env *env)
{
	uint64_t proc2_saved = vmcs_read(VMCS_SECONDARY_PROC_CONTROLS);

	for (unsigned i = 0; i < ARRAY_SIZE(ctl_cases); i++) {
		const struct ctl_case *c = &ctl_cases[i];
		char id_off[48], id_on[48];
		const char *why = NULL;
		uint64_t vmfunc;

		snprintf(id_off, sizeof(id_off), "%s.no-ept", c->id);
		snprintf(id_on, sizeof(id_on), "%s.ept", c->id);
		if (!vmx_has_proc2(c->proc2)) {
			report_skip(id_off, c->name, "IA32_VMX_PROCBASED_CTLS2 bit %u (allowed-1 of %s) = 0",
				    c->bit + 32, c->name);
			report_skip(id_on, c->name, "IA32_VMX_PROCBASED_CTLS2 bit %u (allowed-1 of %s) = 0",
				    c->bit + 32, c->name);
			continue;
		}
		why = ctl_setup(c, env, &vmfunc);
		if (why) {
			report_skip(id_off, c->name, "%s", why);
			report_skip(id_on, c->name, "%s", why);
			continue;
		}
		for (int with_ept = 0; with_ept <= 1; with_ept++) {
			uint32_t proc2 = (uint32_t)(proc2_saved & ~CPU2_ENABLE_EPT) | c->proc2 |
					 (with_ept ? CPU2_ENABLE_EPT : 0);
			enum vmentry_ept_rule rule = vmentry_ept_dependency_check(proc2, vmfunc);

			vmcs_write(VMCS_SECONDARY_PROC_CONTROLS, proc2);
			run_and_expect(env->vcpu, with_ept ? id_on : id_off,
				       expected_result(vmentry_ept_expected_error(rule)),
				       "%s = 1, \"enable EPT\" = %d: %s", c->name, with_ept,
				       vmentry_ept_rule_name(rule));
		}
		vmcs_write(VMCS_SECONDARY_PROC_CONTROLS, proc2_saved);
		ctl_teardown(c);
	}
}

static void vmx_eptp(void)
{
	struct ept_env_config cfg = { 0 };
	struct ept_env env;
	const char *why;

	report_prefix_push("vmx.eptp");
	if (!ept_env_init(&env, &cfg, &why)) {
		eptp_skip_all(why);
		report_prefix_pop();
		report_prefix_push("vmx.ept-controls");
		for (unsigned i = 0; i < ARRAY_SIZE(ctl_cases); i++) {
			char id[48];
			snprintf(id, sizeof(id), "%s.no-ept", ctl_cases[i].id);
			report_skip(id, ctl_cases[i].name, "%s", why);
			snprintf(id, sizeof(id), "%s.ept", ctl_cases[i].id);
			report_skip(id, ctl_cases[i].name, "%s", why);
		}
		report_prefix_pop();
		return;
	}
	printf("# MAXPHYADDR %u, IA32_VMX_EPT_VPID_CAP %#lx, PROCBASED_CTLS2 allowed-1 %#x, VMFUNC %#lx\n",
	       vmx_caps.maxphyaddr, vmx_caps.ept_vpid, vmx_caps.proc2.allowed1, vmx_caps.vmfunc);
	eptp_checks(&env);
	report_prefix_pop();
	report_prefix_push("vmx.ept-controls");
	ctl_checks(&env);
	ept_env_exit(&env);
	report_prefix_pop();
}

TEST("vmx_eptp", vmx_eptp);
