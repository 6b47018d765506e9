/* setjmp/longjmp for x86-64: callee-saved registers, stack and return. */
	.text
	.globl setjmp
setjmp:
	mov (%rsp), %rax	/* return address */
	mov %rax, 0(%rdi)
	lea 8(%rsp), %rax	/* caller's rsp after return */
	mov %rax, 8(%rdi)
	mov %rbx, 16(%rdi)
	mov %rbp, 24(%rdi)
	mov %r12, 32(%rdi)
	mov %r13, 40(%rdi)
	mov %r14, 48(%rdi)
	mov %r15, 56(%rdi)
	xor %eax, %eax
	ret

	.globl longjmp
longjmp:
	mov %esi, %eax
	test %eax, %eax
	jnz 1f
	inc %eax
1:	mov 8(%rdi), %rsp
	mov 16(%rdi), %rbx
	mov 24(%rdi), %rbp
	mov 32(%rdi), %r12
	mov 40(%rdi), %r13
	mov 48(%rdi), %r14
	mov 56(%rdi), %r15
	jmp *0(%rdi)
