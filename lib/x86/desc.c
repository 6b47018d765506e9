#include "libcflat.h"
#include "test.h"
#include "setjmp.h"
#include "x86/processor.h"
#include "x86/desc.h"

/* 64-bit TSS (SDM Vol. 3A 8.7) */
static struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed, aligned(16))) tss;

static uint8_t df_stack[4096] __attribute__((aligned(16)));
static uint8_t nmi_stack[4096] __attribute__((aligned(16)));

uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
struct idt_gate idt[256] __attribute__((aligned(16)));
extern const uint64_t isr_table[33];

static uint64_t segment(uint32_t flags_access)
{
	/* base 0, limit 0xfffff; flags_access = G/DB/L nibble << 20 | access byte << 8 */
	return 0x000f00000000ffffull | ((uint64_t)flags_access << 32);
}

static void set_gate(unsigned vec, uint64_t handler, unsigned ist)
{
	/* 64-bit interrupt gate, DPL 0 (SDM Vol. 3A 6.14.1) */
	idt[vec].lo = (handler & 0xffff) | ((uint64_t)SEL_CODE64 << 16) |
		      ((uint64_t)ist << 32) | (0x8eull << 40) |
		      ((handler >> 16 & 0xffff) << 48);
	idt[vec].hi = handler >> 32;
}

void desc_init(void)
{
	struct descriptor_table_ptr p;
	uint64_t tss_base = (uintptr_t)&tss;

	gdt[SEL_CODE64 >> 3] = segment(0xa09b00);	/* L=1, P, DPL0, code RX */
	gdt[SEL_DATA >> 3] = segment(0xc09300);		/* G, D/B, P, data RW */
	gdt[SEL_CODE32 >> 3] = segment(0xc09b00);	/* G, D/B, P, code RX */
	gdt[SEL_USER_CODE64 >> 3] = segment(0xa0fb00);
	gdt[SEL_USER_DATA >> 3] = segment(0xc0f300);
	gdt[SEL_USER_CODE32 >> 3] = segment(0xc0fb00);
	/* available 64-bit TSS, 16 bytes */
	gdt[SEL_TSS >> 3] = (sizeof(tss) - 1) | ((tss_base & 0xffffff) << 16) |
			    (0x89ull << 40) | ((tss_base >> 24 & 0xff) << 56);
	gdt[(SEL_TSS >> 3) + 1] = tss_base >> 32;

	tss.ist[0] = (uintptr_t)df_stack + sizeof(df_stack);
	tss.ist[1] = (uintptr_t)nmi_stack + sizeof(nmi_stack);
	tss.iomap_base = sizeof(tss);

	p.limit = sizeof(gdt) - 1;
	p.base = (uintptr_t)gdt;
	lgdt(&p);
	asm volatile("pushq %0; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:"
		     :: "i"(SEL_CODE64) : "rax", "memory");
	asm volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss"
		     :: "r"((uint16_t)SEL_DATA));
	ltr(SEL_TSS);

	for (unsigned v = 0; v < 256; v++)
		set_gate(v, isr_table[v < 32 ? v : 32],
			 v == DF_VECTOR ? 1 : v == NMI_VECTOR ? 2 : 0);
	p.limit = sizeof(idt) - 1;
	p.base = (uintptr_t)idt;
	lidt(&p);
}

const char *exception_name(unsigned v)
{
	static const char *const names[] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
		"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
		"#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
	};
	return v < ARRAY_SIZE(names) ? names[v] : "interrupt";
}

static jmp_buf *catch_env;
static struct ex_info *catch_info;

int catch_exception(void (*fn)(void *), void *arg, struct ex_info *info)
{
	jmp_buf env;
	struct ex_info local;
	int v;

	catch_info = info ? info : &local;
	catch_env = &env;
	v = setjmp(env);
	if (!v) {
		fn(arg);
		catch_env = NULL;
		return -1;
	}
	catch_env = NULL;
	return v - 1;
}

bool expect_exception(const char *id, const char *words, unsigned vector,
		      void (*fn)(void *), void *arg)
{
	struct ex_info info;
	int got = catch_exception(fn, arg, &info);
	bool pass = report_expect_mask(id, "vector", got < 0 ? VECTOR_NONE : (uint64_t)got,
				       vector, VECTOR_MASK, "%s -> %s", words,
				       exception_name(vector));

	if (!pass && got >= 0)
		report_info("got %s error code %#lx at rip %#lx", exception_name((unsigned)got),
			    info.error_code, info.rip);
	else if (!pass)
		report_info("got no exception");
	return pass;
}

void handle_exception(struct ex_regs *r);
void handle_exception(struct ex_regs *r)
{
	if (catch_env) {
		jmp_buf *env = catch_env;

		catch_env = NULL;
		catch_info->vector = (unsigned)r->vector;
		catch_info->error_code = r->error_code;
		catch_info->rip = r->rip;
		catch_info->cr2 = read_cr2();
		longjmp(*env, (int)r->vector + 1);
	}

	report(false, "unexpected-exception", "%s (vector %lu) error code %#lx at rip %#lx",
	       exception_name((unsigned)r->vector), r->vector, r->error_code, r->rip);
	report_info("cr0=%#lx cr2=%#lx cr3=%#lx cr4=%#lx rflags=%#lx",
		    read_cr0(), read_cr2(), read_cr3(), read_cr4(), r->rflags);
	report_info("rax=%#lx rbx=%#lx rcx=%#lx rdx=%#lx", r->rax, r->rbx, r->rcx, r->rdx);
	report_info("rsi=%#lx rdi=%#lx rbp=%#lx rsp=%#lx", r->rsi, r->rdi, r->rbp, r->rsp);
	report_info("r8=%#lx r9=%#lx r10=%#lx r11=%#lx", r->r8, r->r9, r->r10, r->r11);
	report_info("r12=%#lx r13=%#lx r14=%#lx r15=%#lx", r->r12, r->r13, r->r14, r->r15);
	if (r->vector == DF_VECTOR || r->vector == NMI_VECTOR) {
		/* the stack may be gone: do not try to go on */
		report_summary();
		arch_exit(1);
	}
	test_abort();
}
