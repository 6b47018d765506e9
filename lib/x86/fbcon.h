/*
 * Text console on a linear RGB framebuffer (what GRUB's multiboot hands
 * over under UEFI, where there is no VGA text mode).  The glyphs come from
 * a GRUB PF2 font that the loader passes as a multiboot module; the
 * repository carries no font data.
 */
#ifndef LIB_X86_FBCON_H
#define LIB_X86_FBCON_H

#include <stdbool.h>
#include <stddef.h>

struct multiboot_info;

enum fbcon_color {
	FBCON_GREY,		/* normal text */
	FBCON_GREEN,
	FBCON_RED,
	FBCON_NCOLORS
};

/*
 * Take over the screen if @mbi describes an RGB framebuffer (16, 24 or 32
 * bpp) and a PF2 font module is loaded.  Returns true when the console is
 * up.  Either way @why (of @size bytes) says what was found, for the
 * serial log: the geometry and font, or why the screen stays dark.
 */
bool fbcon_init(const struct multiboot_info *mbi, char *why, size_t size);
void fbcon_putchar(char c);
/* Repaint the last @n characters before the cursor, on its row, in @color. */
void fbcon_recolor(unsigned n, enum fbcon_color color);

#endif
