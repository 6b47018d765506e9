/*
 * vmentry_model.c: see vmentry_model.h.  SDM Vol. 3C 26.2.1.1.
 */
#include "vmentry_model.h"

enum vmentry_ept_rule vmentry_ept_dependency_check(uint32_t proc2, uint64_t vmfunc)
{
	bool ept = proc2 & CPU2_ENABLE_EPT;

	if (ept)
		return VMENTRY_EPT_OK;
	/* 26.2.1.1: unrestricted guest, enable PML, mode-based execute control
	 * for EPT, sub-page write permissions for EPT, Intel PT uses guest
	 * physical addresses: each "the 'enable EPT' VM-execution control must
	 * also be 1". */
	if (proc2 & VMENTRY_PROC2_NEEDS_EPT)
		return VMENTRY_EPT_PROC2_NEEDS_EPT;
	/* 26.2.1.1: "If the 'EPTP switching' VM-function control is 1, the
	 * 'enable EPT' VM-execution control must also be 1." */
	if ((proc2 & CPU2_ENABLE_VMFUNC) && (vmfunc & VMENTRY_VMFUNC_EPTP_SWITCHING))
		return VMENTRY_EPT_VMFUNC_NEEDS_EPT;
	return VMENTRY_EPT_OK;
}

const char *vmentry_ept_rule_name(enum vmentry_ept_rule rule)
{
	switch (rule) {
	case VMENTRY_EPT_OK: return "valid";
	case VMENTRY_EPT_PROC2_NEEDS_EPT:
		return "SDM 26.2.1.1: secondary control requires \"enable EPT\"";
	case VMENTRY_EPT_VMFUNC_NEEDS_EPT:
		return "SDM 26.2.1.1: EPTP switching requires \"enable EPT\"";
	}
	return "?";
}

unsigned vmentry_ept_expected_error(enum vmentry_ept_rule rule)
{
	return rule == VMENTRY_EPT_OK ? 0 : VMXERR_ENTRY_INVALID_CONTROL;
}
