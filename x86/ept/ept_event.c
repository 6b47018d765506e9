/*
 * ept_event: EPT violations during event delivery in a 64-bit guest.  The
 * guest raises an exception or software interrupt (INT3, UD2, INT 0x40, a
 * #GP(0) with its error code) that it delivers itself through its own IDT
 * (the exception bitmap bits of those vectors are cleared), while its IDT
 * page, GDT page or stack page has restricted EPT permissions
 * (ept_event_guest.h says where each lies).
 *
 * What the SDM says:
 *  - reading the gate (IDT base + 16 * vector), the code-segment
 *    descriptor (GDT base + selector) and pushing the frame are accesses
 *    to linear addresses, checked by EPT like any other (29.3.3.2): the
 *    model computes the exit (qualification bits 7 and 8 = 1, GLA, GPA;
 *    bit 12 undefined during event delivery, Table 28-7);
 *  - the IDT-vectoring information describes the event being delivered:
 *    valid, vector, type, error-code valid, with the error code in the
 *    IDT-vectoring error code field (28.2.4; Table 25-17: bit 12
 *    undefined, so not compared);
 *  - for a software interrupt or software exception the VM-exit
 *    instruction length is that of the instruction (28.2.4).
 * With the page accessible the handler runs: a VMCALL at guest_ev_handler.
 */
#include "libcflat.h"
#include "test.h"
#include "x86/ept_matrix.h"
#include "cases.h"
#include "ept_event_guest.h"

#define NONCANONICAL 0x8000000000000000ull
/* IDT-vectoring information bits defined here: all but bit 12, which is
 * undefined (Table 25-17) */
#define IDT_VEC_DEFINED (0xffffffffu & ~(uint32_t)INTR_INFO_NMI_UNBLOCKING)

static const struct event_desc {
	const char *name, *words;
	const char *stub;
	unsigned vector, type;
	bool error_code;
	unsigned insn_len;	/* software events: their instruction's length */
} events[] = {
	{ "int3",  "INT3",            guest_ev_int3,  BP_VECTOR, INTR_TYPE_SW_EXCEPTION, false, 1 },
	{ "ud2",   "UD2",             guest_ev_ud2,   UD_VECTOR, INTR_TYPE_HW_EXCEPTION, false, 0 },
	{ "int40", "INT 0x40",        guest_ev_int40, 0x40,      INTR_TYPE_SW_INTERRUPT, false, 2 },
	{ "gp",    "#GP(0) on a non-canonical load", guest_ev_gp, GP_VECTOR,
	  INTR_TYPE_HW_EXCEPTION, true, 0 },
};

enum where { WHERE_IDT, WHERE_GDT, WHERE_STACK };
static const char *const where_name[] = { "idt", "gdt", "stack" };
static const char *const where_words[] = { "IDT page", "GDT page", "stack page" };


struct event_test {
	struct event_guest g;
	const char *why;	/* NULL: the environment is up */
};

