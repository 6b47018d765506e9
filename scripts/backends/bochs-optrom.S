/*
 * The Bochs backend's boot loader: an option ROM that starts a multiboot
 * kernel without GRUB.  Booting GRUB from a CD costs Bochs about 50
 * million emulated instructions (most of it decompressing GRUB's core),
 * twenty times what the kernel needs to get going; this costs a few
 * hundred.
 *
 * Bochs loads the kernel's memory image (objcopy -O binary) at its load
 * address with "optramimage1:" and this ROM with "optromimage1:" at
 * ROM_BASE.  The BIOS calls the ROM at offset 3 during POST; the ROM
 * never returns: it enters 32-bit protected mode, clears the kernel's
 * BSS, builds a multiboot information structure (memory sizes and the
 * command line) and jumps to the kernel's entry point with EAX =
 * 0x2BADB002 and EBX = that structure, as the Multiboot Specification
 * 0.6.96, section 3.2, says a loader does.  scripts/backends/bochs.sh
 * fills in the parameters below, appends the command line at CMDLINE
 * and sets the checksum byte (the last one) so that the ROM's bytes add
 * up to 0.
 */
#define ROM_BASE	0xd0000
#define ROM_SIZE	8192
#define MBI		0x8000		/* free conventional memory */
#define MBI_FLAGS	0x5		/* mem_lower/mem_upper, cmdline */
#define MB_LOADER_MAGIC	0x2badb002

	.code16
	.text
	.globl _start
_start:
	.byte 0x55, 0xaa, ROM_SIZE / 512
	jmp init

	/* parameters, at offset 0x10 (bochs.sh writes them) */
	.org 0x10
entry:		.long 0		/* the kernel's entry point */
bss_start:	.long 0		/* [bss_start, bss_end) is cleared */
bss_end:	.long 0
mem_upper:	.long 0		/* KiB of memory from 1 MiB on */

init:
	cli
	cld
	/* A20 on (port 0x92, "fast A20"), without resetting the machine */
	inb $0x92, %al
	orb $2, %al
	andb $0xfe, %al
	outb %al, $0x92
	lgdtl %cs:(gdt_desc - _start)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $pm32

	.code32
pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl $0x7c00, %esp
	movl bss_start, %edi
	movl bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $MBI, %edi
	movl $32, %ecx
	rep stosl
	movl $MBI, %ebx
	movl $MBI_FLAGS, (%ebx)
	movl $640, 4(%ebx)
	movl mem_upper, %eax
	movl %eax, 8(%ebx)
	movl $cmdline, 16(%ebx)
	movl $MB_LOADER_MAGIC, %eax
	jmp *entry

	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code, base 0, 4 GiB */
	.quad 0x00cf92000000ffff	/* 0x10: data, base 0, 4 GiB */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	/* the command line, NUL-terminated, up to the checksum byte */
	.org 0x100
cmdline:
