/*
 * Framebuffer text console (see fbcon.h).
 *
 * The font is a PF2 file (GRUB's bitmap font format, as documented in the
 * GRUB developer manual, "PFF2 Font File Format"): a sequence of sections,
 * each a 4-character name, a 32-bit big-endian length and the payload.
 * "FILE" (payload "PFF2") comes first; "ASCE"/"DESC" give the ascent and
 * descent; "CHIX" is the character index, 9-byte entries sorted by code
 * point (uint32 code point, uint8 storage flags, uint32 file offset of the
 * glyph); "DATA" holds the glyphs and runs to the end of the file.  A glyph
 * is uint16 width, uint16 height, int16 x offset, int16 y offset (of the
 * bitmap's bottom edge above the baseline), int16 advance, then width x
 * height bits, row after row, most significant bit first, rows not padded.
 * All integers are big-endian.
 *
 * At init the printable ASCII glyphs are rendered into fixed cells, so the
 * module's memory is not needed afterwards.  The screen keeps a shadow of
 * its text cells: scrolling redraws only the cells that change and never
 * reads the framebuffer (reads from video memory are slow on real cards).
 */
#include "libcflat.h"
#include "x86/processor.h"
#include "x86/fbcon.h"
#include "x86/multiboot.h"

#define FONT_FIRST      32		/* ' ' */
#define FONT_LAST       126		/* '~' */
#define FONT_MAX_W      16		/* cell bits fit a uint16_t */
#define FONT_MAX_H      32
#define MAX_COLS        256
#define MAX_ROWS        128
#define TAB_WIDTH       8

#define PAGE_P          (1ull << 0)
#define PAGE_RW         (1ull << 1)
#define PAGE_PS         (1ull << 7)
#define PAGE_ADDR_MASK  0x000ffffffffff000ull
#define SIZE_2M         (1ull << 21)
#define SIZE_4G         (1ull << 32)

/* one cell: the character in bits 7:0, its color in bits 15:8 */
#define CELL(c, color)  ((uint16_t)((uint8_t)(c) | (unsigned)(color) << 8))
#define CELL_BLANK      CELL(' ', FBCON_GREY)

static struct {
	volatile uint8_t *base;
	uint32_t pitch, width, height;
	unsigned bytespp;
	uint32_t fg[FBCON_NCOLORS], bg;
	unsigned cw, ch, scale;		/* cell size in font pixels, zoom */
	unsigned cols, rows, x, y;
	bool up;
} fb;

static uint16_t glyphs[FONT_LAST - FONT_FIRST + 1][FONT_MAX_H];
static uint16_t cells[MAX_COLS * MAX_ROWS];

/* Page tables for a framebuffer above 4 GiB (the boot code maps 0-4G). */
static uint64_t pt_pool[4][512] __attribute__((aligned(4096)));
static unsigned pt_used;

/* ---- font ---- */

struct pf2 {
	const uint8_t *file;
	uint32_t size;
	const uint8_t *chix;
	uint32_t nchars;
	int ascent, descent;
	const char *name;
	uint32_t name_len;
};

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static int32_t sbe16(const uint8_t *p) { return (int16_t)be16(p); }
static uint32_t be32(const uint8_t *p) { return be16(p) << 16 | be16(p + 2); }

static bool pf2_parse(struct pf2 *f, const uint8_t *file, uint32_t size)
{
	uint32_t off = 0;

	*f = (struct pf2){ .file = file, .size = size, .ascent = -1, .descent = -1 };
	if (size < 12 || memcmp(file, "FILE", 4) || be32(file + 4) != 4 ||
	    memcmp(file + 8, "PFF2", 4))
		return false;
	while (off + 8 <= size) {
		const uint8_t *sec = file + off;
		uint32_t len = be32(sec + 4);

		if (!memcmp(sec, "DATA", 4))
			break;		/* to the end of the file */
		if (len > size - off - 8)
			return false;
		if (!memcmp(sec, "ASCE", 4) && len == 2)
			f->ascent = be16(sec + 8);
		else if (!memcmp(sec, "DESC", 4) && len == 2)
			f->descent = be16(sec + 8);
		else if (!memcmp(sec, "NAME", 4)) {
			f->name = (const char *)sec + 8;
			f->name_len = len;
		} else if (!memcmp(sec, "CHIX", 4)) {
			f->chix = sec + 8;
			f->nchars = len / 9;
		}
		off += 8 + len;
	}
	return f->chix && f->ascent >= 0 && f->descent >= 0;
}

