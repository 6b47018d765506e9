#include "libcflat.h"
#include "x86/processor.h"
#include "x86/console.h"
#include "x86/multiboot.h"

/* 16550 UART at COM1 */
#define COM1            0x3f8
#define UART_THR        0
#define UART_IER        1
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define UART_LSR_THRE   0x20	/* transmit holding register empty */
#define UART_LSR_TEMT   0x40	/* transmitter empty */

/* Bochs' port_e9_hack and QEMU's debugcon read back 0xE9 */
#define DEBUG_PORT      0xe9

#define VGA_TEXT        0xb8000
#define VGA_COLS        80
#define VGA_ROWS        25
#define VGA_ATTR        0x0700	/* light grey on black */

static bool have_com1, have_e9;
static volatile uint16_t *vga = (volatile uint16_t *)VGA_TEXT;
static unsigned vga_cols = VGA_COLS, vga_rows = VGA_ROWS, vga_x, vga_y;

/* A missing UART reads back 0xff from every register: bounded waits. */
static void com1_wait(uint8_t bit)
{
	for (unsigned spin = 0; spin < 1000000; spin++)
		if (inb(COM1 + UART_LSR) & bit)
			return;
}

static void com1_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);	/* DLAB: divisor follows */
	outb(COM1 + 0, 0x01);		/* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + UART_LCR, 0x03);	/* 8N1 */
	outb(COM1 + UART_FCR, 0xc7);	/* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x03);	/* DTR, RTS */
	have_com1 = inb(COM1 + UART_LSR) != 0xff;
}

static void vga_scroll(void)
{
	for (unsigned i = 0; i < (vga_rows - 1) * vga_cols; i++)
		vga[i] = vga[i + vga_cols];
	for (unsigned i = 0; i < vga_cols; i++)
		vga[(vga_rows - 1) * vga_cols + i] = VGA_ATTR | ' ';
	vga_y = vga_rows - 1;
}

static void vga_putchar(char c)
{
	if (!vga)
		return;
	if (c == '\n') {
		vga_x = 0;
		if (++vga_y >= vga_rows)
			vga_scroll();
		return;
	}
	if (vga_x >= vga_cols) {
		vga_x = 0;
		if (++vga_y >= vga_rows)
			vga_scroll();
	}
	vga[vga_y * vga_cols + vga_x++] = VGA_ATTR | (uint8_t)c;
}

void console_init(const struct multiboot_info *mbi)
{
	com1_init();
	have_e9 = inb(DEBUG_PORT) == DEBUG_PORT;

	/* With a framebuffer from the loader, use its text geometry; an RGB
	 * framebuffer (UEFI) has no text cells, so the screen stays dark. */
	if (mbi && (mbi->flags & MBI_FLAG_FRAMEBUFFER)) {
		if (mbi->framebuffer_type == MB_FRAMEBUFFER_TYPE_EGA_TEXT) {
			vga = (volatile uint16_t *)(uintptr_t)mbi->framebuffer_addr;
			vga_cols = mbi->framebuffer_width;
			vga_rows = mbi->framebuffer_height;
		} else {
			vga = NULL;
		}
	}
	if (vga)
		for (unsigned i = 0; i < vga_cols * vga_rows; i++)
			vga[i] = VGA_ATTR | ' ';
}

void console_putchar(char c)
{
	if (have_com1) {
		if (c == '\n') {
			com1_wait(UART_LSR_THRE);
			outb(COM1 + UART_THR, '\r');
		}
		com1_wait(UART_LSR_THRE);
		outb(COM1 + UART_THR, (uint8_t)c);
	}
	if (have_e9)
		outb(DEBUG_PORT, (uint8_t)c);
	vga_putchar(c);
}

void console_flush(void)
{
	if (have_com1)
		com1_wait(UART_LSR_TEMT);
}

void arch_putchar(char c)
{
	console_putchar(c);
}
