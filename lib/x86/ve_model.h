/*
 * ve_model: virtualization exceptions (#VE) and VMFUNC EPTP switching,
 * pure rules in the style of ept_model.h (freestanding and hosted, no
 * state, no I/O).  SDM Vol. 3C:
 *   - 26.5.7.1 "Convertible EPT Violations": when a convertible EPT
 *     violation is a #VE instead of a VM exit  ....... ve_decide()
 *   - 26.5.7.2 Table 26-1, the #VE information area  ... ve_decide()
 *   - 26.5.7.3 "Delivery of Virtualization Exceptions": vector 20, a
 *     fault without error code; exception-bitmap bit 20 makes it a VM
 *     exit with that interruption information ........ ve_exit_intr_info()
 *   - 26.5.6.3 "EPTP Switching" and the VMFUNC instruction page
 *     (Vol. 3C 31): #UD, VM exit 59, or the switch ..... vmfunc_expect()
 *   - 26.2.1.1 VM-entry checks on the #VE information address, the
 *     VM-function controls and the EPTP-list address .. ve_entry_check()
 *
 * The EPT half -- whether the violation is convertible at all (the control
 * and bit 63 of the one entry that decides it) -- is ept_model's
 * (ept_violation.ve_convertible); this file adds the conditions outside
 * the EPT walk.
 */
#ifndef LIB_X86_VE_MODEL_H
#define LIB_X86_VE_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "ept_model.h"

/* Table 26-1: the busy word's value while the area is in use. */
#define VE_BUSY                 0xffffffffu
/* VMFUNC leaf 0 (EPTP switching): the list has 512 entries (25.6.14). */
#define VMFUNC_EPTP_LIST_ENTRIES 512
#define VMFUNC_LEAF_EPTP_SWITCHING 0

/* What an access that the EPT model says is a violation does. */
struct ve_conditions {
	bool cr0_pe;            /* guest CR0.PE */
	bool event_delivery;    /* the violation occurs while delivering an
				   event through the IDT */
	uint32_t busy;          /* the 32 bits at offset 4 of the area */
	uint16_t eptp_index;    /* the EPTP-index VM-execution control field */
};

enum ve_result {
	VE_NOT_VIOLATION = 0,   /* the access is no EPT violation */
	VE_VM_EXIT,             /* an EPT violation VM exit (48) */
	VE_DELIVERED,           /* a #VE: the area written, vector 20 */
};

/* The information area as the SDM defines it after a #VE (Table 26-1);
 * each word with the mask of its bits the SDM defines for the case. */
struct ve_area {
	uint32_t exit_reason;   /* offset 0: 48 */
	uint32_t busy;          /* offset 4: FFFFFFFFH */
	uint64_t qual, qual_mask;       /* offset 8: the exit qualification */
	uint64_t gla, gla_mask;         /* offset 16: the guest-linear address */
	uint64_t gpa, gpa_mask;         /* offset 24: the guest-physical address */
	uint16_t eptp_index;            /* offset 32 */
};

/* @o: the EPT model's outcome of the access.  Fills @area for
 * VE_DELIVERED; the area is left as it was otherwise. */
enum ve_result ve_decide(const struct ept_outcome *o, const struct ve_conditions *c,
			 struct ve_area *area);
const char *ve_result_name(enum ve_result r);

/* VM-exit interruption information of a #VE that causes a VM exit through
 * exception-bitmap bit 20: valid, hardware exception, vector 20, no error
 * code (26.5.7.3; Vol. 3A 6.15 "Interrupt 20"). */
uint32_t ve_exit_intr_info(void);

/* ---- VMFUNC (EAX = function, ECX = EPTP-list index) ---- */
struct vmfunc_facts {
	bool enable_vmfunc;     /* "activate secondary controls" and "enable VM
				   functions" both 1 */
	uint64_t vmfunc_controls;       /* the VM-function controls field */
	uint64_t eax, ecx;
	uint64_t list_entry;    /* the EPTP at EPTP-list + 8 * ECX (ECX < 512) */
	bool ve_supported;      /* allowed-1 of "EPT-violation #VE" */
};

enum vmfunc_result {
	VMFUNC_UD = 1,          /* #UD */
	VMFUNC_VM_EXIT,         /* VM exit 59, nothing changed */
	VMFUNC_SWITCHED,        /* EPTP (and EPTP index) loaded */
};

enum vmfunc_rule {
	VMFUNC_OK = 0,
	VMFUNC_RULE_DISABLED,           /* "enable VM functions" = 0: #UD */
	VMFUNC_RULE_EAX_RANGE,          /* EAX >= 64: #UD */
	VMFUNC_RULE_LEAF,               /* the control bit of EAX is 0 */
	VMFUNC_RULE_INDEX,              /* ECX >= 512 */
	VMFUNC_RULE_BAD_EPTP,           /* the list entry fails 26.2.1.1 */
};

struct vmfunc_expect {
	enum vmfunc_result result;
	enum vmfunc_rule rule;
	uint64_t eptp;                  /* the new EPTP (VMFUNC_SWITCHED) */
	bool index_written;             /* the EPTP-index field gets ECX[15:0] */
	uint16_t eptp_index;
};

enum vmfunc_result vmfunc_expect(const struct ept_caps *caps, const struct vmfunc_facts *f,
				 struct vmfunc_expect *out);
const char *vmfunc_rule_name(enum vmfunc_rule r);

/* ---- VM-entry checks (26.2.1.1) of the controls #VE and VMFUNC use ---- */
struct ve_entry_facts {
	uint32_t proc2;                 /* secondary controls (0 when not active) */
	uint64_t ve_info_addr;
	uint64_t vmfunc_controls;
	uint64_t vmfunc_allowed;        /* IA32_VMX_VMFUNC */
	uint64_t eptp_list_addr;
};

enum ve_entry_rule {
	VE_ENTRY_OK = 0,
	VE_ENTRY_VE_ADDR,               /* #VE info address bits 11:0 or 63:N */
	VE_ENTRY_VMFUNC_RESERVED,       /* a VM-function control not allowed */
	VE_ENTRY_EPTP_LIST_ADDR,        /* EPTP-list address bits 11:0 or 63:N */
};

enum ve_entry_rule ve_entry_check(const struct ept_caps *caps, const struct ve_entry_facts *f);
const char *ve_entry_rule_name(enum ve_entry_rule r);
/* 0, or VMXERR_ENTRY_INVALID_CONTROL (VMfailValid). */
unsigned ve_entry_expected_error(enum ve_entry_rule r);

#endif
