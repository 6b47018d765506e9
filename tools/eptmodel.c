/*
 * eptmodel: the reference model (lib/x86/ept_model.c, paging_model.c,
 * pml_model.c) as a host tool for people debugging their own EPT code.
 *
 *   eptmodel decode QUAL          name every bit of an EPT-violation qualification
 *   eptmodel walk STATEMENTS...   build EPT (and guest) tables, run one access
 *   eptmodel trace2d --guest N --ept M   the two-dimensional reference table
 *
 * Every answer comes from the model; this file only parses, builds tables
 * in a sparse memory and prints.  Bad input: one line on stderr, exit 2.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../lib/x86/pml_model.h"

#define EXIT_BAD_INPUT 2

static const char *where = "";  /* "walk: line 3: " while parsing */

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "eptmodel: %s", where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_BAD_INPUT);
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	uint64_t v;

	if (!*s || *s == '-')
		die("%s: '%s' is not a number", what, s);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		die("%s: '%s' is not a number", what, s);
	return v;
}

/* ---- sparse host-physical memory ---- */
struct page {
	uint64_t base;
	uint64_t q[512];
};

#define MEM_PAGES 4096
struct mem {
	unsigned n;
	struct page *p[MEM_PAGES];
};

static uint64_t *mem_slot(struct mem *mm, uint64_t hpa, int create)
{
	uint64_t base = hpa & ~0xfffull;
	unsigned i;

	for (i = 0; i < mm->n; i++)
		if (mm->p[i]->base == base)
			return &mm->p[i]->q[(hpa & 0xfff) / 8];
	if (!create)
		return NULL;
	if (mm->n == MEM_PAGES)
		die("too many pages (more than %d)", MEM_PAGES);
	mm->p[mm->n] = calloc(1, sizeof(struct page));
	if (!mm->p[mm->n]) {
		fprintf(stderr, "eptmodel: out of memory\n");
		exit(1);
	}
	mm->p[mm->n]->base = base;
	return &mm->p[mm->n++]->q[(hpa & 0xfff) / 8];
}

static uint64_t mem_read(void *ctx, uint64_t hpa)
{
	uint64_t *s = mem_slot(ctx, hpa & ~7ull, 0);

	return s ? *s : 0;
}

static void mem_write(struct mem *mm, uint64_t hpa, uint64_t v, unsigned size)
{
	uint64_t *s = mem_slot(mm, hpa & ~7ull, 1);

	if (size == 4) {
		unsigned sh = (unsigned)(hpa & 4) * 8;
		*s = (*s & ~(0xffffffffull << sh)) | ((v & 0xffffffffull) << sh);
	} else {
		*s = v;
	}
}

/* ---- the world a walk runs in ---- */
enum gmode { G_OFF = 0, G_32 = 2, G_PAE = 3, G_4 = 4, G_5 = 5 };

struct world {
	struct mem mem;
	struct ept_model m;
	unsigned ept_levels;
	uint64_t ept_next;              /* next free HPA for EPT tables */
	enum gmode gmode;
	struct guest_state g;
	uint64_t gt_next;               /* next free GPA for guest tables */
	uint64_t pat;                   /* guest IA32_PAT */
	int pat_type_pgoff;             /* PAT type assumed with CR0.PG = 0, -1: none */
	struct pml_state pml;
	struct linear_access la;
	int have_access, mapped;
};

#define EPT_POOL        0xf00000000ull  /* 60 GiB: below 2^36 */
#define GT_POOL         0x10000ull
#define PML_POOL        0xe00000000ull
#define PAT_DEFAULT     0x0007040600070406ull

static void world_init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	w->m.caps = (struct ept_caps){
		.maxphyaddr = 46, .exec_only = true, .walk4 = true, .walk5 = true,
		.memtype_uc = true, .memtype_wb = true, .page_2m = true, .page_1g = true,
		.ad = true, .sss = true, .invept = true, .invept_single = true,
		.invept_all = true, .invvpid = true, .invvpid_addr = true,
		.invvpid_single = true, .invvpid_all = true,
		.invvpid_single_nonglobal = true, .mbec = true, .ve = true, .spp = true,
	};
	w->ept_levels = 4;
	w->ept_next = EPT_POOL + 0x1000;
	w->m.eptp = EPT_POOL | MEMTYPE_WB | (3ull << EPTP_WALK_LENGTH_SHIFT);
	w->m.read = mem_read;
	w->m.ctx = &w->mem;
	w->gmode = G_OFF;
	w->g.cr0 = X86_CR0_PE;
	w->gt_next = GT_POOL;
	w->pat = PAT_DEFAULT;
	w->pat_type_pgoff = -1;
	w->pml.address = PML_POOL;
	w->pml.index = 511;
}

static uint64_t ept_root(const struct world *w)
{
	return w->m.eptp & BITS(51, 12);
}

static uint64_t ept_entry_hpa(uint64_t table, uint64_t gpa, unsigned level)
{
	return table + ((gpa >> (12 + 9 * (level - 1))) & 511) * 8;
}

/* The EPT entry at `level` on gpa's walk, creating tables (RWX) above it. */
static uint64_t ept_slot(struct world *w, uint64_t gpa, unsigned level)
{
	uint64_t table = ept_root(w);
	unsigned l;

	for (l = w->ept_levels; l > level; l--) {
		uint64_t hpa = ept_entry_hpa(table, gpa, l), e = mem_read(&w->mem, hpa);

		if (!(e & EPT_RWX_MASK) && !(e & BITS(51, 12))) {
			e = w->ept_next | EPT_RWX_MASK;
			w->ept_next += 0x1000;
			mem_write(&w->mem, hpa, e, 8);
		} else if (l <= 3 && (e & EPT_LARGE_PAGE)) {
			die("GPA %#" PRIx64 ": level %u already maps a large page", gpa, l);
		}
		table = e & BITS(51, 12);
	}
	return ept_entry_hpa(table, gpa, level);
}

static int ept_maps(struct world *w, uint64_t gpa)
{
	uint64_t table = ept_root(w);
	unsigned l;

	for (l = w->ept_levels; l >= 1; l--) {
		uint64_t e = mem_read(&w->mem, ept_entry_hpa(table, gpa, l));

		if (!e)
			return 0;
		if (l == 1 || (l <= 3 && (e & EPT_LARGE_PAGE)))
			return 1;
		table = e & BITS(51, 12);
	}
	return 0;
}

