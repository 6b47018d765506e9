/*
 * Guest code for EPT tests: one access, then VMCALL back to the host.
 * RDI = the linear address, RSI = the value to write.  A read leaves the
 * value in RAX; a fetch jumps to RDI, where the test put a VMCALL.
 *
 * Shadow-stack accesses (CR4.CET = 1, IA32_S_CET.SH_STK_EN = 1; WRSS also
 * WR_SHSTK_EN): no CALL or RET here, so the access below is the guest's
 * only shadow-stack access.  A shadow-stack read is INCSSPQ by one entry
 * (its loads are both at SSP, which the host set to RDI), then RDSSPQ
 * leaves the new SSP in RAX.
 */
	.text
	.code64
	.globl guest_op_read, guest_op_write, guest_op_rmw, guest_op_fetch
	.globl guest_op_ss_read, guest_op_ss_write, guest_op_uss_write
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
guest_op_ss_read:
	mov $1, %eax
	incsspq %rax
	rdsspq %rax
	vmcall
guest_op_ss_write:
	wrssq %rsi, (%rdi)
	vmcall
guest_op_uss_write:
	wrussq %rsi, (%rdi)
	vmcall
