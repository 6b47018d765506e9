/*
 * ept_nmi: an IRET whose own memory access causes an EPT violation, and
 * "NMI unblocking due to IRET" (exit qualification bit 12).
 *
 * The host injects an NMI at VM entry (VM-entry interruption information,
 * type 2, vector 2: SDM 27.6.1); the guest's handler (ept_event_guest.h)
 * calls the host, which then restricts the stack page holding the frame's
 * RIP slot; the handler's IRETQ reads that slot and faults in EPT.
 *
 * What the SDM says:
 *  - Table 28-7, bit 12: undefined if "NMI exiting" = 1 and "virtual NMIs"
 *    = 0, or during event delivery; otherwise set iff the violation came
 *    from a memory access of IRET executed with blocking by NMI (virtual-NMI
 *    blocking when "virtual NMIs" = 1) in effect before it (28.2.3);
 *  - 28.1 ("architectural state before a VM exit"): such a violation
 *    during IRET clears blocking by NMI (NMI exiting = 0) or virtual-NMI
 *    blocking (virtual NMIs = 1) before the VM exit, so the saved
 *    interruptibility state has bit 3 clear and bit 12 is the VMM's only
 *    record of it;
 *  - after the injected NMI is delivered, blocking by NMI (virtual-NMI
 *    blocking) is in effect (27.6.1.2 / Table 25-3): interruptibility bit 3
 *    is 1 at the handler's VMCALL.
 * The control: IRET from a software-interrupt handler (INT 0x40), no NMI
 * blocking: bit 12 = 0.
 */
#include "libcflat.h"
#include "test.h"
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

static void nmi_case(struct event_guest *g, const char *skip_why, const struct nmi_config *c,
		     const struct perm_desc *p, uint32_t pin_base)
{
	uint64_t slot = g->stack_gla + PAGE_4K - 8;	/* RIP, the first slot IRET pops */
	bool bit12_defined = !(c->pin & PIN_NMI_EXITING) || (c->pin & PIN_VIRTUAL_NMIS);
	char id[64], cid[96], words[128];
	struct ept_outcome o;
	struct vmx_exit e;

	snprintf(id, sizeof(id), "%s.%s", c->name, p->name);
	snprintf(words, sizeof(words), "IRET from the handler of an %s, frame's RIP slot EPT %s",
		 c->words, ept_perm_str(p->rwx));
	if (skip_why) {
		report_skip(id, words, "%s", skip_why);
		return;
	}
	if (!vmx_ctl_allowed(&vmx_caps.pin, c->pin)) {
		report_skip(id, words, "IA32_VMX_%sPINBASED_CTLS allowed-1 bits 35/37 (NMI exiting, "
			    "virtual NMIs) = 0", vmx_caps.basic & VMX_BASIC_TRUE_CTLS ? "TRUE_" : "");
		return;
	}
	if (p->rwx == EPT_EXEC && !ept_cap(EPT_CAP_EXEC_ONLY)) {
		report_skip(id, words, "IA32_VMX_EPT_VPID_CAP bit 0 (execute-only translations) = 0");
		return;
	}

	vmcs_write(VMCS_PIN_BASED_CONTROLS, pin_base | c->pin);
	g->env.model.ctl.nmi_exiting = c->pin & PIN_NMI_EXITING;
	g->env.model.ctl.virtual_nmis = c->pin & PIN_VIRTUAL_NMIS;
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	ept_set_perms(&g->env.ept, g->stack_gpa, EPT_LEVEL_PTE, EPT_RWX_MASK);
	if (c->nmi) {
		vcpu_set_entry(g->env.vcpu, (void (*)(void))guest_ev_after, 0);
		vmcs_write(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID |
			   ((uint64_t)INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT) | NMI_VECTOR);
	} else {
		vcpu_set_entry(g->env.vcpu, (void (*)(void))guest_ev_int40, 0);
	}
	vmcs_write(VMCS_GUEST_RSP, g->rsp);
	ept_invalidate(&g->env.ept);

	/* 1. The event is delivered: the handler's VMCALL. */
	e = vmx_run_guest(g->env.vcpu);
	snprintf(cid, sizeof(cid), "%s.handler", id);
	if (!report_expect_u64(cid, e.kind == VMX_EXIT_VMEXIT && e.basic_reason == EXIT_REASON_VMCALL ?
			       e.guest_rip : 0, (uintptr_t)guest_ev_handler,
			       "the %s reached the guest's handler", c->words)) {
		vmx_exit_report_info(&e);
		vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
		return;
	}
	snprintf(cid, sizeof(cid), "%s.blocking-in-handler", id);
	report_expect_u64(cid, e.interruptibility & GUEST_INTR_BLOCK_NMI, c->nmi ? GUEST_INTR_BLOCK_NMI : 0,
			  "interruptibility bit 3 (blocking by %sNMI) in the handler",
			  c->pin & PIN_VIRTUAL_NMIS ? "virtual " : "");

	/* 2. The handler's IRETQ pops its frame from the restricted page. */
	ept_set_perms(&g->env.ept, g->stack_gpa, EPT_LEVEL_PTE, p->rwx);
	event_guest_expect(g, slot, false, c->nmi, false, &o);
	vcpu_skip_instruction(g->env.vcpu, &e);
	ept_invalidate(&g->env.ept);
	e = vmx_run_guest(g->env.vcpu);
	if (expect_ept_outcome(id, words, &o, &e) && bit12_defined) {
		/* 28.1: the IRET's violation cleared the blocking before the
		 * exit; a completed IRET unblocked NMIs (6.7.1) too. */
		snprintf(cid, sizeof(cid), "%s.blocking-after", id);
		report_expect_u64(cid, e.interruptibility & GUEST_INTR_BLOCK_NMI, 0,
				  "interruptibility bit 3 clear after the IRET%s",
				  o.kind == EPT_OUTCOME_VIOLATION ? " that faulted (qual bit 12 records it)" : "");
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	ept_set_perms(&g->env.ept, g->stack_gpa, EPT_LEVEL_PTE, EPT_RWX_MASK);
}

static void ept_nmi(void)
{
	struct event_guest g;
	const char *why = NULL;
	uint32_t pin_base = 0;
	bool ready;

	report_prefix_push("ept.nmi");
	ready = event_guest_init(&g, &why);
	if (ready)
		pin_base = vmcs_read(VMCS_PIN_BASED_CONTROLS) & ~(PIN_NMI_EXITING | PIN_VIRTUAL_NMIS);
	for (unsigned i = 0; i < ARRAY_SIZE(configs); i++)
		for (unsigned p = 0; p < ARRAY_SIZE(perms); p++)
			nmi_case(&g, ready ? NULL : why, &configs[i], &perms[p], pin_base);
	if (ready)
		ept_env_exit(&g.env);
	report_prefix_pop();
}

TEST("ept_nmi", ept_nmi);
