/*
 * ept_nmi: an IRET whose own memory access causes an EPT violation, "NMI
 * unblocking due to IRET" (exit qualification bit 12), and blocking by NMI
 * around it.
 *
 * The host injects an NMI at VM entry (VM-entry interruption information,
 * type 2, vector 2: SDM 27.6.1); the guest's handler (ept_event_guest.h)
 * calls the host, which then restricts the stack page holding the frame's
 * RIP slot; the handler's IRETQ reads that slot and faults in EPT.
 *
 * What the SDM says:
 *  - VM entry loads blocking by NMI from interruptibility bit 3 when
 *    "virtual NMIs" = 0; with "virtual NMIs" = 1 the bit is virtual-NMI
 *    blocking (27.7.1).  An injected NMI blocks NMIs (virtual NMIs) once
 *    delivered (27.6.1.1): bit 3 is 1 at the handler's VMCALL;
 *  - IRET unblocks NMIs when "NMI exiting" = 0; with "NMI exiting" = 1 it
 *    leaves blocking by NMI alone, and with "virtual NMIs" = 1 it removes
 *    virtual-NMI blocking -- even if IRET faults (26.3);
 *  - an EPT violation during IRET clears blocking by NMI ("NMI exiting" =
 *    0) or virtual-NMI blocking ("virtual NMIs" = 1) before the VM exit
 *    (28.1), so the saved bit 3 is clear and qualification bit 12 is the
 *    VMM's only record of it;
 *  - Table 28-7, bit 12: undefined if "NMI exiting" = 1 and "virtual NMIs"
 *    = 0; otherwise set iff the violation came from IRET executed with
 *    blocking by NMI (virtual-NMI blocking) in effect (28.2.3).
 * The control: IRET from a software-interrupt handler (INT 0x40) with no
 * NMI blocking: bit 12 = 0.  Each case sets up its own blocking state: the
 * NMI cases inject an NMI; the INT 0x40 cases first enter with bit 3 = 1
 * (<id>.blocking-loaded) and then with bit 3 = 0, so the entry under test
 * must clear blocking that is in effect, whatever ran before.
 *
 * Checks of a case: <id>.blocking-loaded (INT 0x40 only), <id>.handler
 * (the event reached the handler), <id>.blocking-in-handler, <id> (the
 * IRET: the whole exit, or its return to the frame's RIP), and
 * <id>.blocking-after.
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "ept_event_guest.h"

static const struct nmi_config {
	const char *name, *words;
	uint32_t pin;		/* NMI-related pin-based controls */
	bool nmi;		/* inject an NMI (else INT 0x40 from the guest) */
} configs[] = {
	{ "nmi",         "injected NMI",                        0,                                 true },
	{ "nmi-exiting", "injected NMI, NMI exiting",           PIN_NMI_EXITING,                   true },
	{ "vnmi",        "injected NMI, virtual NMIs",          PIN_NMI_EXITING | PIN_VIRTUAL_NMIS, true },
	{ "int40",       "INT 0x40 (no NMI blocking)",          0,                                 false },
};

static const struct perm_desc {
	const char *name;
	uint64_t rwx;
} perms[] = {
	{ "np", 0 },
	{ "xo", EPT_EXEC },
	{ "ro", EPT_READ },	/* IRET's reads succeed: it completes */
};

#define INT40_LEN 2	/* CD ib */

struct nmi_test {
	struct event_guest g;
	const char *why;	/* NULL: the environment is up */
	uint32_t pin_base;
};

/* Blocking by NMI after the handler's IRET, faulting or not (26.3, 28.1):
 * only "NMI exiting" without "virtual NMIs" leaves it in effect. */
static uint64_t blocking_after(const struct nmi_config *c)
{
	return (c->pin & PIN_NMI_EXITING) && !(c->pin & PIN_VIRTUAL_NMIS) ? GUEST_INTR_BLOCK_NMI : 0;
}

/* The check ids of a case after <id>.handler, for a case that stops. */
static const char *const later_ids[] = { "blocking-in-handler", "", "blocking-after" };

static void case_id(char *buf, size_t size, const char *id, const char *suffix)
{
	snprintf(buf, size, *suffix ? "%s.%s" : "%s", id, suffix);
}

