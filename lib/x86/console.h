/*
 * Console: COM1, Bochs/QEMU port 0xE9 when present, and the screen (VGA
 * text, or a linear framebuffer under UEFI), so that results show on a
 * bare-metal screen as well as on the serial line.
 */
#ifndef LIB_X86_CONSOLE_H
#define LIB_X86_CONSOLE_H

#include <stdint.h>

struct multiboot_info;

void console_init(const struct multiboot_info *mbi);
void console_putchar(char c);
/* Wait until COM1 has sent everything (LSR.TEMT). */
void console_flush(void);

/* What the results are shown on besides COM1, in words. */
const char *console_screen(void);

#endif
