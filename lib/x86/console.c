#include "libcflat.h"
#include "x86/processor.h"
#include "x86/console.h"
#include "x86/fbcon.h"
#include "x86/multiboot.h"
#include "x86/profile.h"

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
#define VGA_MAX_CELLS   (132 * 60)	/* the largest text mode we keep a shadow of */
#define VGA_MISC_READ   0x3cc		/* miscellaneous output register */
#define VGA_ATTR        0x0700	/* light grey on black */
#define VGA_CRTC_INDEX  0x3d4
#define VGA_CRTC_DATA   0x3d5
#define VGA_ATTR_GREEN  0x0a00	/* light green on black */
#define VGA_ATTR_RED    0x0c00	/* light red on black */

/* Result lines, shown in color on the screen: green when the token is
 * there, else red (lib/report.c prints the SUMMARY, lib/test.c the END). */
static const struct {
	const char *prefix, *pass;
} result_lines[] = {
	{ "eptest: SUMMARY ", " fail=0" },
	{ "eptest: END ", " failed=0" },
};

#define UART_FIFO_LEN   16	/* 16550A transmit FIFO */
#define UART_IIR        2	/* read: interrupt identification */
#define UART_IIR_FIFO   0xc0	/* both set: FIFOs enabled (16550A) */
/* LSR polls are I/O port reads, dearer under an emulator than ordinary
 * instructions: between two polls, this many PAUSEs */
#define COM1_POLL_GAP   16

/* which ports answered at boot (console_init()); which ones are in use */
static bool com1_found, e9_found, have_com1, have_e9;
/*
 * Characters COM1 takes without another LSR read: a 16550A with FIFOs on
 * reports THRE when its transmit FIFO is empty, so after THRE the next 16
 * characters fit (an 8250/16450 holds one).  Fewer status reads, and the
 * FIFO drains while the tests go on.
 */
static unsigned com1_fifo = 1, com1_room;
/*
 * VGA text: writes only.  Under a hypervisor every access to video memory
 * is an MMIO exit (about 10 ms a line under QEMU/KVM for a read-back
 * scroll), so the screen's contents live in a shadow and a scroll or a
 * recolor writes only the cells that change, a quarter screen at a time.
 */
static volatile uint16_t *vga = (volatile uint16_t *)VGA_TEXT;
static uint16_t vga_shadow[VGA_MAX_CELLS];
static unsigned vga_cols = VGA_COLS, vga_rows = VGA_ROWS, vga_x, vga_y;
static bool have_fb;
/* the start of the current line, to spot the SUMMARY line */
static char line[64];
static unsigned line_len;

/* A missing UART reads back 0xff from every register: bounded waits. */
static void com1_wait(uint8_t bit)
{
	for (unsigned spin = 0; spin < 1000000; spin++) {
		if (inb(COM1 + UART_LSR) & bit)
			return;
		for (unsigned i = 0; i < COM1_POLL_GAP; i++)
			__asm__ volatile("pause");
	}
}

static void com1_putc(uint8_t c)
{
	if (!com1_room) {
		com1_wait(UART_LSR_THRE);
		com1_room = com1_fifo;
	}
	outb(COM1 + UART_THR, c);
	com1_room--;
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
	com1_found = have_com1 = inb(COM1 + UART_LSR) != 0xff;
	if (have_com1 && (inb(COM1 + UART_IIR) & UART_IIR_FIFO) == UART_IIR_FIFO)
		com1_fifo = UART_FIFO_LEN;
}

static void vga_set(unsigned i, uint16_t cell)
{
	if (vga_shadow[i] != cell) {
		vga_shadow[i] = cell;
		vga[i] = cell;
	}
}

/* Up by a quarter screen: fewer, larger scrolls cost fewer writes. */
static void vga_scroll(void)
{
	unsigned n = MAX(vga_rows / 4, 1u), keep = (vga_rows - n) * vga_cols;

	for (unsigned i = 0; i < vga_rows * vga_cols; i++)
		vga_set(i, i < keep ? vga_shadow[i + n * vga_cols] : VGA_ATTR | ' ');
	vga_y = vga_rows - n;
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
	vga_set(vga_y * vga_cols + vga_x++, VGA_ATTR | (uint8_t)c);
}

void console_init(const struct multiboot_info *mbi)
{
	char why[160] = "";

	com1_init();
	e9_found = have_e9 = inb(DEBUG_PORT) == DEBUG_PORT;

	/* With framebuffer info from the loader: EGA text (GRUB on BIOS) gives
	 * the text geometry; anything else (GRUB on UEFI) is drawn on by
	 * fbcon when it can, else the screen stays dark.  Without it (QEMU
	 * -kernel), VGA text only when a VGA answers on its I/O ports: with
	 * QEMU -vga none they read 0xff, and the screen is left alone. */
	if (mbi && (mbi->flags & MBI_FLAG_FRAMEBUFFER)) {
		if (mbi->framebuffer_type == MB_FRAMEBUFFER_TYPE_EGA_TEXT) {
			vga = (volatile uint16_t *)(uintptr_t)mbi->framebuffer_addr;
			vga_cols = mbi->framebuffer_width;
			vga_rows = mbi->framebuffer_height;
		} else {
			vga = NULL;
			have_fb = fbcon_init(mbi, why, sizeof(why));
		}
	} else if (inb(VGA_MISC_READ) == 0xff) {
		vga = NULL;
	}
	if (vga && (!vga_cols || !vga_rows || vga_cols * vga_rows > VGA_MAX_CELLS)) {
		snprintf(why, sizeof(why), "VGA text mode %ux%u is larger than %u cells",
			 vga_cols, vga_rows, VGA_MAX_CELLS);
		vga = NULL;
	}
	if (vga) {
		for (unsigned i = 0; i < vga_cols * vga_rows; i++) {
			vga_shadow[i] = VGA_ATTR | ' ';
			vga[i] = VGA_ATTR | ' ';
		}
		/* hide the loader's cursor: CRTC cursor start, bit 5 = off */
		outb(VGA_CRTC_INDEX, 0x0a);
		outb(VGA_CRTC_DATA, 0x20);
	}
	if (why[0])
		printf("# eptest: screen: %s%s\n", why,
		       have_fb ? "" : "; results on the serial port only");
}