static unsigned page_level(const char *v)
{
	if (!strcmp(v, "4k")) return 1;
	if (!strcmp(v, "2m")) return 2;
	if (!strcmp(v, "1g")) return 3;
	if (!strcmp(v, "4m")) return 2;        /* 32-bit guest only */
	die("page=%s: use 4k, 2m, 1g (or 4m for a 32-bit guest)", v);
}

static unsigned level_arg(const char *v, unsigned max)
{
	static const char *const names[] = { "", "pt", "pd", "pdpt", "pml4", "pml5" };
	unsigned l;

	for (l = 1; l <= 5; l++)
		if (!strcmp(v, names[l]))
			goto found;
	l = (unsigned)parse_u64(v, "level");
found:
	if (l < 1 || l > max)
		die("level %s: must be 1..%u (pt, pd, pdpt, pml4%s)", v, max, max == 5 ? ", pml5" : "");
	return l;
}

static int is_perm(const char *t)
{
	if (!strcmp(t, "-"))
		return 1;
	for (; *t; t++)
		if (*t != 'r' && *t != 'w' && *t != 'x')
			return 0;
	return 1;
}

static uint64_t perm_bits(const char *t)
{
	uint64_t b = 0;

	for (; *t; t++)
		b |= *t == 'r' ? EPT_READ : *t == 'w' ? EPT_WRITE : *t == 'x' ? EPT_EXEC : 0;
	return b;
}

static int memtype_arg(const char *v)
{
	static const char *const n[] = { "uc", "wc", "2", "3", "wt", "wp", "wb", "uc-" };
	int i;

	for (i = 0; i < 8; i++)
		if (!strcmp(v, n[i]))
			return i;
	i = (int)parse_u64(v, "memory type");
	if (i > 7)
		die("memory type %s: 0..7 or uc, wc, wt, wp, wb", v);
	return i;
}

/* "key=value" -> value if the token starts with key=, else NULL */
static const char *kv(const char *tok, const char *key)
{
	size_t n = strlen(key);

	return (!strncmp(tok, key, n) && tok[n] == '=') ? tok + n + 1 : NULL;
}

/* ---- statements ---- */
#define MAXTOK 32

static void st_eptp(struct world *w, char **t, int n)
{
	int i;

	if (w->mapped)
		die("eptp must come before ept, gmap and guest statements");
	for (i = 1; i < n; i++) {
		const char *v;

		if ((v = kv(t[i], "levels"))) {
			w->ept_levels = (unsigned)parse_u64(v, "levels");
			if (w->ept_levels != 4 && w->ept_levels != 5)
				die("levels=%s: 4 or 5", v);
			w->m.eptp = (w->m.eptp & ~EPTP_WALK_LENGTH_MASK) |
				    ((uint64_t)(w->ept_levels - 1) << EPTP_WALK_LENGTH_SHIFT);
		} else if ((v = kv(t[i], "memtype"))) {
			w->m.eptp = (w->m.eptp & ~EPTP_MEMTYPE_MASK) | (uint64_t)memtype_arg(v);
		} else if (!strcmp(t[i], "ad")) {
			w->m.eptp |= EPTP_AD_ENABLE;
		} else if (!strcmp(t[i], "sss")) {
			w->m.eptp |= EPTP_SSS_ENABLE;
		} else {
			die("eptp: unknown word '%s' (levels=4|5, memtype=wb|uc, ad, sss)", t[i]);
		}
	}
}

static void st_ept(struct world *w, char **t, int n)
{
	uint64_t gpa, hpa, flags = EPT_RWX_MASK, e;
	unsigned level = 1;
	int i, mt = MEMTYPE_WB;

	if (n < 2)
		die("ept GPA [page=4k|2m|1g] [hpa=X] [PERMS] [mt=T] [ipat] [a] [d] [xu] [sss] [sve] [bits=X]");
	gpa = parse_u64(t[1], "GPA");
	hpa = gpa;
	for (i = 2; i < n; i++) {
		const char *v;

		if ((v = kv(t[i], "page"))) level = page_level(v);
		else if ((v = kv(t[i], "hpa"))) hpa = parse_u64(v, "hpa");
		else if ((v = kv(t[i], "mt"))) mt = memtype_arg(v);
		else if ((v = kv(t[i], "bits"))) flags |= parse_u64(v, "bits");
		else if (!strcmp(t[i], "ipat")) flags |= EPT_IGNORE_PAT;
		else if (!strcmp(t[i], "a")) flags |= EPT_ACCESSED;
		else if (!strcmp(t[i], "d")) flags |= EPT_DIRTY;
		else if (!strcmp(t[i], "xu")) flags |= EPT_USER_EXEC;
		else if (!strcmp(t[i], "sss")) flags |= EPT_SUPERVISOR_SHADOW_STACK;
		else if (!strcmp(t[i], "sve")) flags |= EPT_SUPPRESS_VE;
		else if (is_perm(t[i])) flags = (flags & ~EPT_RWX_MASK) | perm_bits(t[i]);
		else die("ept: unknown word '%s'", t[i]);
	}
	w->mapped = 1;
	e = (hpa & BITS(51, 12 + 9 * (level - 1))) | flags | ((uint64_t)mt << EPT_MEMTYPE_SHIFT) |
	    (level > 1 ? EPT_LARGE_PAGE : 0);
	mem_write(&w->mem, ept_slot(w, gpa, level), e, 8);
}

static void st_ept_level(struct world *w, char **t, int n)
{
	uint64_t gpa, slot, e;
	unsigned level;
	int i;

	if (n < 3)
		die("ept-level GPA LEVEL [PERMS] [bits=X] [clear=X] [raw=X]");
	gpa = parse_u64(t[1], "GPA");
	level = level_arg(t[2], w->ept_levels);
	slot = ept_slot(w, gpa, level);
	e = mem_read(&w->mem, slot);
	for (i = 3; i < n; i++) {
		const char *v;

		if ((v = kv(t[i], "bits"))) e |= parse_u64(v, "bits");
		else if ((v = kv(t[i], "clear"))) e &= ~parse_u64(v, "clear");
		else if ((v = kv(t[i], "raw"))) e = parse_u64(v, "raw");
		else if (is_perm(t[i])) e = (e & ~EPT_RWX_MASK) | perm_bits(t[i]);
		else die("ept-level: unknown word '%s'", t[i]);
	}
	w->mapped = 1;
	mem_write(&w->mem, slot, e, 8);
}

