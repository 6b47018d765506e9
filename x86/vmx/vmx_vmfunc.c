/*
 * vmx_vmfunc: VMFUNC leaf 0, EPTP switching.  Expected values come from
 * the reference model: ve_model.c (vmfunc_expect(): #UD, VM exit 59 or the
 * switch, SDM 26.5.6 and the VMFUNC instruction page; ve_entry_check(): the
 * VM-entry checks of the VM-function controls and the EPTP-list address,
 * 26.2.1.1), ept_model.c (the EPTP checks each list entry must pass, and
 * the guest's accesses through the new EPT), vmentry_model.c ("EPTP
 * switching" needs "enable EPT").
 *
 * The EPTP list holds the test's EPT (entry 0), a second EPT that maps the
 * window target to another page (entries 1, 511), a third where the target
 * is not present (entry 12, for #VE), and entries that fail the EPTP
 * checks.  The guest executes VMFUNC (EAX, ECX as the case says) and reads
 * the target: which page it sees tells which EPT is in use.
 *
 * Per case: <id> (how VMFUNC ended: the read's VMCALL, exit 59 with RIP at
 * VMFUNC, #UD, or the #VE after the switch), <id>.len (exit 59: the
 * instruction length), <id>.data (the bytes read),
 * <id>.eptp and <id>.index (the EPTP and EPTP-index VMCS fields after),
 * <id>.ve (the #VE information area, for the #VE cases).
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/alloc.h"
#include "x86/desc.h"
#include "x86/ept_env.h"
#include "x86/ept_matrix.h"
#include "x86/ve_outcome.h"
#include "x86/vmentry_model.h"

/* RAX = function, RCX = index, RDI = the target's GLA. */
asm(".text\n.code64\n.globl vf_guest_switch_read\nvf_guest_switch_read:\n"
    "\tvmfunc\n\tmov (%rdi), %rax\n\tvmcall\n"
    ".globl vf_guest_vmcall\nvf_guest_vmcall:\n\tvmcall\n");
extern char vf_guest_switch_read[], vf_guest_vmcall[];

#define ALT_PATTERN     0xa1a1b2b2c3c3d4d4ull
#define LIST_ALT        1
#define LIST_VE         12
#define LIST_VE_SVE     13
#define LIST_VE_MORE    0x150	/* 8 more entries like LIST_VE */

struct vf_test {
	struct ept_env env;
	struct ept alt, ve_ept, sve_ept;
	uint8_t *host, *alt_host;
	uint64_t gla, gpa;
	uint64_t *list;
	volatile struct ve_info *area;
	bool ve;
	const char *why;
};

static struct vf_test T;

/* A second hierarchy like the test's: identity RWX, and the target. */
static void alt_ept(struct vf_test *t, struct ept *e, uint64_t hpa, uint64_t bits)
{
	ept_init(e, 4, MEMTYPE_WB, false);
	ept_map_identity(e, EPT_RWX_MASK | EPT_WB);
	ept_map(e, t->gpa & ~0xfffull, hpa, PAGE_4K, bits);
}

