/*
 * A 64-bit guest that delivers events itself, with its IDT, GDT and stack
 * on window pages the test restricts in EPT (ept_event.c, ept_nmi.c).
 *
 *   IDT: 256 interrupt gates (type 14, DPL 0) to guest_ev_handler, CS =
 *        SEL_CODE64, on a page of its own;
 *   GDT: a copy of the kernel's (its descriptors already have their
 *        accessed flags set, so delivery only reads it);
 *   stack: two window pages, the frame straddling them so that exactly one
 *        8-byte slot -- the lowest, RIP -- lies in the lower page, the one
 *        restricted: the access that faults is then that slot, whatever
 *        order the processor pushes or pops in.  64-bit delivery aligns
 *        RSP to 16 and pushes SS, RSP, RFLAGS, CS, RIP (SDM Vol. 3A
 *        6.14.2): RSP = lower page end + 32 puts RIP at end - 8.
 */
#ifndef X86_EPT_EVENT_GUEST_H
#define X86_EPT_EVENT_GUEST_H

#include "libcflat.h"
#include "x86/alloc.h"
#include "x86/desc.h"
#include "x86/ept_env.h"

extern char guest_ev_int3[], guest_ev_ud2[], guest_ev_int40[], guest_ev_gp[];
extern char guest_ev_handler[], guest_ev_after[];

struct event_guest {
	struct ept_env env;
	uint64_t idt_gla, idt_gpa;
	uint64_t gdt_gla, gdt_gpa;
	uint64_t stack_gla, stack_gpa;	/* the lower (restricted) stack page */
	uint64_t rsp;			/* RSP before delivery */
};

static inline uint64_t event_guest_map_page(struct event_guest *g, void *page, uint64_t *gpa)
{
	*gpa = ept_env_gpa(&g->env, (uintptr_t)page);
	return ept_env_map(&g->env, (uintptr_t)page, PAGE_4K, EPT_RWX_MASK | EPT_WB, PAGE_4K,
			   PTE_WRITE | PTE_ACCESSED | PTE_DIRTY);
}

static inline bool event_guest_init(struct event_guest *g, const char **why)
{
	struct idt_gate *idt_page;
	uint8_t *stack;
	uint64_t h = (uintptr_t)guest_ev_handler, upper_gpa;

	if (!ept_env_init(&g->env, &(struct ept_env_config){ 0 }, why))
		return false;
	idt_page = alloc_page();
	for (unsigned v = 0; v < 256; v++) {
		/* SDM Vol. 3A 6.14.1, Figure 6-8: 64-bit interrupt gate */
		idt_page[v].lo = (h & 0xffff) | ((uint64_t)SEL_CODE64 << 16) | (0x8eull << 40) |
				 ((h >> 16 & 0xffff) << 48);
		idt_page[v].hi = h >> 32;
	}
	g->idt_gla = event_guest_map_page(g, idt_page, &g->idt_gpa);
	{
		uint64_t *gdt_page = alloc_page();

		memcpy(gdt_page, gdt, sizeof(gdt));
		g->gdt_gla = event_guest_map_page(g, gdt_page, &g->gdt_gpa);
	}
	stack = alloc_aligned(2 * PAGE_4K, PAGE_4K);
	memset(stack, 0, 2 * PAGE_4K);
	g->stack_gla = event_guest_map_page(g, stack, &g->stack_gpa);
	event_guest_map_page(g, stack + PAGE_4K, &upper_gpa);
	g->rsp = g->stack_gla + PAGE_4K + 32;

	vmcs_write(VMCS_GUEST_IDTR_BASE, g->idt_gla);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 256 * 16 - 1);
	vmcs_write(VMCS_GUEST_GDTR_BASE, g->gdt_gla);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, sizeof(gdt) - 1);
	return true;
}

/* The guest's view of the access, for the model: an implicit supervisor
 * access during event delivery (qualification bit 12 then undefined,
 * Table 28-7). */
static inline void event_guest_expect(struct event_guest *g, uint64_t gla, bool write,
				      bool iret_nmi_unblock, bool event_delivery,
				      struct ept_outcome *o)
{
	struct linear_access la = {
		.gla = gla, .kind = write ? LINEAR_WRITE : LINEAR_READ, .implicit = true,
		.iret_nmi_unblock = iret_nmi_unblock, .event_delivery = event_delivery,
	};
	struct guest_state gs;

	ept_env_guest_state(&gs);
	g->env.model.eptp = vmcs_read(VMCS_EPT_POINTER);
	ept_model_linear(&g->env.model, &gs, &la, o, NULL);
}

#endif
