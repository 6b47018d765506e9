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

/* The area as the model says a #VE writes it (Table 26-1). */
void outcome_want_ve_area(struct outcome *w, const struct ve_area *a);
/* The area exactly as it is now: what it must still be after an access
 * that is not a #VE. */
void outcome_want_ve_untouched(struct outcome *w, const volatile struct ve_info *a);
void outcome_got_ve_area(struct outcome *g, const volatile struct ve_info *a);

/* VM entry: @vm_insn_error 0 -> the guest runs and calls VMCALL; else
 * VMfailValid with that error (no exit: reason 0xffffffff, as
 * outcome_got_exit() records a VMfail).  @why names the failing rule. */
void outcome_want_entry(struct outcome *w, unsigned vm_insn_error, const char *why);

#endif