static bool vf_init(struct vf_test *t)
{
	uint64_t main_eptp;

	memset(t, 0, sizeof(*t));
	if (!ept_env_init(&t->env, &(struct ept_env_config){ 0 }, &t->why))
		return false;
	if (!vmx_has_proc2(CPU2_ENABLE_VMFUNC)) {
		t->why = "IA32_VMX_PROCBASED_CTLS2 bit 45 (allowed-1 of \"enable VM functions\") = 0";
		ept_env_exit(&t->env);
		return false;
	}
	if (!(vmx_caps.vmfunc & VMFUNC_EPTP_SWITCHING)) {
		t->why = "IA32_VMX_VMFUNC bit 0 (EPTP switching) = 0";
		ept_env_exit(&t->env);
		return false;
	}
	t->host = matrix_map_page(&t->env, PAGE_4K, &t->gla, &t->gpa);
	t->alt_host = (uint8_t *)alloc_page() + MATRIX_OFFSET;
	alt_ept(t, &t->alt, (uintptr_t)t->alt_host & ~0xfffull, EPT_RWX_MASK | EPT_WB);
	alt_ept(t, &t->ve_ept, 0, 0);
	alt_ept(t, &t->sve_ept, 0, EPT_SUPPRESS_VE);
	main_eptp = t->env.ept.eptp;
	t->list = alloc_page();
	for (unsigned i = 0; i < 512; i++)
		t->list[i] = main_eptp;
	t->list[LIST_ALT] = t->alt.eptp;
	t->list[511] = t->alt.eptp;
	/* entries the EPTP checks of 26.2.1.1 decide (the model says which
	 * of them this processor accepts) */
	t->list[2] = (main_eptp & ~EPTP_MEMTYPE_MASK) | MEMTYPE_UC;
	t->list[3] = (main_eptp & ~EPTP_MEMTYPE_MASK) | 1;
	t->list[4] = (main_eptp & ~EPTP_WALK_LENGTH_MASK) | (1ull << EPTP_WALK_LENGTH_SHIFT);
	t->list[5] = main_eptp | BIT(8);
	t->list[6] = main_eptp | EPTP_AD_ENABLE;
	t->list[7] = main_eptp | (1ull << vmx_caps.maxphyaddr);
	t->list[8] = 0;
	t->list[9] = main_eptp | EPTP_SSS_ENABLE;
	t->list[10] = main_eptp | BIT(11);
	t->list[LIST_VE] = t->ve_ept.eptp;
	t->list[LIST_VE_SVE] = t->sve_ept.eptp;
	for (unsigned i = LIST_VE_MORE; i < LIST_VE_MORE + 8; i++)
		t->list[i] = t->ve_ept.eptp;
	t->ve = vmx_has_proc2(CPU2_EPT_VIOLATION_VE);
	if (t->ve) {
		t->area = alloc_page();
		vmcs_write(VMCS_VE_INFO_ADDR, (uintptr_t)t->area);
	}
	return true;
}

static const struct vf_case {
	const char *id;
	bool disabled;		/* "enable VM functions" = 0 */
	uint64_t ctls;		/* VM-function controls */
	uint64_t eax, rcx;
	unsigned from;		/* list index of the EPTP in use before */
	bool ve;		/* "EPT-violation #VE" = 1 */
} vf_cases[] = {
	{ "switch.1", false, 1, 0, LIST_ALT, 0, false },
	{ "switch.0-from-1", false, 1, 0, 0, LIST_ALT, false },
	{ "switch.same", false, 1, 0, 0, 0, false },
	{ "switch.511", false, 1, 0, 511, 0, false },
	{ "switch.rcx-high", false, 1, 0, (1ull << 32) | LIST_ALT, 0, false },
	{ "list.memtype-uc", false, 1, 0, 2, 0, false },
	{ "list.memtype-1", false, 1, 0, 3, 0, false },
	{ "list.walk-2", false, 1, 0, 4, 0, false },
	{ "list.bit8", false, 1, 0, 5, 0, false },
	{ "list.ad", false, 1, 0, 6, 0, false },
	{ "list.maxphyaddr", false, 1, 0, 7, 0, false },
	{ "list.zero", false, 1, 0, 8, 0, false },
	{ "list.bit7-sss", false, 1, 0, 9, 0, false },
	{ "list.bit11", false, 1, 0, 10, 0, false },
	{ "index.512", false, 1, 0, 512, 0, false },
	{ "index.1000", false, 1, 0, 1000, 0, false },
	{ "index.ecx-high", false, 1, 0, 0x80000000ull, 0, false },
	{ "leaf.1", false, 1, 1, 0, 0, false },
	{ "leaf.63", false, 1, 63, 0, 0, false },
	{ "leaf.64", false, 1, 64, 0, 0, false },
	{ "leaf.rax-high", false, 1, 1ull << 32, LIST_ALT, 0, false },
	{ "leaf.0-control-off", false, 0, 0, LIST_ALT, 0, false },
	{ "disabled", true, 1, 0, LIST_ALT, 0, false },
	{ "ve.after-switch", false, 1, 0, LIST_VE, 0, true },
	{ "ve.after-switch-sve", false, 1, 0, LIST_VE_SVE, 0, true },
	{ "ve.index-from-1", false, 1, 0, LIST_VE, LIST_ALT, true },
	{ "ve.index-336", false, 1, 0, LIST_VE_MORE, 0, true },
	{ "ve.index-337", false, 1, 0, LIST_VE_MORE + 1, 0, true },
	{ "ve.index-338", false, 1, 0, LIST_VE_MORE + 2, 0, true },
	{ "ve.index-339", false, 1, 0, LIST_VE_MORE + 3, 0, true },
	{ "ve.index-340", false, 1, 0, LIST_VE_MORE + 4, 0, true },
	{ "ve.index-341", false, 1, 0, LIST_VE_MORE + 5, 0, true },
	{ "ve.index-342", false, 1, 0, LIST_VE_MORE + 6, 0, true },
	{ "ve.index-343", false, 1, 0, LIST_VE_MORE + 7, 0, true },
};

