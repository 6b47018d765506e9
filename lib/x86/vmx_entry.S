/*
 * Entering a guest and coming back from it.
 *
 * int vmx_enter(struct guest_regs *regs, int launched)
 *   Saves the host's callee-saved registers, records the stack pointer as
 *   HOST_RSP, loads the guest GPRs from *regs and executes VMLAUNCH
 *   (launched == 0) or VMRESUME.  When that instruction fails it returns
 *   1 (VMfailInvalid, CF=1) or 2 (VMfailValid, ZF=1), SDM 31.2.
 *
 * vmx_exit_entry (HOST_RIP)
 *   On a VM exit the CPU loads HOST_RSP, so the stack is exactly as
 *   vmx_enter left it: the saved regs pointer on top.  The guest GPRs go
 *   back into *regs and vmx_enter returns 0.
 *
 * struct guest_regs order: rax rbx rcx rdx rsi rdi rbp r8..r15.
 */
#define VMCS_HOST_RSP 0x6c14

	.text
	.globl vmx_enter
vmx_enter:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi			/* regs, found again at the exit */

	mov $VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax
	jbe .Lfail			/* CF or ZF: VMfail */

	mov %esi, %eax
	test %eax, %eax
	mov 0x08(%rdi), %rbx
	mov 0x10(%rdi), %rcx
	mov 0x18(%rdi), %rdx
	mov 0x20(%rdi), %rsi
	mov 0x30(%rdi), %rbp
	mov 0x38(%rdi), %r8
	mov 0x40(%rdi), %r9
	mov 0x48(%rdi), %r10
	mov 0x50(%rdi), %r11
	mov 0x58(%rdi), %r12
	mov 0x60(%rdi), %r13
	mov 0x68(%rdi), %r14
	mov 0x70(%rdi), %r15
	mov 0x00(%rdi), %rax		/* mov leaves the flags of test alone */
	mov 0x28(%rdi), %rdi
	jnz 1f
	vmlaunch
	jmp .Lfail
1:	vmresume

.Lfail:
	/* CF=1: VMfailInvalid; ZF=1: VMfailValid */
	mov $1, %eax
	jc 2f
	mov $2, %eax
2:	pop %rdi
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

	.globl vmx_exit_entry
vmx_exit_entry:
	xchg %rdi, (%rsp)		/* rdi = regs; guest rdi on the stack */
	mov %rax, 0x00(%rdi)
	mov %rbx, 0x08(%rdi)
	mov %rcx, 0x10(%rdi)
	mov %rdx, 0x18(%rdi)
	mov %rsi, 0x20(%rdi)
	mov %rbp, 0x30(%rdi)
	mov %r8,  0x38(%rdi)
	mov %r9,  0x40(%rdi)
	mov %r10, 0x48(%rdi)
	mov %r11, 0x50(%rdi)
	mov %r12, 0x58(%rdi)
	mov %r13, 0x60(%rdi)
	mov %r14, 0x68(%rdi)
	mov %r15, 0x70(%rdi)
	pop %rax
	mov %rax, 0x28(%rdi)
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	xor %eax, %eax
	ret