static void st_guest(struct world *w, char **t, int n)
{
	int i;

	if (w->mapped)
		die("guest must come before ept and gmap statements");
	if (n < 2)
		die("guest off|32|pae|4|5 [nowp] [pse] [smep] [smap] [ac] [nonxe] [cd] [pat=X] [pat-type=T]");
	if (!strcmp(t[1], "off")) w->gmode = G_OFF;
	else if (!strcmp(t[1], "32")) w->gmode = G_32;
	else if (!strcmp(t[1], "pae")) w->gmode = G_PAE;
	else if (!strcmp(t[1], "4")) w->gmode = G_4;
	else if (!strcmp(t[1], "5")) w->gmode = G_5;
	else die("guest %s: off, 32, pae, 4 or 5", t[1]);
	w->g.cr0 = X86_CR0_PE | (w->gmode ? X86_CR0_PG | X86_CR0_WP : 0);
	w->g.cr4 = w->gmode >= G_PAE ? X86_CR4_PAE : 0;
	if (w->gmode == G_5)
		w->g.cr4 |= X86_CR4_LA57;
	w->g.efer = w->gmode >= G_4 ? EFER_LMA | EFER_LME | EFER_NXE :
		    w->gmode == G_PAE ? EFER_NXE : 0;
	w->g.gbpages = true;
	for (i = 2; i < n; i++) {
		const char *v;

		if (!strcmp(t[i], "nowp")) w->g.cr0 &= ~X86_CR0_WP;
		else if (!strcmp(t[i], "pse")) w->g.cr4 |= X86_CR4_PSE;
		else if (!strcmp(t[i], "smep")) w->g.cr4 |= X86_CR4_SMEP;
		else if (!strcmp(t[i], "smap")) w->g.cr4 |= X86_CR4_SMAP;
		else if (!strcmp(t[i], "ac")) w->g.rflags_ac = true;
		else if (!strcmp(t[i], "nonxe")) w->g.efer &= ~EFER_NXE;
		else if (!strcmp(t[i], "cd")) w->g.cr0 |= X86_CR0_CD;
		else if ((v = kv(t[i], "pat"))) w->pat = parse_u64(v, "pat");
		else if ((v = kv(t[i], "pat-type"))) w->pat_type_pgoff = memtype_arg(v);
		else die("guest: unknown word '%s'", t[i]);
	}
}

/* A guest table page: the next GPA of the pool, identity-mapped RWX WB in
 * EPT unless something maps it already (later statements may change it). */
static uint64_t guest_table(struct world *w)
{
	uint64_t gpa = w->gt_next;

	w->gt_next += 0x1000;
	if (!ept_maps(w, gpa))
		mem_write(&w->mem, ept_slot(w, gpa, 1),
			  gpa | EPT_RWX_MASK | ((uint64_t)MEMTYPE_WB << EPT_MEMTYPE_SHIFT), 8);
	return gpa;
}

static unsigned guest_top(const struct world *w)
{
	return w->gmode == G_5 ? 5 : w->gmode == G_4 ? 4 : 2;
}

static unsigned guest_esize(const struct world *w)
{
	return w->gmode == G_32 ? 4 : 8;
}

static uint64_t guest_index(const struct world *w, uint64_t gla, unsigned l)
{
	if (w->gmode == G_32)
		return (gla >> (l == 2 ? 22 : 12)) & 1023;
	return (gla >> (12 + 9 * (l - 1))) & 511;
}

static void guest_root(struct world *w)
{
	if (w->g.cr3 || w->gmode == G_OFF)
		return;
	w->g.cr3 = guest_table(w);      /* PAE: the PDPT, 32 bytes used */
}

/* The HPA of the guest entry at `level` for gla (tables at HPA = GPA),
 * creating tables above it. */
static uint64_t guest_slot(struct world *w, uint64_t gla, unsigned level)
{
	unsigned l, es = guest_esize(w);
	uint64_t table;

	if (w->gmode == G_OFF)
		die("gmap/glevel need a guest statement with paging (32, pae, 4, 5)");
	guest_root(w);
	table = w->g.cr3 & (w->gmode == G_PAE ? ~0x1full : ~0xfffull);
	if (w->gmode == G_PAE) {
		/* the PDPTE register, backed by the PDPT page */
		unsigned i = (unsigned)((gla >> 30) & 3);
		uint64_t pdpte = mem_read(&w->mem, table + 8 * i);

		if (level == 3)
			return table + 8 * i;
		if (!pdpte) {
			pdpte = guest_table(w) | PTE_PRESENT;
			mem_write(&w->mem, table + 8 * i, pdpte, 8);
		}
		w->g.pdpte[i] = pdpte;
		table = pdpte & BITS(51, 12);
	}
	for (l = guest_top(w); l > level; l--) {
		uint64_t hpa = table + guest_index(w, gla, l) * es, e = mem_read(&w->mem, hpa & ~7ull);

		if (es == 4)
			e = (e >> ((hpa & 4) * 8)) & 0xffffffffull;
		if (!e) {
			e = guest_table(w) | PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_ACCESSED;
			mem_write(&w->mem, hpa, e, es);
		}
		table = e & (es == 4 ? 0xfffff000ull : BITS(51, 12));
	}
	return table + guest_index(w, gla, level) * es;
}

/* Flag words of a guest entry at `level` (PAT is bit 7 in a PTE, bit 12 in
 * a PDE or PDPTE that maps a page). */
static uint64_t guest_flags(char **t, int from, int n, const char *stmt, unsigned level)
{
	uint64_t f = 0;
	int i, any = 0, np = 0;

	for (i = from; i < n; i++) {
		const char *v;

		any = 1;
		if (!strcmp(t[i], "p")) f |= PTE_PRESENT;
		else if (!strcmp(t[i], "np")) np = 1;
		else if (!strcmp(t[i], "w")) f |= PTE_WRITE;
		else if (!strcmp(t[i], "u")) f |= PTE_USER;
		else if (!strcmp(t[i], "pwt")) f |= BIT(3);
		else if (!strcmp(t[i], "pcd")) f |= BIT(4);
		else if (!strcmp(t[i], "a")) f |= PTE_ACCESSED;
		else if (!strcmp(t[i], "d")) f |= PTE_DIRTY;
		else if (!strcmp(t[i], "g")) f |= BIT(8);
		else if (!strcmp(t[i], "pat")) f |= level == 1 ? BIT(7) : BIT(12);
		else if (!strcmp(t[i], "nx")) f |= PTE_NX;
		else if ((v = kv(t[i], "bits"))) f |= parse_u64(v, "bits");
		else die("%s: unknown word '%s' (p np w u pwt pcd pat a d g nx bits=X)", stmt, t[i]);
	}
	if (!any)
		return PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_ACCESSED | PTE_DIRTY;
	return np ? f & ~PTE_PRESENT : f | PTE_PRESENT;
}