static void vf_skip(const char *id, const char *words, const char *why)
{
	char sub[96];

	report_skip(id, words, "%s", why);
	snprintf(sub, sizeof(sub), "%s.eptp", id);
	report_skip(sub, words, "%s", why);
	snprintf(sub, sizeof(sub), "%s.index", id);
	report_skip(sub, words, "%s", why);
}

static void vf_case(void *ctx, unsigned i)
{
	struct vf_test *t = ctx;
	const struct vf_case *k = &vf_cases[i];
	struct vmfunc_facts f = { 0 };
	struct vmfunc_expect x;
	struct outcome w, g;
	struct vmx_exit e;
	uint64_t eptp_before, want_eptp, want_index;
	struct ve_snapshot snap;
	bool keep_area = false;
	char words[128], sub[96];

	snprintf(words, sizeof(words), "VMFUNC EAX %lu, RCX %#lx, from list entry %u%s%s", k->eax,
		 k->rcx, k->from, k->disabled ? ", \"enable VM functions\" = 0" : "",
		 k->ve ? ", #VE on" : "");
	if (t->why) {
		vf_skip(k->id, words, t->why);
		return;
	}
	if (k->ve && !t->ve) {
		vf_skip(k->id, words, "IA32_VMX_PROCBASED_CTLS2 bit 50 (allowed-1 of \"EPT-violation #VE\") = 0");
		return;
	}
	/* the state the case depends on */
	*(volatile uint64_t *)t->host = CASE_PATTERN;
	*(volatile uint64_t *)t->alt_host = ALT_PATTERN;
	eptp_before = t->list[k->from];
	vmcs_write(VMCS_EPT_POINTER, eptp_before);
	if (t->ve)	/* the field exists with #VE support (25.6.19) */
		vmcs_write(VMCS_EPTP_INDEX, k->from);
	vmcs_write(VMCS_EPTP_LIST_ADDR, (uintptr_t)t->list);
	vmcs_write(VMCS_VMFUNC_CONTROLS, k->ctls);
	if (k->disabled)
		vmcs_clear_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_ENABLE_VMFUNC);
	else
		vmcs_set_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_ENABLE_VMFUNC);
	if (t->ve) {
		if (k->ve)
			vmcs_set_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_EPT_VIOLATION_VE);
		else
			vmcs_clear_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_EPT_VIOLATION_VE);
		memset((void *)t->area, 0x5a, VE_AREA_BYTES);
		t->area->busy = 0;
	}

	/* the model */
	f.enable_vmfunc = !k->disabled;
	f.vmfunc_controls = k->ctls;
	f.eax = k->eax;
	f.ecx = k->rcx;
	f.list_entry = (uint32_t)k->rcx < 512 ? t->list[(uint32_t)k->rcx] : 0;
	f.ve_supported = t->ve;
	vmfunc_expect(&t->env.model.caps, &f, &x);
	memset(&w, 0, sizeof(w));
	memset(&g, 0, sizeof(g));
	outcome_set(&w, FLD_IDT_VEC, 0, INTR_INFO_VALID);
	want_eptp = eptp_before;
	want_index = k->from;
	switch (x.result) {
	case VMFUNC_UD:
		outcome_set(&w, FLD_REASON, EXIT_REASON_EXCEPTION_NMI, ~0u);
		outcome_set(&w, FLD_VECTOR, INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT) |
			    UD_VECTOR, ~0u);
		outcome_set(&w, FLD_VALUE, (uintptr_t)vf_guest_switch_read, ~0ull);
		snprintf(w.describe, sizeof(w.describe), "#UD at VMFUNC");
		break;
	case VMFUNC_VM_EXIT:
		outcome_set(&w, FLD_REASON, EXIT_REASON_VMFUNC, ~0u);
		outcome_set(&w, FLD_VECTOR, 0, INTR_INFO_VALID);
		outcome_set(&w, FLD_VALUE, (uintptr_t)vf_guest_switch_read, ~0ull);
		snprintf(w.describe, sizeof(w.describe), "exit 59, RIP at VMFUNC (%s)",
			 vmfunc_rule_name(x.rule));
		break;
	case VMFUNC_SWITCHED: {
		/* the read after the switch, through the new EPT */
		struct ept_case c = { .op = GUEST_OP_READ, .gla = t->gla };
		struct ve_conditions cond = { .cr0_pe = true, .eptp_index = x.eptp_index };
		struct ve_area area;

		want_eptp = x.eptp;
		if (x.index_written)
			want_index = x.eptp_index;
		vmcs_write(VMCS_EPT_POINTER, x.eptp);
		t->env.model.ctl.ve = k->ve;
		ept_case_expect(&t->env, &c);
		t->env.model.ctl.ve = false;
		vmcs_write(VMCS_EPT_POINTER, eptp_before);
		if (c.model.kind == EPT_OUTCOME_TRANSLATION) {
			outcome_set(&w, FLD_REASON, EXIT_REASON_VMCALL, ~0u);
			outcome_set(&w, FLD_VECTOR, 0, INTR_INFO_VALID);
			outcome_set(&w, FLD_DATA, c.model.translation.hpa == ((uintptr_t)t->alt_host) ?
				    ALT_PATTERN : CASE_PATTERN, ~0ull);
			snprintf(w.describe, sizeof(w.describe), "switched to list entry %u, read %s",
				 (unsigned)(uint32_t)k->rcx,
				 c.model.translation.hpa == (uintptr_t)t->alt_host ? "the other page" : "the page");
		} else if (ve_decide(&c.model, &cond, &area) == VE_DELIVERED) {
			outcome_set(&w, FLD_REASON, EXIT_REASON_EXCEPTION_NMI, ~0u);
			outcome_set(&w, FLD_VECTOR, ve_exit_intr_info(), ~0u);
			outcome_set(&w, FLD_VALUE, (uintptr_t)vf_guest_switch_read + 3, ~0ull);
			outcome_want_ve_area(&w, &area);
			snprintf(w.describe, sizeof(w.describe), "switched, then #VE with EPTP index %u",
				 area.eptp_index);
		} else {
			/* an EPT violation exit (the area untouched) */
			outcome_want_exit(&w, &c.model);
			outcome_set(&w, FLD_VALUE, (uintptr_t)vf_guest_switch_read + 3, ~0ull);
			keep_area = t->ve;
		}
		break;
	}
	}

	if (t->ve)
		ve_area_snapshot(&snap, t->area);
	vcpu_set_entry(t->env.vcpu, (void (*)(void))vf_guest_switch_read, t->gla);
	t->env.vcpu->regs.rax = k->eax;
	t->env.vcpu->regs.rcx = k->rcx;
	ept_invalidate(&t->env.ept);
	e = vmx_run_guest(t->env.vcpu);
	outcome_got_exit(&g, &e);
	g.v[FLD_VALUE] = e.guest_rip;
	g.v[FLD_DATA] = e.regs.rax;
	if (t->ve)
		outcome_got_ve_area(&g, t->area);
	if (!outcome_check(k->id, words, &w, &g))
		vmx_exit_report_info(&e);
	if (keep_area)
		ve_area_kept_check(k->id, &snap, t->area);
	if (x.result == VMFUNC_VM_EXIT) {
		/* 28.2.5: the VM-exit instruction length is saved for VMFUNC
		 * exits of a disabled function or a failed EPTP switch; VMFUNC
		 * is 0F 01 D4 */
		snprintf(sub, sizeof(sub), "%s.len", k->id);
		report_expect_u64(sub, "value", e.instruction_len, 3, "VM-exit instruction length 3");
	}
	snprintf(sub, sizeof(sub), "%s.eptp", k->id);
	report_expect_u64(sub, "value", vmcs_read(VMCS_EPT_POINTER), want_eptp,
			  "EPTP field after VMFUNC: %#lx", want_eptp);
	snprintf(sub, sizeof(sub), "%s.index", k->id);
	if (t->ve)
		report_expect_u64(sub, "value", vmcs_read(VMCS_EPTP_INDEX), want_index,
				  "EPTP-index field after VMFUNC: %lu", want_index);
	else
		report_skip(sub, words, "no EPTP-index field without \"EPT-violation #VE\" (CTLS2 bit 50)");
	/* leave the test's own EPT in place */
	vmcs_write(VMCS_EPT_POINTER, t->env.ept.eptp);
	ept_invalidate(&t->env.ept);
}