/* The glyph of code point @cp, or NULL; checks that it lies in the file. */
static const uint8_t *pf2_glyph(const struct pf2 *f, uint32_t cp)
{
	uint32_t lo = 0, hi = f->nchars;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const uint8_t *e = f->chix + 9 * mid;
		uint32_t c = be32(e), off = be32(e + 5);

		if (c < cp) {
			lo = mid + 1;
		} else if (c > cp) {
			hi = mid;
		} else {
			const uint8_t *g = f->file + off;
			uint32_t bits;

			if (e[4] & 7)		/* compressed storage: unknown */
				return NULL;
			if (off > f->size || f->size - off < 10)
				return NULL;
			bits = be16(g) * be16(g + 2);
			if ((bits + 7) / 8 > f->size - off - 10)
				return NULL;
			return g;
		}
	}
	return NULL;
}

static bool font_load(const struct pf2 *f, char *why, size_t size)
{
	unsigned cw = 0, ch = f->ascent + f->descent;

	for (uint32_t c = FONT_FIRST; c <= FONT_LAST; c++) {
		const uint8_t *g = pf2_glyph(f, c);
		if (g)
			cw = MAX(cw, (unsigned)MAX(sbe16(g + 8), 0));
	}
	if (cw == 0 || cw > FONT_MAX_W || ch == 0 || ch > FONT_MAX_H) {
		snprintf(why, size, "font cell %ux%u unusable (at most %ux%u)",
			 cw, ch, FONT_MAX_W, FONT_MAX_H);
		return false;
	}
	memset(glyphs, 0, sizeof(glyphs));
	for (uint32_t c = FONT_FIRST; c <= FONT_LAST; c++) {
		const uint8_t *g = pf2_glyph(f, c);
		uint16_t *cell = glyphs[c - FONT_FIRST];
		int w, h, x0, y0;

		if (!g) {
			/* missing: an outlined box in columns 0 .. cw-2 */
			uint16_t sides = 0x8000 | 0x8000 >> (cw > 1 ? cw - 2 : 0);
			uint16_t full = (uint16_t)~(0xffff >> (cw > 1 ? cw - 1 : 1));
			for (unsigned y = 1; y + 1 < ch; y++)
				cell[y] = sides;
			cell[1] = cell[ch > 1 ? ch - 2 : 0] = full;
			continue;
		}
		w = (int)be16(g);
		h = (int)be16(g + 2);
		x0 = sbe16(g + 4);
		y0 = f->ascent - sbe16(g + 6) - h;	/* top row, from the cell top */
		for (int i = 0; i < w * h; i++) {
			int x = x0 + i % w, y = y0 + i / w;
			if (!(g[10 + i / 8] & (0x80 >> (i % 8))))
				continue;
			if (x >= 0 && x < (int)cw && y >= 0 && y < (int)ch)
				cell[y] |= (uint16_t)(0x8000 >> x);
		}
	}
	fb.cw = cw;
	fb.ch = ch;
	return true;
}

static const struct multiboot_module *font_module(const struct multiboot_info *mbi,
						  struct pf2 *f)
{
	const struct multiboot_module *m;

	if (!(mbi->flags & MBI_FLAG_MODS))
		return NULL;
	m = (const struct multiboot_module *)(uintptr_t)mbi->mods_addr;
	for (uint32_t i = 0; i < mbi->mods_count; i++, m++)
		if (m->mod_end > m->mod_start &&
		    pf2_parse(f, (const uint8_t *)(uintptr_t)m->mod_start,
			      m->mod_end - m->mod_start))
			return m;
	return NULL;
}

/* ---- mapping ---- */

static uint64_t *next_table(uint64_t *entry)
{
	if (!(*entry & PAGE_P)) {
		uint64_t *t;

		if (pt_used == ARRAY_SIZE(pt_pool))
			return NULL;
		t = pt_pool[pt_used++];
		memset(t, 0, 4096);
		*entry = (uint64_t)(uintptr_t)t | PAGE_P | PAGE_RW;
	}
	if (*entry & PAGE_PS)
		return NULL;		/* already a large page: caller checks */
	return (uint64_t *)(uintptr_t)(*entry & PAGE_ADDR_MASK);
}