static void event_case(void *ctx, unsigned i)
{
	struct event_test *t = ctx;
	struct event_guest *g = &t->g;
	const struct event_desc *ev = &events[i / (ARRAY_SIZE(where_name) * ARRAY_SIZE(matrix_restrictions))];
	enum where w = (enum where)(i / ARRAY_SIZE(matrix_restrictions) % ARRAY_SIZE(where_name));
	const struct matrix_restriction *p = &matrix_restrictions[i % ARRAY_SIZE(matrix_restrictions)];
	char id[64], cid[96], words[128];
	uint64_t gla, gpa;
	struct outcome want, got;
	struct ept_outcome o;
	struct vmx_exit e;

	/* A frame with an error code has two slots below a 16-byte boundary:
	 * which is written first is not architectural. */
	if (w == WHERE_STACK && ev->error_code)
		return;
	snprintf(id, sizeof(id), "%s.%s.%s", ev->name, where_name[w], p->name);
	snprintf(words, sizeof(words), "%s delivered with the guest %s EPT %s", ev->words,
		 where_words[w], ept_perm_str(p->rwx));
	if (t->why) {
		report_skip(id, words, "%s", t->why);
		return;
	}
	if (p->rwx == EPT_EXEC && !ept_cap(EPT_CAP_EXEC_ONLY)) {
		report_skip(id, words, "IA32_VMX_EPT_VPID_CAP bit 0 (execute-only translations) = 0");
		return;
	}
	switch (w) {
	case WHERE_IDT:
		gla = g->idt_gla + 16 * ev->vector;
		gpa = g->idt_gpa;
		break;
	case WHERE_GDT:
		gla = g->gdt_gla + (SEL_CODE64 & ~7);
		gpa = g->gdt_gpa;
		break;
	default:
		gla = g->stack_gla + PAGE_4K - 8;	/* the RIP slot */
		gpa = g->stack_gpa;
		break;
	}

	/* The state of this case: the guest delivers these events itself
	 * (SDM 25.6.3), nothing injected or blocked, one page restricted. */
	vmcs_clear_bits(VMCS_EXCEPTION_BITMAP, BIT(BP_VECTOR) | BIT(UD_VECTOR) | BIT(GP_VECTOR));
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	ept_set_perms(&g->env.ept, g->idt_gpa, EPT_LEVEL_PTE, EPT_RWX_MASK);
	ept_set_perms(&g->env.ept, g->gdt_gpa, EPT_LEVEL_PTE, EPT_RWX_MASK);
	ept_set_perms(&g->env.ept, g->stack_gpa, EPT_LEVEL_PTE, EPT_RWX_MASK);
	ept_set_perms(&g->env.ept, gpa, EPT_LEVEL_PTE, p->rwx);
	event_guest_expect(g, gla, w == WHERE_STACK, false, true, &o);

	vcpu_set_entry(g->env.vcpu, (void (*)(void))ev->stub, NONCANONICAL);
	vmcs_write(VMCS_GUEST_RSP, g->rsp);
	ept_invalidate(&g->env.ept);
	e = vmx_run_guest(g->env.vcpu);

	memset(&want, 0, sizeof(want));
	memset(&got, 0, sizeof(got));
	outcome_want_exit(&want, &o);
	outcome_got_exit(&got, &e);
	if (o.kind == EPT_OUTCOME_VIOLATION)
		/* during event delivery: <id>.idt-vectoring compares it */
		outcome_set(&want, FLD_IDT_VEC, 0, 0);
	if (!outcome_check(id, words, &want, &got))
		vmx_exit_report_info(&e);

	if (o.kind == EPT_OUTCOME_VIOLATION) {
		uint32_t vec = INTR_INFO_VALID | ((uint32_t)ev->type << INTR_INFO_TYPE_SHIFT) |
			       ev->vector | (ev->error_code ? INTR_INFO_ERROR_CODE_VALID : 0);

		snprintf(cid, sizeof(cid), "%s.idt-vectoring", id);
		report_expect_mask(cid, "idt_vec", e.idt_vectoring_info, vec, IDT_VEC_DEFINED,
				   "IDT-vectoring information names %s (vector %u, type %u)",
				   ev->words, ev->vector, ev->type);
		if (ev->error_code) {
			snprintf(cid, sizeof(cid), "%s.idt-error", id);
			report_expect_mask(cid, "error_code", e.idt_vectoring_error, 0, 0xffffffffu,
					   "IDT-vectoring error code is the #GP error code 0");
		}
		if (ev->insn_len) {
			snprintf(cid, sizeof(cid), "%s.insn-len", id);
			report_expect_u64(cid, "value", e.instruction_len, ev->insn_len,
					  "VM-exit instruction length is that of %s", ev->words);
		}
	} else if (o.kind == EPT_OUTCOME_TRANSLATION) {
		snprintf(cid, sizeof(cid), "%s.handler", id);
		report_expect_u64(cid, "value", e.guest_rip, (uintptr_t)guest_ev_handler,
				  "the event reached the guest's handler");
	}
}

static void ept_event(void)
{
	static struct event_test t;

	memset(&t, 0, sizeof(t));
	report_prefix_push("ept.event");
	if (event_guest_init(&t.g, &t.why))
		t.why = NULL;
	cases_run(ARRAY_SIZE(events) * ARRAY_SIZE(where_name) * ARRAY_SIZE(matrix_restrictions), event_case, &t);
	if (!t.why)
		ept_env_exit(&t.g.env);
	report_prefix_pop();
}

TEST("ept_event", ept_event);