static void st_gmap(struct world *w, char **t, int n)
{
	uint64_t gla, gpa, f, slot, e;
	unsigned level = 1;
	int from = 3;

	if (n < 3)
		die("gmap GLA GPA [page=4k|2m|1g|4m] [FLAGS: p np w u pwt pcd pat a d g nx bits=X]");
	gla = parse_u64(t[1], "GLA");
	gpa = parse_u64(t[2], "GPA");
	if (n > 3 && kv(t[3], "page")) {
		const char *v = kv(t[3], "page");

		level = page_level(v);
		if (level == 2 && (w->gmode == G_32) != !strcmp(v, "4m"))
			die("page=%s: a 32-bit guest maps 4m pages, the others 2m", v);
		from = 4;
	}
	if (level == 3 && w->gmode < G_4)
		die("page=1g needs a 4- or 5-level guest");
	if (level == 2 && w->gmode == G_32 && !(w->g.cr4 & X86_CR4_PSE))
		die("page=4m needs 'guest 32 pse'");
	f = guest_flags(t, from, n, "gmap", level);
	slot = guest_slot(w, gla, level);
	if (level == 1)
		e = (gpa & ~0xfffull) | f;
	else if (w->gmode == G_32)
		e = (gpa & 0xffc00000ull) | (((gpa >> 32) & 0xff) << 13) | f | PTE_PSE;
	else
		e = (gpa & BITS(51, level == 2 ? 21 : 30)) | f | PTE_PSE;
	mem_write(&w->mem, slot, e, guest_esize(w));
	w->mapped = 1;
}

static void st_glevel(struct world *w, char **t, int n)
{
	uint64_t gla, slot, e, f;
	unsigned level, es = guest_esize(w);

	if (n < 4)
		die("glevel GLA LEVEL FLAGS (p np w u pwt pcd a d nx bits=X)");
	gla = parse_u64(t[1], "GLA");
	level = level_arg(t[2], guest_top(w) + (w->gmode == G_PAE));
	slot = guest_slot(w, gla, level);
	e = mem_read(&w->mem, slot & ~7ull);
	if (es == 4)
		e = (e >> ((slot & 4) * 8)) & 0xffffffffull;
	f = guest_flags(t, 3, n, "glevel", level);
	e = (e & (es == 4 ? 0xfffff000ull : BITS(51, 12))) | f;
	mem_write(&w->mem, slot, e, es);
	if (w->gmode == G_PAE && level == 3)
		w->g.pdpte[(gla >> 30) & 3] = e;
	w->mapped = 1;
}

static void st_access(struct world *w, char **t, int n)
{
	int i;

	if (n < 3)
		die("access read|write|fetch|rmw ADDRESS [user] [implicit] [iret] [evd] [ss]");
	memset(&w->la, 0, sizeof(w->la));
	if (!strcmp(t[1], "read")) w->la.kind = LINEAR_READ;
	else if (!strcmp(t[1], "write")) w->la.kind = LINEAR_WRITE;
	else if (!strcmp(t[1], "fetch")) w->la.kind = LINEAR_FETCH;
	else if (!strcmp(t[1], "rmw")) w->la.kind = LINEAR_RMW;
	else die("access %s: read, write, fetch or rmw", t[1]);
	w->la.gla = parse_u64(t[2], "address");
	for (i = 3; i < n; i++) {
		if (!strcmp(t[i], "user")) w->la.user = true;
		else if (!strcmp(t[i], "implicit")) w->la.implicit = true;
		else if (!strcmp(t[i], "iret")) w->la.iret_nmi_unblock = true;
		else if (!strcmp(t[i], "evd")) w->la.event_delivery = true;
		else if (!strcmp(t[i], "ss")) w->la.shadow_stack = true;
		else die("access: unknown word '%s' (user, implicit, iret, evd, ss)", t[i]);
	}
	w->have_access = 1;
}

static void st_pml(struct world *w, char **t, int n)
{
	int i;

	w->pml.enabled = true;
	for (i = 1; i < n; i++) {
		const char *v;

		if ((v = kv(t[i], "index"))) {
			uint64_t x = parse_u64(v, "index");
			if (x > 0xffff)
				die("index=%s: the PML index is 16 bits", v);
			w->pml.index = (uint16_t)x;
		} else if ((v = kv(t[i], "address"))) {
			w->pml.address = parse_u64(v, "address");
		} else {
			die("pml: unknown word '%s' (index=N, address=X)", t[i]);
		}
	}
}

static void st_ctl(struct world *w, char **t, int n)
{
	int i;

	for (i = 1; i < n; i++) {
		if (!strcmp(t[i], "mbec")) w->m.ctl.mbec = true;
		else if (!strcmp(t[i], "ve")) w->m.ctl.ve = true;
		else if (!strcmp(t[i], "spp")) w->m.ctl.spp = true;
		else if (!strcmp(t[i], "nmi-exiting")) w->m.ctl.nmi_exiting = true;
		else if (!strcmp(t[i], "virtual-nmis")) w->m.ctl.virtual_nmis = true;
		else if (!strcmp(t[i], "adv")) w->m.caps.adv_exit_info = true;
		else if (!strcmp(t[i], "noxo")) w->m.caps.exec_only = false;
		else if (!strcmp(t[i], "no1g")) w->m.caps.page_1g = false;
		else if (!strcmp(t[i], "no2m")) w->m.caps.page_2m = false;
		else die("ctl: unknown word '%s' (mbec ve spp nmi-exiting virtual-nmis adv noxo no1g no2m)", t[i]);
	}
}

static void st_maxphyaddr(struct world *w, char **t, int n)
{
	uint64_t v;

	if (w->mapped)
		die("maxphyaddr must come before ept, gmap and guest statements");
	if (n != 2)
		die("maxphyaddr N (36..52)");
	v = parse_u64(t[1], "maxphyaddr");
	if (v < 36 || v > 52)
		die("maxphyaddr %s: 36..52", t[1]);
	w->m.caps.maxphyaddr = (uint8_t)v;
}