/*
 * Identity-map [start, end) with 2 MiB pages in the live page tables,
 * leaving present mappings alone.  The tables of the boot code lie below
 * 4 GiB, where virtual = physical.
 */
static bool map_identity_2m(uint64_t start, uint64_t end)
{
	uint64_t *pml4 = (uint64_t *)(uintptr_t)(read_cr3() & PAGE_ADDR_MASK);

	for (uint64_t a = start & ~(SIZE_2M - 1); a < end; a += SIZE_2M) {
		uint64_t *pml4e = &pml4[(a >> 39) & 511], *pdpt, *pdpte, *pd;

		if (!(pdpt = next_table(pml4e)))
			return false;
		pdpte = &pdpt[(a >> 30) & 511];
		if ((*pdpte & (PAGE_P | PAGE_PS)) == (PAGE_P | PAGE_PS))
			continue;	/* a 1 GiB page covers it */
		if (!(pd = next_table(pdpte)))
			return false;
		if (!(pd[(a >> 21) & 511] & PAGE_P))
			pd[(a >> 21) & 511] = a | PAGE_P | PAGE_RW | PAGE_PS;
	}
	write_cr3(read_cr3());
	return true;
}

/* ---- drawing ---- */

static uint32_t channel(uint8_t v, uint8_t pos, uint8_t size)
{
	uint32_t c = size >= 8 ? (uint32_t)v << (size - 8) : (uint32_t)v >> (8 - size);
	return pos < 32 ? c << pos : 0;
}

_Static_assert(offsetof(struct multiboot_info, red_position) == 112,
	       "multiboot color info where GRUB puts it");

static uint32_t rgb(const struct multiboot_info *mbi, uint32_t rgb)
{
	if (!mbi->red_size && !mbi->green_size && !mbi->blue_size)	/* assume x8r8g8b8 */
		return rgb;
	return channel(rgb >> 16, mbi->red_position, mbi->red_size) |
	       channel(rgb >> 8, mbi->green_position, mbi->green_size) |
	       channel(rgb, mbi->blue_position, mbi->blue_size);
}

static void put_pixel(volatile uint8_t *p, uint32_t v)
{
	switch (fb.bytespp) {
	case 4:
		*(volatile uint32_t *)p = v;
		break;
	case 3:
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		break;
	default:
		*(volatile uint16_t *)p = (uint16_t)v;
		break;
	}
}

static void draw_cell(unsigned col, unsigned row, uint16_t cell)
{
	unsigned c = cell & 0xff, color = cell >> 8;
	const uint16_t *g = glyphs[(c >= FONT_FIRST && c <= FONT_LAST ? c : '?') - FONT_FIRST];
	uint32_t fg = fb.fg[color < FBCON_NCOLORS ? color : FBCON_GREY];
	unsigned w = fb.cw * fb.scale, h = fb.ch * fb.scale;
	volatile uint8_t *line = fb.base + (uint64_t)row * h * fb.pitch +
				 (uint64_t)col * w * fb.bytespp;

	for (unsigned y = 0; y < h; y++, line += fb.pitch) {
		uint16_t bits = g[y / fb.scale];
		volatile uint8_t *p = line;
		for (unsigned x = 0; x < w; x++, p += fb.bytespp)
			put_pixel(p, bits & (0x8000 >> (x / fb.scale)) ? fg : fb.bg);
	}
}

static void set_cell(unsigned col, unsigned row, uint16_t cell)
{
	uint16_t *s = &cells[row * fb.cols + col];

	if (*s != cell) {
		*s = cell;
		draw_cell(col, row, cell);
	}
}

/* Scroll up by a quarter screen: fewer, larger scrolls cost less. */
static void scroll(void)
{
	unsigned n = MAX(fb.rows / 4, 1u);

	for (unsigned r = 0; r < fb.rows; r++)
		for (unsigned c = 0; c < fb.cols; c++)
			set_cell(c, r, r + n < fb.rows ? cells[(r + n) * fb.cols + c] : CELL_BLANK);
	fb.y -= n;
}

static void newline(void)
{
	fb.x = 0;
	if (++fb.y >= fb.rows)
		scroll();
}

