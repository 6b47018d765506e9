/* Multiboot v1 information structure (Multiboot Specification 0.6.96, 3.3). */
#ifndef LIB_X86_MULTIBOOT_H
#define LIB_X86_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002

#define MBI_FLAG_MEM            (1u << 0)
#define MBI_FLAG_CMDLINE        (1u << 2)
#define MBI_FLAG_MODS           (1u << 3)
#define MBI_FLAG_MMAP           (1u << 6)
#define MBI_FLAG_FRAMEBUFFER    (1u << 12)

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info, vbe_mode_info;
	uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch, framebuffer_width, framebuffer_height;
	uint8_t framebuffer_bpp, framebuffer_type;
	/* The color info at offset 112, not the 110 of the spec's table:
	 * GRUB fills in the spec's own example struct, unpacked, where the
	 * union holding a uint32_t is 4-byte aligned. */
	uint8_t color_info_pad[2];
	/* type 1 (RGB): bit position and width of each color field */
	uint8_t red_position, red_size;
	uint8_t green_position, green_size;
	uint8_t blue_position, blue_size;
} __attribute__((packed));

/* mods_addr points to mods_count of these (section 3.3) */
struct multiboot_module {
	uint32_t mod_start, mod_end;	/* [start, end) physical */
	uint32_t cmdline;		/* the module's command line */
	uint32_t reserved;
} __attribute__((packed));

#define MB_FRAMEBUFFER_TYPE_INDEXED  0
#define MB_FRAMEBUFFER_TYPE_RGB      1
#define MB_FRAMEBUFFER_TYPE_EGA_TEXT 2

struct multiboot_mmap_entry {
	uint32_t size;		/* of the rest of the entry */
	uint64_t addr, len;
	uint32_t type;		/* 1 = available RAM */
} __attribute__((packed));

#endif