static void statement(struct world *w, char *line)
{
	char *t[MAXTOK], *save = NULL, *p;
	int n = 0;

	if ((p = strchr(line, '#')))
		*p = 0;
	for (p = strtok_r(line, " \t\r\n", &save); p; p = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == MAXTOK)
			die("more than %d words", MAXTOK);
		t[n++] = p;
	}
	if (!n)
		return;
	if (!strcmp(t[0], "maxphyaddr")) st_maxphyaddr(w, t, n);
	else if (!strcmp(t[0], "eptp")) st_eptp(w, t, n);
	else if (!strcmp(t[0], "ept")) st_ept(w, t, n);
	else if (!strcmp(t[0], "ept-level")) st_ept_level(w, t, n);
	else if (!strcmp(t[0], "guest")) st_guest(w, t, n);
	else if (!strcmp(t[0], "gmap")) st_gmap(w, t, n);
	else if (!strcmp(t[0], "glevel")) st_glevel(w, t, n);
	else if (!strcmp(t[0], "access")) st_access(w, t, n);
	else if (!strcmp(t[0], "pml")) st_pml(w, t, n);
	else if (!strcmp(t[0], "ctl")) st_ctl(w, t, n);
	else die("unknown statement '%s' (see eptmodel walk --help)", t[0]);
}

/* ---- printing ---- */
static const char *kind_name(enum ept_access_kind k)
{
	switch (k) {
	case EPT_ACCESS_READ: return "data read";
	case EPT_ACCESS_WRITE: return "data write";
	case EPT_ACCESS_FETCH: return "instruction fetch";
	case EPT_ACCESS_RMW: return "read-modify-write";
	case EPT_ACCESS_PAGING: return "guest paging-structure read";
	case EPT_ACCESS_PAGING_AD: return "guest A/D update";
	case EPT_ACCESS_PDPTE_LOAD: return "PDPTE load";
	}
	return "?";
}

static const char *level_name(unsigned l)
{
	static const char *const n[] = { "?", "PTE", "PDE", "PDPTE", "PML4E", "PML5E" };
	return l <= 5 ? n[l] : "?";
}

static void print_qual(uint64_t q, uint64_t mask, const char *indent)
{
	unsigned b;

	for (b = 0; b < EPT_QUAL_NR_BITS; b++) {
		int undef = !((mask >> b) & 1);

		printf("%sbit %2u  %s  %s%s\n", indent, b,
		       undef ? "?" : ((q >> b) & 1) ? "1" : "0", ept_qual_bits[b].name,
		       undef ? "  [undefined here]" : "");
	}
	printf("%sbits 63:17  %s  reserved (cleared to 0)\n", indent,
	       (q & BITS(63, 17)) ? "NOT 0" : "0");
}

/* Print the EPT entries gpa's walk reads, top first (as the tables are
 * before the access). */
static void print_ept_walk(struct world *w, uint64_t gpa, const char *indent)
{
	struct ept_walk_entry e[EPT_MAX_LEVELS];
	unsigned i, n = ept_walk_entries(&w->m, gpa, e);

	for (i = 0; i < n; i++)
		printf("%sEPT %-5s @ %#" PRIx64 " = %#018" PRIx64 "\n", indent,
		       level_name(e[i].level), e[i].hpa, e[i].value);
}

/* The guest PAT type of a completed translation (SDM Vol. 3A 4.9.2 /
 * 12.12.3: PAT index = PAT*4 + PCD*2 + PWT of the entry that maps the page). */
static int guest_pat_type(struct world *w, const struct ept_trace *tr)
{
	int i;

	if (w->gmode == G_OFF)
		return w->pat_type_pgoff;
	for (i = tr->n - 1; i >= 0; i--) {
		struct ept_access a = { .gpa = tr->e[i].gpa, .kind = EPT_ACCESS_PAGING };
		struct ept_model m = w->m;
		struct ept_outcome o;
		uint64_t e;
		unsigned idx, patbit;

		if (tr->e[i].kind != EPT_ACCESS_PAGING)
			continue;
		m.eptp &= ~EPTP_AD_ENABLE;
		if (ept_model_access(&m, &a, &o) != EPT_OUTCOME_TRANSLATION)
			return -1;
		e = mem_read(&w->mem, o.translation.hpa & ~7ull);
		if (guest_esize(w) == 4)
			e = (e >> ((o.translation.hpa & 4) * 8)) & 0xffffffffull;
		patbit = tr->e[i].guest_level == 1 ? 7 : 12;
		idx = (unsigned)(((e >> patbit) & 1) << 2 | ((e >> 4) & 1) << 1 | ((e >> 3) & 1));
		return (int)((w->pat >> (8 * idx)) & 7);
	}
	return -1;
}

