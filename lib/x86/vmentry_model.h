/*
 * vmentry_model: VM-entry checks on VM-execution control fields that tie
 * other controls to "enable EPT" (SDM Vol. 3C 26.2.1.1, "VM-Execution
 * Control Fields").  The EPTP itself is checked by ept_eptp_check()
 * (ept_model.h).  Pure C, freestanding and hosted, like the EPT model.
 *
 * SDM 26.2.1.1 says, each in its own sentence, "If the X VM-execution
 * control is 1, the 'enable EPT' VM-execution control must also be 1" for
 * these secondary processor-based controls:
 *   - "unrestricted guest"                       (bit 7)
 *   - "enable PML"                               (bit 17)
 *   - "mode-based execute control for EPT"       (bit 22)
 *   - "sub-page write permissions for EPT"       (bit 23)
 *   - "Intel PT uses guest physical addresses"   (bit 24; it also needs the
 *     "load IA32_RTIT_CTL" entry and "clear IA32_RTIT_CTL" exit controls)
 * and, for the VM-function controls, "If the 'EPTP switching' VM-function
 * control is 1, the 'enable EPT' VM-execution control must also be 1"
 * (checked when "enable VM functions" is 1).
 *
 * Not in the list: "EPT-violation #VE" (bit 18).  Its VM-entry check is on
 * the virtualization-exception information address only; with "enable
 * EPT" = 0 the control has no effect and VM entry does not fail for it.
 * The tertiary controls (EPT paging-write, guest-paging verification,
 * HLAT) are not modeled here.
 *
 * A failing check is "VM entry with invalid control field(s)": VMfailValid
 * with VM-instruction error 7 (SDM 26.2, 31.4).
 */
#ifndef LIB_X86_VMENTRY_MODEL_H
#define LIB_X86_VMENTRY_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx_arch.h"

#define VMENTRY_PROC2_NEEDS_EPT                                           \
	(CPU2_UNRESTRICTED_GUEST | CPU2_ENABLE_PML | CPU2_MODE_BASED_EPT_EXEC | \
	 CPU2_SUBPAGE_WRITE_PERMS | CPU2_PT_USES_GPA)

/* VM-function control "EPTP switching" (SDM 25.6.14, Table 25-10) */
#define VMENTRY_VMFUNC_EPTP_SWITCHING   BIT(0)

enum vmentry_ept_rule {
	VMENTRY_EPT_OK = 0,
	VMENTRY_EPT_PROC2_NEEDS_EPT,    /* a control of VMENTRY_PROC2_NEEDS_EPT without EPT */
	VMENTRY_EPT_VMFUNC_NEEDS_EPT,   /* EPTP switching without EPT */
};

/*
 * The "needs enable EPT" checks of SDM 26.2.1.1 for the given control
 * values: @proc2 the secondary controls (as written to the VMCS, already
 * only meaningful when the primary "activate secondary controls" is 1; the
 * caller passes 0 otherwise), @vmfunc the VM-function controls (only
 * examined when "enable VM functions" is set in @proc2).
 */
enum vmentry_ept_rule vmentry_ept_dependency_check(uint32_t proc2, uint64_t vmfunc);
const char *vmentry_ept_rule_name(enum vmentry_ept_rule rule);
/* 0 for success, else VMXERR_ENTRY_INVALID_CONTROL (VMfailValid). */
unsigned vmentry_ept_expected_error(enum vmentry_ept_rule rule);

#endif
