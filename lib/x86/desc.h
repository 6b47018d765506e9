/*
 * GDT, IDT and TSS of the test kernel, exception reporting, and
 * catch_exception() for tests that need a fault.
 *
 * The GDT also holds the segments guests use: guests share the kernel's
 * identity-mapped memory, and event delivery in a guest reads descriptors
 * from the guest's GDT (SDM Vol. 3A 6.12), so these must be valid there.
 */
#ifndef LIB_X86_DESC_H
#define LIB_X86_DESC_H

#include <stdint.h>
#include <stdbool.h>

enum gdt_selector {
	SEL_NULL        = 0x00,
	SEL_CODE64      = 0x08,
	SEL_DATA        = 0x10,
	SEL_CODE32      = 0x18,
	SEL_TSS         = 0x20,	/* 16-byte system descriptor */
	SEL_USER_CODE64 = 0x30 | 3,
	SEL_USER_DATA   = 0x38 | 3,
	SEL_USER_CODE32 = 0x40 | 3,
	GDT_ENTRIES     = 9,
};

/* The outcome field "vector" of a host instruction: the vector of the
 * exception it raised, or VECTOR_NONE; compared under VECTOR_MASK. */
#define VECTOR_NONE             (1ull << 8)
#define VECTOR_MASK             0x1ffull

enum exception_vector {
	DE_VECTOR = 0, DB_VECTOR = 1, NMI_VECTOR = 2, BP_VECTOR = 3,
	OF_VECTOR = 4, BR_VECTOR = 5, UD_VECTOR = 6, NM_VECTOR = 7,
	DF_VECTOR = 8, TS_VECTOR = 10, NP_VECTOR = 11, SS_VECTOR = 12,
	GP_VECTOR = 13, PF_VECTOR = 14, MF_VECTOR = 16, AC_VECTOR = 17,
	MC_VECTOR = 18, XM_VECTOR = 19, VE_VECTOR = 20, CP_VECTOR = 21,
};

/* Register frame pushed by the exception stubs (lib/x86/isr.S). */
struct ex_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct ex_info {
	unsigned vector;
	uint64_t error_code;
	uint64_t rip;
	uint64_t cr2;
};

void desc_init(void);
const char *exception_name(unsigned vector);
extern uint64_t gdt[GDT_ENTRIES];
extern struct idt_gate { uint64_t lo, hi; } idt[256];

/*
 * Run fn(arg).  Returns -1 when it completed, else the vector of the
 * exception it raised (fn is abandoned at the faulting instruction), with
 * the details in *info when info is not NULL.
 */
int catch_exception(void (*fn)(void *), void *arg, struct ex_info *info);

/*
 * One check: fn(arg) must raise exception @vector.  Reports
 * "<id>: <words> -> <#XX>", with the exception actually seen (or none)
 * as a diagnostic on failure.  Honors flip mode.
 */
bool expect_exception(const char *id, const char *words, unsigned vector,
		      void (*fn)(void *), void *arg);

#endif
