/*
 * 64-bit guest code for EPT violations during event delivery (x86/ept/
 * ept_event.c, ept_nmi.c).  The guest's IDT sends every vector to
 * guest_ev_handler, which calls the host (VMCALL) and then returns with
 * IRETQ; guest_ev_after is where an injected event returns to.
 */
	.text
	.code64
	.globl guest_ev_int3, guest_ev_ud2, guest_ev_int40, guest_ev_gp
	.globl guest_ev_handler, guest_ev_after
guest_ev_int3:
	int3
	vmcall
guest_ev_ud2:
	ud2
guest_ev_int40:
	int $0x40
	vmcall
/* RDI holds a non-canonical address: #GP(0) (SDM Vol. 3A 3.3.7.1) */
guest_ev_gp:
	mov (%rdi), %rax
	vmcall
guest_ev_handler:
	vmcall
	iretq
guest_ev_after:
	vmcall