static void run_walk(struct world *w)
{
	struct ept_outcome o;
	struct pml_outcome po;
	struct ept_trace tr;
	uint64_t reason;
	enum ept_eptp_rule er;
	unsigned i;
	bool cd = w->g.cr0 & X86_CR0_CD;

	if (!w->have_access)
		die("no access statement (access read|write|fetch|rmw ADDRESS)");
	if (w->gmode == G_PAE)
		guest_root(w);
	printf("EPT: %u-level, EPTP %#" PRIx64 " (A/D %s%s)\n", w->ept_levels, w->m.eptp,
	       (w->m.eptp & EPTP_AD_ENABLE) ? "on" : "off",
	       (w->m.eptp & EPTP_SSS_ENABLE) ? ", supervisor shadow stack" : "");
	printf("  memory type of EPT paging-structure accesses: %s (SDM 29.3.7.1: EPTP bits 2:0%s)\n",
	       ept_memtype_name(ept_paging_memtype(w->m.eptp, cd)), cd ? "; CR0.CD = 1: UC" : "");
	er = ept_eptp_check(&w->m.caps, w->m.eptp);
	if (er != EPT_EPTP_OK)
		printf("  note: VM entry would fail: %s\n", ept_eptp_rule_name(er));
	if (w->gmode == G_OFF)
		printf("guest: paging off (CR0.PG = 0): the linear address is the GPA%s\n",
		       (w->la.gla >> 32) ? " (bits 31:0 of it)" : "");
	else
		printf("guest: %s paging, CR3 %#" PRIx64 "\n",
		       w->gmode == G_32 ? "32-bit" : w->gmode == G_PAE ? "PAE" :
		       w->gmode == G_4 ? "4-level" : "5-level", w->g.cr3);
	printf("access: %s %#" PRIx64 "%s%s\n",
	       w->la.kind == LINEAR_READ ? "read" : w->la.kind == LINEAR_WRITE ? "write" :
	       w->la.kind == LINEAR_FETCH ? "fetch" : "rmw", w->la.gla, w->la.user ? " (user)" : "",
	       w->la.shadow_stack ? " (shadow stack)" : "");

	reason = pml_model_linear(&w->m, &w->g, &w->la, &w->pml, &po, &o, &tr);

	printf("\nwalk (%u guest-physical accesses):\n", tr.n);
	for (i = 0; i < tr.n && i < EPT_TRACE_MAX; i++) {
		const struct ept_trace_entry *e = &tr.e[i];

		if (e->guest_level)
			printf("  step %u: %s, guest %s, GPA %#" PRIx64 "%s%s\n", i, kind_name(e->kind),
			       level_name(e->guest_level), e->gpa,
			       e->set_a ? " (sets A)" : "", e->set_d ? " (sets D)" : "");
		else
			printf("  step %u: final %s, GPA %#" PRIx64 "\n", i, kind_name(e->kind), e->gpa);
		print_ept_walk(w, e->gpa, "      ");
		if (po.full_exit && po.full_step == i)
			printf("      -> page-modification log full: VM exit before this access\n");
		else if (i == o.step && o.kind != EPT_OUTCOME_TRANSLATION &&
			 o.kind != EPT_OUTCOME_GUEST_FAULT)
			printf("      -> %s\n", ept_outcome_kind_name(o.kind));
	}

	printf("\noutcome: ");
	if (po.full_exit) {
		printf("page-modification log-full VM exit (exit reason %d) at step %u\n",
		       EXIT_REASON_PML_FULL, po.full_step);
		printf("  qualification %#" PRIx64 ": only bit 12 is defined%s\n", po.qual,
		       po.qual_mask ? "" : ", and not here (undefined)");
	} else {
		switch (o.kind) {
		case EPT_OUTCOME_TRANSLATION:
			printf("translation, no VM exit: HPA %#" PRIx64 ", %s page (EPT %s)\n",
			       o.translation.hpa,
			       o.translation.page_size == 4096 ? "4-KByte" :
			       o.translation.page_size == (2u << 20) ? "2-MByte" : "1-GByte",
			       level_name(o.translation.level));
			break;
		case EPT_OUTCOME_VIOLATION:
			printf("EPT violation, exit reason %" PRIu64 " (step %u)\n", reason, o.step);
			printf("  qualification %#" PRIx64 " (compare under mask %#" PRIx64 ")\n",
			       o.violation.qual, o.violation.qual_mask);
			print_qual(o.violation.qual, o.violation.qual_mask, "    ");
			printf("  guest-physical address %#" PRIx64 "%s\n", o.violation.gpa,
			       o.violation.gpa_mask != ~0ull ? " (bits 4:0 not defined)" : "");
			if (o.violation.gla_valid)
				printf("  guest linear address %#" PRIx64 "\n", o.violation.gla);
			else
				printf("  guest linear address: not valid\n");
			printf("  stopped at EPT %s @ %#" PRIx64 " = %#" PRIx64 "%s\n",
			       level_name(o.violation.level), o.violation.entry_hpa, o.violation.entry,
			       o.violation.ve_convertible ? " (convertible to #VE)" : "");
			break;
		case EPT_OUTCOME_MISCONFIG:
			printf("EPT misconfiguration, exit reason %" PRIu64 " (step %u)\n", reason, o.step);
			printf("  guest-physical address %#" PRIx64 "%s\n", o.misconfig.gpa,
			       o.misconfig.gpa_mask != ~0ull ? " (bits 4:0 not defined)" : "");
			printf("  entry EPT %s @ %#" PRIx64 " = %#" PRIx64 ": %s\n",
			       level_name(o.misconfig.level), o.misconfig.entry_hpa, o.misconfig.entry,
			       ept_misconfig_rule_name(o.misconfig.rule));
			break;
		case EPT_OUTCOME_GUEST_FAULT:
			printf("guest %s, no VM exit: error code %#x, CR2 %#" PRIx64 "\n",
			       o.guest_fault.vector == GUEST_VECTOR_PF ? "#PF" : "#GP",
			       o.guest_fault.error_code, o.guest_fault.cr2);
			break;
		case EPT_OUTCOME_SPP_EVENT:
			printf("SPP-related event, exit reason 66 (step %u): %s\n", o.step,
			       o.spp.result == SPP_MISS ? "SPPT miss" : "SPPT misconfiguration");
			printf("  qualification %#" PRIx64 " (compare under mask %#" PRIx64 "), "
			       "guest-physical address %#" PRIx64 "\n", o.spp.qual, o.spp.qual_mask, o.spp.gpa);
			printf("  SPPT entry at level %u @ %#" PRIx64 " = %#" PRIx64 "\n",
			       o.spp.level, o.spp.entry_hpa, o.spp.entry);
			break;
		case EPT_OUTCOME_UNMODELED:
			printf("not predicted: %s\n", ept_unmodeled_reason_name(o.unmodeled));
			break;
		}
		if (o.order_ambiguous)
			printf("  note: the SDM does not order the guest A/D writes against the rest of the\n"
			       "        walk; another order could stop the access elsewhere\n");
		if (po.full_may)
			printf("  note: the page-modification log is full; whether the stopped access set\n"
			       "        A flags first (and so met it) is not specified\n");
	}

	printf("\nEPT A/D flags set (0 -> 1):%s\n",
	       (w->m.eptp & EPTP_AD_ENABLE) ? (po.nr_ad ? "" : " none") : " none (EPTP bit 6 = 0)");
	for (i = 0; i < po.nr_ad; i++)
		printf("  EPT %-5s @ %#" PRIx64 ": %s%s\n", level_name(po.ad[i].level), po.ad[i].hpa,
		       po.ad[i].set_a ? "A " : "", po.ad[i].set_d ? "D" : "");
	if (po.nr_may)
		printf("  may also be set (the stopped access; not specified):\n");
	for (i = 0; i < po.nr_may; i++)
		printf("  EPT %-5s @ %#" PRIx64 ": A\n", level_name(po.may[i].level), po.may[i].hpa);
	if (w->m.eptp & EPTP_AD_ENABLE)
		printf("  every other EPT A/D flag keeps its value\n");
	if (w->pml.enabled) {
		printf("PML: %u entr%s, index %u -> %u\n", po.nr_log, po.nr_log == 1 ? "y" : "ies",
		       w->pml.index, po.index);
		for (i = 0; i < po.nr_log; i++)
			printf("  @ %#" PRIx64 " = %#" PRIx64 " (step %u)\n", po.log[i].hpa,
			       po.log[i].value, po.log[i].step);
	}
	if (!po.full_exit && o.kind == EPT_OUTCOME_TRANSLATION) {
		int pat = guest_pat_type(w, &tr);
		uint8_t eff;

		printf("memory type: EPT %s, IPAT %d, guest PAT type %s, CR0.CD %d",
		       ept_memtype_name(o.translation.memtype), o.translation.ipat,
		       pat < 0 ? "unknown" : ept_memtype_name((uint8_t)pat), cd);
		if (pat < 0 && !o.translation.ipat && !cd) {
			printf(" -> effective type depends on the PAT type (CR0.PG = 0: give 'guest off pat-type=T')\n");
		} else {
			eff = ept_effective_memtype(o.translation.memtype, o.translation.ipat,
						    pat < 0 ? MEMTYPE_WB : (uint8_t)pat, cd);
			printf(" -> effective %s (SDM 29.3.7.2)\n", eff == 0xff ? "reserved input" :
			       ept_memtype_name(eff));
		}
	}
}