/* ---- VM-entry checks: VM-function controls, EPTP-list address ---- */
static const struct vf_entry_case {
	const char *id;
	uint64_t ctls;
	uint64_t list_off;	/* added to the list's address */
	bool list_high;		/* bit MAXPHYADDR of the list address */
	bool no_ept;		/* "enable EPT" = 0 */
} vf_entry_cases[] = {
	{ "entry.valid", 1, 0, false, false },
	{ "entry.list-bit0", 1, 1, false, false },
	{ "entry.list-bit11", 1, 0x800, false, false },
	{ "entry.list-maxphyaddr", 1, 0, true, false },
	{ "entry.list-unused", 0, 0x801, false, false },
	{ "entry.ctl-bit1", BIT(1) | 1, 0, false, false },
	{ "entry.ctl-bit63", BIT(63) | 1, 0, false, false },
	{ "entry.switching-no-ept", 1, 0, false, true },
	{ "entry.no-switching-no-ept", 0, 0, false, true },
};

static void vf_entry_case(void *ctx, unsigned i)
{
	struct vf_test *t = ctx;
	const struct vf_entry_case *k = &vf_entry_cases[i];
	struct ve_entry_facts f = { 0 };
	struct outcome w = { 0 }, g = { 0 };
	enum vmentry_ept_rule er;
	enum ve_entry_rule vr;
	struct vmx_exit e;
	unsigned want_err;
	char words[128];

	snprintf(words, sizeof(words), "VM-function controls %#lx, EPTP-list address list + %#lx%s%s",
		 k->ctls, k->list_off, k->list_high ? " + 2^MAXPHYADDR" : "",
		 k->no_ept ? ", \"enable EPT\" = 0" : "");
	if (t->why) {
		report_skip(k->id, words, "%s", t->why);
		return;
	}
	vmcs_write(VMCS_EPT_POINTER, t->env.ept.eptp);
	vmcs_set_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_ENABLE_VMFUNC | CPU2_ENABLE_EPT);
	if (t->ve)
		vmcs_clear_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_EPT_VIOLATION_VE);
	if (k->no_ept)
		vmcs_clear_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_ENABLE_EPT);
	f.proc2 = (uint32_t)vmcs_read(VMCS_SECONDARY_PROC_CONTROLS);
	f.vmfunc_controls = k->ctls;
	f.vmfunc_allowed = vmx_caps.vmfunc;
	f.eptp_list_addr = (uintptr_t)t->list + k->list_off +
			   (k->list_high ? 1ull << vmx_caps.maxphyaddr : 0);
	vmcs_write(VMCS_VMFUNC_CONTROLS, k->ctls);
	vmcs_write(VMCS_EPTP_LIST_ADDR, f.eptp_list_addr);
	er = vmentry_ept_dependency_check(f.proc2, k->ctls);
	vr = ve_entry_check(&t->env.model.caps, &f);
	want_err = er != VMENTRY_EPT_OK ? vmentry_ept_expected_error(er) : ve_entry_expected_error(vr);
	vcpu_set_entry(t->env.vcpu, (void (*)(void))vf_guest_vmcall, 0);
	e = vmx_run_guest(t->env.vcpu);
	vmcs_set_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_ENABLE_EPT);
	vmcs_write(VMCS_EPTP_LIST_ADDR, (uintptr_t)t->list);
	vmcs_write(VMCS_VMFUNC_CONTROLS, 1);
	outcome_want_entry(&w, want_err, er != VMENTRY_EPT_OK ? vmentry_ept_rule_name(er) :
			   ve_entry_rule_name(vr));
	outcome_got_exit(&g, &e);
	if (!outcome_check(k->id, words, &w, &g))
		vmx_exit_report_info(&e);
}

static void vmx_vmfunc(void)
{
	report_prefix_push("vmx.vmfunc");
	if (vf_init(&T))
		T.why = NULL;
	cases_run(ARRAY_SIZE(vf_cases), vf_case, &T);
	cases_run(ARRAY_SIZE(vf_entry_cases), vf_entry_case, &T);
	if (!T.why)
		ept_env_exit(&T.env);
	report_prefix_pop();
}

TEST("vmx_vmfunc", vmx_vmfunc);
