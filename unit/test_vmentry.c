/*
 * Cases for lib/x86/vmentry_model.c: which controls SDM 26.2.1.1 ties to
 * "enable EPT" at VM entry.
 */
#include "harness.h"
#include "../lib/x86/vmentry_model.h"

static const struct needs_ept_case {
	const char *name;
	uint32_t proc2;
	uint64_t vmfunc;
	enum vmentry_ept_rule rule;
} needs_ept_cases[] = {
	{ "ug.no-ept", CPU2_UNRESTRICTED_GUEST, 0, VMENTRY_EPT_PROC2_NEEDS_EPT },
	{ "pml.no-ept", CPU2_ENABLE_PML, 0, VMENTRY_EPT_PROC2_NEEDS_EPT },
	{ "mbec.no-ept", CPU2_MODE_BASED_EPT_EXEC, 0, VMENTRY_EPT_PROC2_NEEDS_EPT },
	{ "spp.no-ept", CPU2_SUBPAGE_WRITE_PERMS, 0, VMENTRY_EPT_PROC2_NEEDS_EPT },
	{ "pt-gpa.no-ept", CPU2_PT_USES_GPA, 0, VMENTRY_EPT_PROC2_NEEDS_EPT },
	{ "ug.ept", CPU2_UNRESTRICTED_GUEST | CPU2_ENABLE_EPT, 0, VMENTRY_EPT_OK },
	{ "pml.ept", CPU2_ENABLE_PML | CPU2_ENABLE_EPT, 0, VMENTRY_EPT_OK },
	{ "mbec.ept", CPU2_MODE_BASED_EPT_EXEC | CPU2_ENABLE_EPT, 0, VMENTRY_EPT_OK },
	{ "spp.ept", CPU2_SUBPAGE_WRITE_PERMS | CPU2_ENABLE_EPT, 0, VMENTRY_EPT_OK },
	{ "pt-gpa.ept", CPU2_PT_USES_GPA | CPU2_ENABLE_EPT, 0, VMENTRY_EPT_OK },
	/* #VE has no "enable EPT" check of its own (26.2.1.1) */
	{ "ve.no-ept", CPU2_EPT_VIOLATION_VE, 0, VMENTRY_EPT_OK },
	{ "vpid.no-ept", CPU2_ENABLE_VPID, 0, VMENTRY_EPT_OK },
	{ "none", 0, 0, VMENTRY_EPT_OK },
	{ "eptp-switch.no-ept", CPU2_ENABLE_VMFUNC, VMENTRY_VMFUNC_EPTP_SWITCHING,
	  VMENTRY_EPT_VMFUNC_NEEDS_EPT },
	{ "eptp-switch.ept", CPU2_ENABLE_VMFUNC | CPU2_ENABLE_EPT, VMENTRY_VMFUNC_EPTP_SWITCHING,
	  VMENTRY_EPT_OK },
	/* VM-function controls are examined only with "enable VM functions" */
	{ "eptp-switch.vmfunc-off", 0, VMENTRY_VMFUNC_EPTP_SWITCHING, VMENTRY_EPT_OK },
	{ "vmfunc.other-bit", CPU2_ENABLE_VMFUNC, BIT(1), VMENTRY_EPT_OK },
	{ "ug+pml.no-ept", CPU2_UNRESTRICTED_GUEST | CPU2_ENABLE_PML, 0,
	  VMENTRY_EPT_PROC2_NEEDS_EPT },
};

static void needs_ept(const void *arg)
{
	const struct needs_ept_case *c = arg;
	enum vmentry_ept_rule r = vmentry_ept_dependency_check(c->proc2, c->vmfunc);

	expect_eq("rule", r, c->rule);
	expect_eq("error", vmentry_ept_expected_error(r),
		  c->rule == VMENTRY_EPT_OK ? 0 : VMXERR_ENTRY_INVALID_CONTROL);
}

__attribute__((constructor)) static void reg_vmentry_cases(void)
{
	static char names[sizeof(needs_ept_cases) / sizeof(needs_ept_cases[0])][48];

	for (unsigned i = 0; i < sizeof(needs_ept_cases) / sizeof(needs_ept_cases[0]); i++) {
		unsigned n = 0;
		const char *p = "vmentry.";
		while (*p && n < sizeof(names[i]) - 1)
			names[i][n++] = *p++;
		for (p = needs_ept_cases[i].name; *p && n < sizeof(names[i]) - 1;)
			names[i][n++] = *p++;
		names[i][n] = 0;
		unit_register(names[i], "SDM 26.2.1.1: controls that need \"enable EPT\"",
			      needs_ept, &needs_ept_cases[i]);
	}
}

UNIT(vmentry_rule_names, "vmentry.rule-names", "SDM 26.2.1.1: every rule has a name")
{
	expect_true("ok", vmentry_ept_rule_name(VMENTRY_EPT_OK)[0] == 'v');
	expect_true("proc2", vmentry_ept_rule_name(VMENTRY_EPT_PROC2_NEEDS_EPT)[0] == 'S');
	expect_true("vmfunc", vmentry_ept_rule_name(VMENTRY_EPT_VMFUNC_NEEDS_EPT)[0] == 'S');
}