/* ---- subcommands ---- */
static const char walk_help[] =
"usage: eptmodel walk 'STATEMENT; STATEMENT; ...' ...\n"
"       eptmodel walk -f FILE        (one statement per line, '-' for stdin, # comments)\n"
"\n"
"Builds EPT (and guest) tables in a scratch memory, runs one access through\n"
"the reference model and prints every step of the walk, the outcome (exit\n"
"reason, qualification bit by bit, GPA, GLA), the EPT A/D flags and PML\n"
"entries it sets, and the memory types.\n"
"\n"
"Statements (numbers in C syntax, 0x... for hex):\n"
"  maxphyaddr N                   physical-address width, 36..52 (default 46)\n"
"  eptp [levels=4|5] [memtype=wb|uc] [ad] [sss]\n"
"                                 EPT walk length, paging-structure memory type,\n"
"                                 A/D flags (bit 6), supervisor shadow stack (bit 7)\n"
"  ept GPA [page=4k|2m|1g] [hpa=X] [PERMS] [mt=T] [ipat] [a] [d] [xu] [sss] [sve] [bits=X]\n"
"                                 map the page holding GPA; PERMS is any of r w x or\n"
"                                 '-' (default rwx); mt default wb; tables above are RWX\n"
"  ept-level GPA LEVEL [PERMS] [bits=X] [clear=X] [raw=X]\n"
"                                 change the entry at LEVEL (1..5 or pt pd pdpt pml4\n"
"                                 pml5) of GPA's walk\n"
"  guest off|32|pae|4|5 [nowp] [pse] [smep] [smap] [ac] [nonxe] [cd] [pat=X] [pat-type=T]\n"
"                                 guest paging mode (default off: GLA = GPA); cd sets\n"
"                                 CR0.CD; pat= the guest IA32_PAT\n"
"  gmap GLA GPA [page=4k|2m|1g|4m] [p np w u pwt pcd pat a d g nx bits=X]\n"
"                                 guest mapping (default flags p w u a d); its tables\n"
"                                 come from GPA 0x10000 up, identity-mapped RWX WB in EPT\n"
"  glevel GLA LEVEL FLAGS         replace the flags of a guest entry on GLA's walk\n"
"  access read|write|fetch|rmw ADDRESS [user] [implicit] [iret] [evd] [ss]\n"
"                                 ss: a shadow-stack access (CR4.CET = 1); with user, a\n"
"                                 user-mode one (WRUSS)\n"
"  pml [index=N] [address=X]      enable page-modification logging (default index 511)\n"
"  ctl [mbec] [ve] [spp] [nmi-exiting] [virtual-nmis] [adv] [noxo] [no1g] [no2m]\n"
"                                 VM-execution controls and capabilities\n"
"\n"
"Example: a 4-level guest writes a page EPT maps read-only:\n"
"  eptmodel walk 'guest 4; gmap 0x400000 0x200000; ept 0x200000 rx; access write 0x400123'\n";

static const char decode_help[] =
"usage: eptmodel decode QUAL\n"
"\n"
"Names every bit of an EPT-violation exit qualification (SDM 28.2.1, Table\n"
"28-7), with its value, the condition under which the SDM defines the bits\n"
"that are not always defined, and whether the reserved bits 63:17 are 0.\n"
"QUAL is a number in C syntax (0x181).\n";

static const char trace2d_help[] =
"usage: eptmodel trace2d --guest 4|5|pae|32|off --ept 4|5\n"
"\n"
"Prints the memory references of one two-dimensional walk: every guest\n"
"paging-structure entry the guest walk reads, and the final guest-physical\n"
"address, are each translated through every level of the EPT.  Counted:\n"
"the EPT entry reads and the guest entry reads, not the final data access:\n"
"(N+1)(M+1)-1 for N guest levels over M EPT levels (24 for 4 over 4, 29 for\n"
"5 over 4, 35 for 5 over 5); PAE reads 2 guest levels (its PDPTEs are\n"
"registers, loaded by MOV to CR3 earlier): 14 over 4-level EPT.\n";

static const char main_help[] =
"usage: eptmodel decode QUAL | walk STATEMENTS... | trace2d --guest N --ept M\n"
"       eptmodel COMMAND --help\n"
"\n"
"The eptest reference model of Intel EPT (SDM Vol. 3C 29.3) as a tool.\n"
"  decode    name every bit of an EPT-violation exit qualification\n"
"  walk      build EPT and guest tables from a short description, run one access\n"
"  trace2d   the table of memory references of a two-dimensional walk\n";

static int wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

static int cmd_decode(int argc, char **argv)
{
	uint64_t q, set;
	unsigned b;
	int first = 1;

	where = "decode: ";
	if (wants_help(argc, argv)) {
		fputs(decode_help, stdout);
		return 0;
	}
	if (argc != 1)
		die("expected one qualification value (eptmodel decode --help)");
	q = parse_u64(argv[0], "qualification");
	printf("EPT-violation exit qualification %#" PRIx64 " (SDM 28.2.1, Table 28-7)\n", q);
	for (b = 0; b < EPT_QUAL_NR_BITS; b++) {
		printf("  bit %2u  %u  %s\n", b, (unsigned)((q >> b) & 1), ept_qual_bits[b].name);
		if (ept_qual_bits[b].defined_if)
			printf("              only if %s\n",
			       ept_qual_bits[b].defined_if);
	}
	set = q & BITS(63, 17);
	printf("  bits 63:17  %s  reserved (cleared to 0)\n",
	       set ? "NOT 0: a processor never sets them" : "0");
	printf("set:");
	for (b = 0; b < 64; b++) {
		if (!((q >> b) & 1))
			continue;
		printf("%s bit %u (%s)", first ? "" : ",", b,
		       b < EPT_QUAL_NR_BITS ? ept_qual_bits[b].name : "reserved");
		first = 0;
	}
	printf("%s\n", first ? " none" : "");
	if ((q & EPT_QUAL_TRANSLATED_ACCESS) && !(q & EPT_QUAL_GLA_VALID))
		printf("note: bit 8 is set with bit 7 clear; the SDM reserves bit 8 (0) then\n");
	return 0;
}