static void vga_recolor(unsigned n, uint16_t attr)
{
	if (!vga)
		return;
	for (unsigned x = vga_x - MIN(n, vga_x); x < vga_x; x++) {
		unsigned i = vga_y * vga_cols + x;

		vga_set(i, attr | (vga_shadow[i] & 0xff));
	}
}

/* At the end of a line: the SUMMARY line turns green (fail=0) or red. */
static void screen_end_line(void)
{
	const char *tok = NULL;
	bool pass = false;
	size_t n;

	if (line_len >= sizeof(line))
		return;
	for (unsigned k = 0; k < ARRAY_SIZE(result_lines); k++)
		if (!strncmp(line, result_lines[k].prefix, strlen(result_lines[k].prefix)))
			tok = result_lines[k].pass;
	if (!tok)
		return;
	n = strlen(tok);
	for (unsigned i = 0; i + n <= line_len; i++)
		if (!strncmp(line + i, tok, n) && (i + n == line_len || line[i + n] == ' '))
			pass = true;
	vga_recolor(line_len, pass ? VGA_ATTR_GREEN : VGA_ATTR_RED);
	if (have_fb)
		fbcon_recolor(line_len, pass ? FBCON_GREEN : FBCON_RED);
}

static void screen_putchar(char c)
{
	if (c == '\n') {
		line[MIN(line_len, sizeof(line) - 1)] = 0;
		screen_end_line();
		line_len = 0;
	} else if (line_len < sizeof(line) - 1) {
		line[line_len++] = c;
	} else {
		line_len = sizeof(line);	/* too long to be the SUMMARY */
	}
	vga_putchar(c);
	if (have_fb)
		fbcon_putchar(c);
}

const char *console_screen(void)
{
	static char buf[48];

	if (have_fb)
		return "framebuffer (fbcon)";
	if (!vga)
		return "none (serial only)";
	snprintf(buf, sizeof(buf), "VGA text %ux%u at %#lx", vga_cols, vga_rows,
		 (unsigned long)(uintptr_t)vga);
	return buf;
}

/*
 * Kernel option console=serial (the runner passes it on QEMU): COM1 only.
 * Under an emulator every character mirrored to port 0xE9 and to the
 * screen costs more than the check that printed it, and nobody watches
 * that screen.  console=e9 (the runner passes it on Bochs): port 0xE9
 * only when it answers, else as console=serial.  Port 0xE9 has no baud
 * rate and no status to poll: under Bochs a character costs one OUT
 * instead of ~150 emulated instructions of UART pacing.  The screen
 * keeps one line saying where the results went.
 */
void arch_console_select(const char *which)
{
	bool e9 = !strcmp(which, "e9") && e9_found;
	const char *note = e9 ? "eptest: console=e9: results on port 0xE9 only" :
				"eptest: console=serial: results on COM1 only";

	if (strcmp(which, "serial") && strcmp(which, "e9")) {
		if (strcmp(which, "all"))
			printf("# eptest: unknown console=%s (want serial, e9 or all)\n", which);
		return;
	}
	for (const char *p = note; *p; p++)
		screen_putchar(*p);
	screen_putchar('\n');
	have_com1 = com1_found && !e9;
	have_e9 = e9;
	have_fb = false;
	vga = NULL;
}

/* One character to every console in use; the caller counts its time. */
static void put_one(char c)
{
	if (have_com1) {
		if (c == '\n')
			com1_putc('\r');
		com1_putc((uint8_t)c);
	}
	/* port 0xE9 carries the bytes of COM1, "\r\n" line ends included:
	 * with console=e9 it is the result stream */
	if (have_e9) {
		if (c == '\n')
			outb(DEBUG_PORT, '\r');
		outb(DEBUG_PORT, (uint8_t)c);
	}
	/* console=serial: no screen to keep (the line buffer included) */
	if (vga || have_fb)
		screen_putchar(c);
}

void console_putchar(char c)
{
	uint64_t t0 = prof_begin();

	put_one(c);
	prof_end(PROF_CONSOLE, t0);
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

/* A string at a time: puts() is how every line goes out. */
/* n bytes to port 0xE9 with one string instruction */
static void e9_write(const char *s, size_t n)
{
	asm volatile("rep outsb" : "+S"(s), "+c"(n) : "d"(DEBUG_PORT) : "memory");
}

void arch_puts(const char *s)
{
	uint64_t t0 = prof_begin();

	if (have_e9 && !have_com1 && !vga && !have_fb) {
		/* console=e9: a line at a time, "\r\n" for its "\n" */
		while (*s) {
			size_t n = 0;

			while (s[n] && s[n] != '\n')
				n++;
			e9_write(s, n);
			s += n;
			if (*s == '\n') {
				e9_write("\r\n", 2);
				s++;
			}
		}
	} else {
		while (*s)
			put_one(*s++);
	}
	prof_end(PROF_CONSOLE, t0);
}
