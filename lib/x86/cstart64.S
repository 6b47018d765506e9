/*
 * Multiboot v1 entry and the switch to 64-bit mode.
 *
 * GRUB and QEMU -kernel enter here in 32-bit protected mode, paging off,
 * with EAX = 0x2BADB002 and EBX = the multiboot information (Multiboot
 * Specification 0.6.96, section 3.2).  We identity-map the first 4 GiB
 * with 2 MiB pages (enough for RAM below 4G, VGA, the LAPIC and the
 * firmware), enable long mode (SDM Vol. 3A 10.8.5) and call setup() in C.
 */

#define MB_MAGIC        0x1badb002
#define MB_FLAG_ALIGN   (1 << 0)	/* modules page-aligned */
#define MB_FLAG_MEMINFO (1 << 1)	/* we want mem_* and mmap_* */
#define MB_FLAG_VIDEO   (1 << 2)	/* we want framebuffer info */
#define MB_FLAGS        (MB_FLAG_ALIGN | MB_FLAG_MEMINFO | MB_FLAG_VIDEO)

#define BOOT_STACK_SIZE 65536

	.section .multiboot, "a"
	.align 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	/* address fields: unused, the loader takes addresses from the ELF */
	.long 0, 0, 0, 0, 0
	/* video fields: mode_type 1, EGA text 80x25.  Without MB_FLAG_VIDEO,
	 * GRUB on UEFI (which has no VGA text) passes no screen at all; with
	 * it, the gfxpayload of our grub.cfg decides: "text" on BIOS gives
	 * VGA text (framebuffer type 2), "keep" on UEFI the firmware's GOP
	 * mode (type 1, RGB), which fbcon.c draws on.  (Asking for linear
	 * graphics here makes GRUB on BIOS pick a VBE mode despite
	 * gfxpayload=text.)  QEMU -kernel ignores the request, says
	 * "multiboot knows VBE. we don't" on stderr, and passes no
	 * framebuffer: VGA text at 0xB8000, as before. */
	.long 1, 80, 25, 0

	.section .data
	.align 4096
boot_pml4:
	.quad boot_pdpt + 0x3
	.fill 511, 8, 0
boot_pdpt:
	.quad boot_pd + 0x0000 + 0x3
	.quad boot_pd + 0x1000 + 0x3
	.quad boot_pd + 0x2000 + 0x3
	.quad boot_pd + 0x3000 + 0x3
	.fill 508, 8, 0
boot_pd:
	.fill 4 * 512, 8, 0		/* filled in by start32 */

	.align 16
boot_gdt:
	.quad 0				/* 0x00 null */
	.quad 0x00af9b000000ffff	/* 0x08 64-bit code, DPL 0 */
	.quad 0x00cf93000000ffff	/* 0x10 data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.globl mb_magic, mb_info
mb_magic:	.long 0
mb_info:	.long 0

	.section .bss
	.align 4096
	.globl boot_stack_top
boot_stack:
	.fill BOOT_STACK_SIZE, 1, 0
boot_stack_top:

	.section .text.boot, "ax"
	.code32
	.globl start32
start32:
	cli
	cld
	mov $boot_stack_top, %esp
	mov %eax, mb_magic
	mov %ebx, mb_info

	/* 2048 PDEs: entry i maps i * 2 MiB, present + writable + PS */
	mov $boot_pd, %edi
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax
	mov %eax, (%edi, %ecx, 8)
	mov %ecx, %eax
	shr $11, %eax			/* bits 63:32 of i * 2 MiB */
	mov %eax, 4(%edi, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jne 1b

	mov %cr4, %eax
	or $(1 << 5), %eax		/* CR4.PAE */
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx		/* IA32_EFER */
	rdmsr
	or $(1 << 8), %eax		/* EFER.LME */
	wrmsr
	mov %cr0, %eax
	or $0x80000001, %eax		/* CR0.PG | CR0.PE */
	and $~0x60000000, %eax		/* caches on: CD = NW = 0 */
	mov %eax, %cr0
	lgdt boot_gdt_ptr
	ljmp $0x08, $start64

	.code64
start64:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %ax, %ax
	mov %ax, %fs
	mov %ax, %gs
	mov $boot_stack_top, %rsp
	xor %ebp, %ebp
	mov mb_magic(%rip), %edi
	mov mb_info(%rip), %esi
	call setup
2:	cli
	hlt
	jmp 2b
