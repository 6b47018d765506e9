/*
 * 32-bit guest code for EPT tests (guests with "IA-32e mode guest" = 0:
 * PAE, 32-bit paging, paging off): one access, then VMCALL back to the
 * host, like guest_access.S.  EDI = the linear address, ESI = the value
 * to write; a read leaves the value in EAX; a fetch jumps to EDI, where
 * the test put a VMCALL.  The kernel is linked below 4 GiB, so these run
 * at their link addresses in 32-bit mode.
 */
	.text
	.code32
	.globl guest32_op_read, guest32_op_write, guest32_op_rmw, guest32_op_fetch
	.globl guest32_mov_cr3
guest32_op_read:
	mov (%edi), %eax
	vmcall
guest32_op_write:
	mov %esi, (%edi)
	vmcall
guest32_op_rmw:
	lock addl %esi, (%edi)
	vmcall
guest32_op_fetch:
	jmp *%edi
/* MOV to CR3 with EDI: with PAE paging it loads the PDPTE registers from
 * the PDPT at EDI[31:5] (SDM Vol. 3A 4.4.1), through EPT. */
guest32_mov_cr3:
	mov %edi, %cr3
	vmcall
	.code64
