/*
 * Outcome-record pieces shared by the #VE, VMFUNC and SPP tests
 * (x86/ept/ept_ve.c, x86/vmx/vmx_vmfunc.c, x86/ept/ept_spp.c): the words
 * of the #VE information area (fields ve_*, outcome.h) and the result of
 * a VM entry that either succeeds into a guest that calls back or fails
 * with VMfailValid.
 */
#ifndef LIB_X86_VE_OUTCOME_H
#define LIB_X86_VE_OUTCOME_H

#include "x86/outcome.h"
#include "x86/ve_model.h"
#include "x86/vmx_arch.h"

/* Bytes of the area Table 26-1 defines (offsets 0-33, the EPTP index
 * word the last); tests preset all 40 of the area's first bytes. */
#define VE_AREA_BYTES 40

/* The area as the model says a #VE writes it (Table 26-1): <id>.ve. */
void outcome_want_ve_area(struct outcome *w, const struct ve_area *a);
void outcome_got_ve_area(struct outcome *g, const volatile struct ve_info *a);

/* An access that is not a #VE must leave the area alone: a snapshot
 * before the run, and after it one check "<id>.ve-kept" (field value: how
 * many of its VE_AREA_BYTES bytes changed; 0).  Returns the verdict. */
struct ve_snapshot {
	uint8_t b[VE_AREA_BYTES];
};
void ve_area_snapshot(struct ve_snapshot *s, const volatile struct ve_info *a);
bool ve_area_kept_check(const char *id, const struct ve_snapshot *s,
			const volatile struct ve_info *a);

/* VM entry: @vm_insn_error 0 -> the guest runs and calls VMCALL; else
 * VMfailValid with that error (no exit: reason 0xffffffff, as
 * outcome_got_exit() records a VMfail).  @why names the failing rule. */
void outcome_want_entry(struct outcome *w, unsigned vm_insn_error, const char *why);

#endif
