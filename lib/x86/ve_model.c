/*
 * ve_model.c: see ve_model.h.  Section numbers are those of the current
 * SDM Vol. 3C.
 */
#include "ve_model.h"

enum ve_result ve_decide(const struct ept_outcome *o, const struct ve_conditions *c,
			 struct ve_area *area)
{
	const struct ept_violation *v = &o->violation;

	if (o->kind != EPT_OUTCOME_VIOLATION)
		return VE_NOT_VIOLATION;
	/* 26.5.7.1: "A convertible EPT violation instead causes a
	 * virtualization exception if the following all hold: CR0.PE = 1; the
	 * logical processor is not in the process of delivering an event
	 * through the IDT; and the 32 bits at offset 4 in the
	 * virtualization-exception information area are all 0."  (Whether it
	 * is convertible -- the control and bit 63 of the entry that decides
	 * -- is ept_model's ve_convertible.) */
	if (!v->ve_convertible || !c->cr0_pe || c->event_delivery || c->busy != 0)
		return VE_VM_EXIT;
	/* Table 26-1: offset 0, the exit reason a VM exit would have saved
	 * (48); offset 4, FFFFFFFFH ("Delivery of virtualization exceptions
	 * writes the value FFFFFFFFH to offset 4"); offsets 8, 16, 24, the
	 * exit qualification, guest-linear and guest-physical addresses a VM
	 * exit would have saved (so defined exactly as for the exit: the
	 * model's masks; the GLA only where qualification bit 7 makes it
	 * valid); offset 32, the EPTP-index VM-execution control field. */
	area->exit_reason = EXIT_REASON_EPT_VIOLATION;
	area->busy = VE_BUSY;
	area->qual = v->qual;
	area->qual_mask = v->qual_mask;
	area->gla = v->gla;
	area->gla_mask = v->gla_valid ? ~0ull : 0;
	area->gpa = v->gpa;
	area->gpa_mask = v->gpa_mask;
	area->eptp_index = c->eptp_index;
	return VE_DELIVERED;
}

const char *ve_result_name(enum ve_result r)
{
	switch (r) {
	case VE_NOT_VIOLATION: return "no EPT violation";
	case VE_VM_EXIT: return "EPT violation VM exit";
	case VE_DELIVERED: return "#VE";
	}
	return "?";
}

uint32_t ve_exit_intr_info(void)
{
	/* 26.5.7.3: "If bit 20 (#VE) is 1 in the exception bitmap in the
	 * VMCS, a virtualization exception causes a VM exit"; 28.2.2: the
	 * interruption information then holds the vector (20), type 3
	 * (hardware exception), bit 11 = 0 (#VE has no error code, Vol. 3A
	 * 6.15), bit 12 = 0 (not an IRET fault), bit 31 = 1. */
	return (uint32_t)INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT) | 20u;
}

enum vmfunc_result vmfunc_expect(const struct ept_caps *caps, const struct vmfunc_facts *f,
				 struct vmfunc_expect *out)
{
	out->rule = VMFUNC_OK;
	out->eptp = 0;
	out->index_written = false;
	out->eptp_index = 0;
	/* VMFUNC instruction page, "#UD: If executed outside VMX non-root
	 * operation ... If the 'enable VM functions' VM-execution control is
	 * 0" (and its "activate secondary controls" gate). */
	if (!f->enable_vmfunc) {
		out->rule = VMFUNC_RULE_DISABLED;
		return out->result = VMFUNC_UD;
	}
	/* VMFUNC instruction page: "#UD ... If EAX >= 64" (EAX: bits 31:0). */
	if ((uint32_t)f->eax >= 64) {
		out->rule = VMFUNC_RULE_EAX_RANGE;
		return out->result = VMFUNC_UD;
	}
	/* 26.5.6: a function whose VM-function control bit is 0 causes a VM
	 * exit (exit reason 59). */
	if (!(f->vmfunc_controls & BIT((uint32_t)f->eax))) {
		out->rule = VMFUNC_RULE_LEAF;
		return out->result = VMFUNC_VM_EXIT;
	}
	if ((uint32_t)f->eax != VMFUNC_LEAF_EPTP_SWITCHING) {
		/* no other function is modeled: the caller enables leaf 0 only */
		out->rule = VMFUNC_RULE_LEAF;
		return out->result = VMFUNC_VM_EXIT;
	}
	/* 26.5.6.3, EPTP switching: "IF ECX >= 512 THEN VM exit; ELSE
	 * tent_EPTP <- 8 bytes from EPTP-list address + 8 * ECX; IF tent_EPTP
	 * is not an EPTP value that would be allowed by VM entry THEN VM exit".
	 * The index is ECX: bits 63:32 of RCX play no part. */
	if ((uint32_t)f->ecx >= VMFUNC_EPTP_LIST_ENTRIES) {
		out->rule = VMFUNC_RULE_INDEX;
		return out->result = VMFUNC_VM_EXIT;
	}
	if (ept_eptp_check(caps, f->list_entry) != EPT_EPTP_OK) {
		out->rule = VMFUNC_RULE_BAD_EPTP;
		return out->result = VMFUNC_VM_EXIT;
	}
	/* "ELSE write tent_EPTP to the EPTP field in the current VMCS; ... IF
	 * processor supports the 1-setting of the 'EPT-violation #VE'
	 * VM-execution control THEN write ECX[15:0] to EPTP-index field". */
	out->eptp = f->list_entry;
	if (f->ve_supported) {
		out->index_written = true;
		out->eptp_index = (uint16_t)f->ecx;
	}
	return out->result = VMFUNC_SWITCHED;
}

