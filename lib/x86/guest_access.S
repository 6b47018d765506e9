/*
 * Guest code for EPT tests: one access, then VMCALL back to the host.
 * RDI = the linear address, RSI = the value to write.  A read leaves the
 * value in RAX; a fetch jumps to RDI, where the test put a VMCALL.
 */
	.text
	.code64
	.globl guest_op_read, guest_op_write, guest_op_rmw, guest_op_fetch
guest_op_read:
	mov (%rdi), %rax
	vmcall
guest_op_write:
	mov %rsi, (%rdi)
	vmcall
guest_op_rmw:
	lock addq %rsi, (%rdi)
	vmcall
guest_op_fetch:
	jmp *%rdi