void fbcon_putchar(char c)
{
	if (!fb.up)
		return;
	switch (c) {
	case '\n':
		newline();
		return;
	case '\r':
		fb.x = 0;
		return;
	case '\t':
		do
			fbcon_putchar(' ');
		while (fb.x % TAB_WIDTH);
		return;
	}
	if (fb.x >= fb.cols)
		newline();
	set_cell(fb.x++, fb.y, CELL(c, FBCON_GREY));
}

void fbcon_recolor(unsigned n, enum fbcon_color color)
{
	if (!fb.up)
		return;
	for (unsigned x = fb.x - MIN(n, fb.x); x < fb.x; x++)
		set_cell(x, fb.y, CELL(cells[fb.y * fb.cols + x], color));
}

bool fbcon_init(const struct multiboot_info *mbi, char *why, size_t size)
{
	uint64_t addr = mbi->framebuffer_addr, end;
	struct pf2 font;
	const struct multiboot_module *mod;
	unsigned bytespp = (mbi->framebuffer_bpp + 7) / 8;

	fb.up = false;
	if (mbi->framebuffer_type != MB_FRAMEBUFFER_TYPE_RGB ||
	    bytespp < 2 || bytespp > 4) {
		snprintf(why, size, "framebuffer type %u, %u bpp: not supported",
			 mbi->framebuffer_type, mbi->framebuffer_bpp);
		return false;
	}
	if (!addr || mbi->framebuffer_pitch < (uint64_t)mbi->framebuffer_width * bytespp) {
		snprintf(why, size, "framebuffer at %#lx, pitch %u: bad geometry",
			 (unsigned long)addr, mbi->framebuffer_pitch);
		return false;
	}
	if (!(mod = font_module(mbi, &font))) {
		snprintf(why, size, "%ux%u framebuffer, but no PF2 font module to draw text with",
			 mbi->framebuffer_width, mbi->framebuffer_height);
		return false;
	}
	if (!font_load(&font, why, size))
		return false;

	end = addr + (uint64_t)mbi->framebuffer_pitch * mbi->framebuffer_height;
	if (end > SIZE_4G &&
	    (end > 1ull << cpu_maxphyaddr() || !map_identity_2m(MAX(addr, SIZE_4G), end))) {
		snprintf(why, size, "framebuffer at %#lx-%#lx above 4 GiB could not be mapped",
			 (unsigned long)addr, (unsigned long)end);
		return false;
	}

	fb.base = (volatile uint8_t *)(uintptr_t)addr;
	fb.pitch = mbi->framebuffer_pitch;
	fb.width = mbi->framebuffer_width;
	fb.height = mbi->framebuffer_height;
	fb.bytespp = bytespp;
	fb.bg = rgb(mbi, 0x000000);
	fb.fg[FBCON_GREY] = rgb(mbi, 0xaaaaaa);
	fb.fg[FBCON_GREEN] = rgb(mbi, 0x55ff55);
	fb.fg[FBCON_RED] = rgb(mbi, 0xff5555);
	/* big screens (2560 x 1440 and up with an 8x16 font): zoom 2x */
	fb.scale = fb.width / fb.cw >= 300 && fb.height / fb.ch >= 90 ? 2 : 1;
	fb.cols = MIN(fb.width / (fb.cw * fb.scale), (unsigned)MAX_COLS);
	fb.rows = MIN(fb.height / (fb.ch * fb.scale), (unsigned)MAX_ROWS);
	fb.x = fb.y = 0;
	if (!fb.cols || !fb.rows) {
		snprintf(why, size, "%ux%u framebuffer too small", fb.width, fb.height);
		return false;
	}

	for (uint32_t y = 0; y < fb.height; y++) {
		volatile uint8_t *p = fb.base + (uint64_t)y * fb.pitch;
		for (uint32_t x = 0; x < fb.width; x++, p += fb.bytespp)
			put_pixel(p, fb.bg);
	}
	for (unsigned i = 0; i < fb.cols * fb.rows; i++)
		cells[i] = CELL_BLANK;
	fb.up = true;

	snprintf(why, size, "%ux%u %u bpp framebuffer at %#lx, font \"%.*s\" %ux%u%s, %ux%u text",
		 fb.width, fb.height, mbi->framebuffer_bpp, (unsigned long)addr,
		 (int)MIN(font.name_len, 40u), font.name ? font.name : "?",
		 fb.cw, fb.ch, fb.scale > 1 ? " zoomed 2x" : "", fb.cols, fb.rows);
	return true;
}