const char *vmfunc_rule_name(enum vmfunc_rule r)
{
	switch (r) {
	case VMFUNC_OK: return "EPTP switched";
	case VMFUNC_RULE_DISABLED: return "VMFUNC: \"enable VM functions\" = 0: #UD";
	case VMFUNC_RULE_EAX_RANGE: return "VMFUNC: EAX >= 64: #UD";
	case VMFUNC_RULE_LEAF: return "SDM 26.5.6: function not enabled in the VM-function controls: VM exit";
	case VMFUNC_RULE_INDEX: return "SDM 26.5.6.3: ECX >= 512: VM exit";
	case VMFUNC_RULE_BAD_EPTP: return "SDM 26.5.6.3: EPTP-list entry fails the VM-entry EPTP checks: VM exit";
	}
	return "?";
}

/* Bits 11:0 and 63:N of a 4-KByte-aligned physical address field. */
static bool bad_page_addr(const struct ept_caps *caps, uint64_t addr)
{
	return (addr & BITS(11, 0)) || (addr & ~ept_phys_mask(caps->maxphyaddr));
}

enum ve_entry_rule ve_entry_check(const struct ept_caps *caps, const struct ve_entry_facts *f)
{
	/* 26.2.1.1: "If the 'EPT-violation #VE' VM-execution control is 1, the
	 * virtualization-exception information address must satisfy the
	 * following checks: bits 11:0 of the address must be 0; the address
	 * must not set any bits beyond the processor's physical-address
	 * width." */
	if ((f->proc2 & CPU2_EPT_VIOLATION_VE) && bad_page_addr(caps, f->ve_info_addr))
		return VE_ENTRY_VE_ADDR;
	if (!(f->proc2 & CPU2_ENABLE_VMFUNC))
		return VE_ENTRY_OK;
	/* 26.2.1.1, with "enable VM functions" = 1: "Each bit of the
	 * VM-function controls ... must be 0 if the corresponding bit of
	 * IA32_VMX_VMFUNC is 0" (A.11). */
	if (f->vmfunc_controls & ~f->vmfunc_allowed)
		return VE_ENTRY_VMFUNC_RESERVED;
	/* "If 'EPTP switching' VM-function control is 1 ... the EPTP-list
	 * address must satisfy: bits 11:0 of the address must be 0; the
	 * address must not set any bits beyond the processor's
	 * physical-address width."  (Its "enable EPT" check is in
	 * vmentry_model.c.) */
	if ((f->vmfunc_controls & VMFUNC_EPTP_SWITCHING) && bad_page_addr(caps, f->eptp_list_addr))
		return VE_ENTRY_EPTP_LIST_ADDR;
	return VE_ENTRY_OK;
}

const char *ve_entry_rule_name(enum ve_entry_rule r)
{
	switch (r) {
	case VE_ENTRY_OK: return "valid";
	case VE_ENTRY_VE_ADDR: return "SDM 26.2.1.1: #VE information address bits 11:0 or 63:N";
	case VE_ENTRY_VMFUNC_RESERVED: return "SDM 26.2.1.1: VM-function control not allowed by IA32_VMX_VMFUNC";
	case VE_ENTRY_EPTP_LIST_ADDR: return "SDM 26.2.1.1: EPTP-list address bits 11:0 or 63:N";
	}
	return "?";
}

unsigned ve_entry_expected_error(enum ve_entry_rule r)
{
	return r == VE_ENTRY_OK ? 0 : VMXERR_ENTRY_INVALID_CONTROL;
}