static void skip_case(const char *id, const char *words, const struct nmi_config *c,
		      const char *why)
{
	char cid[96];

	if (!c->nmi) {
		case_id(cid, sizeof(cid), id, "blocking-loaded");
		report_skip(cid, words, "%s", why);
	}
	case_id(cid, sizeof(cid), id, "handler");
	report_skip(cid, words, "%s", why);
	for (unsigned i = 0; i < ARRAY_SIZE(later_ids); i++) {
		case_id(cid, sizeof(cid), id, later_ids[i]);
		report_skip(cid, words, "%s", why);
	}
}

static void nmi_case(void *ctx, unsigned i)
{
	struct nmi_test *t = ctx;
	struct event_guest *g = &t->g;
	const struct nmi_config *c = &configs[i / ARRAY_SIZE(perms)];
	const struct perm_desc *p = &perms[i % ARRAY_SIZE(perms)];
	uint64_t slot = g->stack_gla + PAGE_4K - 8;	/* RIP, the first slot IRET pops */
	/* where the IRET returns: the RIP the event pushed */
	uint64_t ret = c->nmi ? (uintptr_t)guest_ev_after : (uintptr_t)guest_ev_int40 + INT40_LEN;
	char id[64], cid[96], words[128], hwords[96];
	struct outcome want, got;
	struct ept_outcome o;
	struct vmx_exit e;

	snprintf(id, sizeof(id), "%s.%s", c->name, p->name);
	snprintf(words, sizeof(words), "IRET from the handler of an %s, frame's RIP slot EPT %s",
		 c->words, ept_perm_str(p->rwx));
	if (t->why) {
		skip_case(id, words, c, t->why);
		return;
	}
	if (!vmx_ctl_allowed(&vmx_caps.pin, c->pin)) {
		skip_case(id, words, c, vmx_caps.basic & VMX_BASIC_TRUE_CTLS ?
			  "IA32_VMX_TRUE_PINBASED_CTLS allowed-1 bits 35/37 (NMI exiting, virtual NMIs) = 0" :
			  "IA32_VMX_PINBASED_CTLS allowed-1 bits 35/37 (NMI exiting, virtual NMIs) = 0");
		return;
	}
	if (p->rwx == EPT_EXEC && !ept_cap(EPT_CAP_EXEC_ONLY)) {
		skip_case(id, words, c, "IA32_VMX_EPT_VPID_CAP bit 0 (execute-only translations) = 0");
		return;
	}

	/* The controls, the stack and the blocking state of this case. */
	vmcs_write(VMCS_PIN_BASED_CONTROLS, t->pin_base | c->pin);
	g->env.model.ctl.nmi_exiting = c->pin & PIN_NMI_EXITING;
	g->env.model.ctl.virtual_nmis = c->pin & PIN_VIRTUAL_NMIS;
	ept_set_perms(&g->env.ept, g->stack_gpa, EPT_LEVEL_PTE, EPT_RWX_MASK);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	if (c->nmi) {
		/* NMI injection needs bit 3 = 0 (27.3.1.5); the delivered
		 * NMI is what blocks NMIs */
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
		vcpu_set_entry(g->env.vcpu, (void (*)(void))guest_ev_after, 0);
		vmcs_write(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID |
			   ((uint64_t)INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT) | NMI_VECTOR);
	} else {
		/* 0. NMIs blocked (an entry with bit 3 = 1, straight out at a
		 * VMCALL), so that the entry below must unblock them. */
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, GUEST_INTR_BLOCK_NMI);
		vcpu_set_entry(g->env.vcpu, (void (*)(void))guest_ev_after, 0);
		vmcs_write(VMCS_GUEST_RSP, g->rsp);
		ept_invalidate(&g->env.ept);
		e = vmx_run_guest(g->env.vcpu);
		case_id(cid, sizeof(cid), id, "blocking-loaded");
		report_expect_mask(cid, "intr", e.interruptibility, GUEST_INTR_BLOCK_NMI,
				   GUEST_INTR_BLOCK_NMI,
				   "an entry with interruptibility bit 3 = 1 blocks NMIs until the next IRET");
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
		vcpu_set_entry(g->env.vcpu, (void (*)(void))guest_ev_int40, 0);
	}
	vmcs_write(VMCS_GUEST_RSP, g->rsp);
	ept_invalidate(&g->env.ept);

	/* 1. The event is delivered: the handler's VMCALL. */
	e = vmx_run_guest(g->env.vcpu);
	memset(&want, 0, sizeof(want));
	memset(&got, 0, sizeof(got));
	outcome_got_exit(&got, &e);
	got.v[FLD_VALUE] = e.guest_rip;
	outcome_set(&want, FLD_REASON, EXIT_REASON_VMCALL, ~0u);
	outcome_set(&want, FLD_VALUE, (uintptr_t)guest_ev_handler, ~0ull);
	snprintf(want.describe, sizeof(want.describe), "VMCALL at the handler");
	case_id(cid, sizeof(cid), id, "handler");
	snprintf(hwords, sizeof(hwords), "the %s reached the guest's handler", c->words);
	if (!outcome_check(cid, hwords, &want, &got)) {
		vmx_exit_report_info(&e);
		for (unsigned k = 0; k < ARRAY_SIZE(later_ids); k++) {
			case_id(cid, sizeof(cid), id, later_ids[k]);
			report(false, cid, "%s: not run, the handler was not reached", words);
		}
		vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
		return;
	}
	/* The delivery completed (no IDT-vectoring information) and left
	 * NMIs blocked exactly when it was an NMI's. */
	memset(&want, 0, sizeof(want));
	outcome_set(&want, FLD_IDT_VEC, 0, INTR_INFO_VALID);
	outcome_set(&want, FLD_INTR, c->nmi ? GUEST_INTR_BLOCK_NMI : 0, GUEST_INTR_BLOCK_NMI);
	snprintf(want.describe, sizeof(want.describe), "bit 3 (blocking by %sNMI) = %d",
		 c->pin & PIN_VIRTUAL_NMIS ? "virtual " : "", c->nmi);
	case_id(cid, sizeof(cid), id, "blocking-in-handler");
	outcome_check(cid, "interruptibility at the handler's VMCALL", &want, &got);

	/* 2. The handler's IRETQ pops its frame from the restricted page. */
	ept_set_perms(&g->env.ept, g->stack_gpa, EPT_LEVEL_PTE, p->rwx);
	event_guest_expect(g, slot, false, c->nmi, false, &o);
	vcpu_skip_instruction(g->env.vcpu, &e);
	ept_invalidate(&g->env.ept);
	e = vmx_run_guest(g->env.vcpu);
	memset(&want, 0, sizeof(want));
	memset(&got, 0, sizeof(got));
	outcome_want_exit(&want, &o);
	if (o.kind == EPT_OUTCOME_TRANSLATION)	/* back at the frame's RIP */
		outcome_set(&want, FLD_VALUE, ret, ~0ull);
	outcome_got_exit(&got, &e);
	got.v[FLD_VALUE] = e.guest_rip;
	if (!outcome_check(id, words, &want, &got))
		vmx_exit_report_info(&e);

	case_id(cid, sizeof(cid), id, "blocking-after");
	report_expect_mask(cid, "intr", e.interruptibility, blocking_after(c), GUEST_INTR_BLOCK_NMI,
			   "interruptibility bit 3 = %d after the IRET%s", blocking_after(c) != 0,
			   o.kind == EPT_OUTCOME_VIOLATION ? " that faulted" : "");
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	ept_set_perms(&g->env.ept, g->stack_gpa, EPT_LEVEL_PTE, EPT_RWX_MASK);
}

static void ept_nmi(void)
{
	static struct nmi_test t;

	memset(&t, 0, sizeof(t));
	report_prefix_push("ept.nmi");
	if (event_guest_init(&t.g, &t.why)) {
		t.why = NULL;
		t.pin_base = vmcs_read(VMCS_PIN_BASED_CONTROLS) & ~(PIN_NMI_EXITING | PIN_VIRTUAL_NMIS);
	}
	cases_run(ARRAY_SIZE(configs) * ARRAY_SIZE(perms), nmi_case, &t);
	if (!t.why)
		ept_env_exit(&t.g.env);
	report_prefix_pop();
}

TEST("ept_nmi", ept_nmi);