static int cmd_walk(int argc, char **argv)
{
	static struct world w;
	char buf[4096];
	int i, nstmt = 0;

	where = "walk: ";
	if (wants_help(argc, argv)) {
		fputs(walk_help, stdout);
		return 0;
	}
	if (argc == 0)
		die("no statements (eptmodel walk --help)");
	world_init(&w);
	if (!strcmp(argv[0], "-f")) {
		FILE *f;
		static char wh[256];
		int line = 0;

		if (argc != 2)
			die("-f takes one file name ('-' for stdin) and nothing else");
		f = strcmp(argv[1], "-") ? fopen(argv[1], "r") : stdin;
		if (!f)
			die("%s: %s", argv[1], strerror(errno));
		while (fgets(buf, sizeof(buf), f)) {
			line++;
			snprintf(wh, sizeof(wh), "walk: %s: line %d: ", argv[1], line);
			where = wh;
			if (!strchr(buf, '\n') && !feof(f))
				die("line longer than %zu characters", sizeof(buf) - 2);
			statement(&w, buf);
		}
		if (f != stdin)
			fclose(f);
	} else {
		static char wh[64];

		for (i = 0; i < argc; i++) {
			char *save = NULL, *s;

			if (strlen(argv[i]) >= sizeof(buf))
				die("argument %d too long", i + 1);
			strcpy(buf, argv[i]);
			for (s = strtok_r(buf, ";", &save); s; s = strtok_r(NULL, ";", &save)) {
				snprintf(wh, sizeof(wh), "walk: statement %d: ", ++nstmt);
				where = wh;
				statement(&w, s);
			}
		}
	}
	where = "walk: ";
	run_walk(&w);
	return 0;
}

static int cmd_trace2d(int argc, char **argv)
{
	static struct world w;
	const char *gs = NULL, *es = NULL;
	struct ept_outcome o;
	struct ept_trace tr;
	struct linear_access la = { .kind = LINEAR_READ };
	struct ept_ref refs[EPT_REFS_MAX];
	unsigned i, l, nref, elv, ept_refs = 0;
	char stmt[128];

	where = "trace2d: ";
	if (wants_help(argc, argv)) {
		fputs(trace2d_help, stdout);
		return 0;
	}
	for (i = 0; i < (unsigned)argc; i++) {
		if (!strcmp(argv[i], "--guest") && i + 1 < (unsigned)argc)
			gs = argv[++i];
		else if (!strcmp(argv[i], "--ept") && i + 1 < (unsigned)argc)
			es = argv[++i];
		else
			die("unexpected '%s' (eptmodel trace2d --help)", argv[i]);
	}
	if (!gs || !es)
		die("need --guest 4|5|pae|32|off and --ept 4|5");
	if (strcmp(es, "4") && strcmp(es, "5"))
		die("--ept %s: 4 or 5", es);
	if (strcmp(gs, "4") && strcmp(gs, "5") && strcmp(gs, "pae") && strcmp(gs, "32") &&
	    strcmp(gs, "off"))
		die("--guest %s: 4, 5, pae, 32 or off", gs);
	world_init(&w);
	snprintf(stmt, sizeof(stmt), "eptp levels=%s ad", es);
	statement(&w, stmt);
	elv = w.ept_levels;
	snprintf(stmt, sizeof(stmt), "guest %s", gs);
	statement(&w, stmt);
	/* The guest maps GLA 0x400000 (or 0x0040_0000 in every mode) to the
	 * data page at GPA 0x200000, 4-KByte pages. */
	la.gla = 0x400123;
	if (w.gmode != G_OFF) {
		snprintf(stmt, sizeof(stmt), "gmap 0x400000 0x200000");
		statement(&w, stmt);
	} else {
		la.gla = 0x200123;
	}
	snprintf(stmt, sizeof(stmt), "ept 0x200000");
	statement(&w, stmt);
	if (w.gmode == G_PAE)
		guest_root(&w);
	ept_model_linear(&w.m, &w.g, &la, &o, &tr);
	if (o.kind != EPT_OUTCOME_TRANSLATION) {
		fprintf(stderr, "eptmodel: trace2d: internal: the walk did not complete\n");
		return 1;
	}
	nref = ept_trace_refs(&w.m, &tr, tr.n, refs);
	printf("2-D walk: %s guest over %u-level EPT\n",
	       w.gmode == G_OFF ? "paging-off" : w.gmode == G_32 ? "32-bit" :
	       w.gmode == G_PAE ? "PAE" : w.gmode == G_4 ? "4-level" : "5-level", elv);
	printf("%-8s %-12s", "guest", "GPA");
	for (l = elv; l >= 1; l--)
		printf(" EPT %-20s", level_name(l));
	printf(" %s\n", "guest entry read");
	for (i = 0; i < nref; i++) {
		const struct ept_ref *r = &refs[i];
		char cell[64];

		if (i == 0 || r->step != refs[i - 1].step)
			printf("%-8s %-#12" PRIx64, r->guest_level ? level_name(r->guest_level) : "final",
			       r->gpa);
		if (r->ept_level) {
			snprintf(cell, sizeof(cell), "(%u) EPT@%#" PRIx64, i + 1, r->hpa);
			printf(" %-24s", cell);
			ept_refs++;
		} else {
			printf(" (%u) HPA %#" PRIx64, i + 1, r->hpa);
		}
		if (i + 1 == nref || refs[i + 1].step != r->step)
			printf("%s\n", r->guest_level ? "" : " data access (not counted)");
	}
	printf("%u memory references (%u EPT entry reads, %u guest entry reads)\n", nref,
	       ept_refs, nref - ept_refs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die("no command (decode, walk, trace2d; eptmodel --help)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(main_help, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "decode"))
		return cmd_decode(argc - 2, argv + 2);
	if (!strcmp(argv[1], "walk"))
		return cmd_walk(argc - 2, argv + 2);
	if (!strcmp(argv[1], "trace2d"))
		return cmd_trace2d(argc - 2, argv + 2);
	die("unknown command '%s' (decode, walk, trace2d; eptmodel --help)", argv[1]);
}
