/*
 * Inline accessors for x86 registers and instructions: control registers,
 * MSRs, CPUID, port I/O, descriptor tables.  One instruction each, no
 * policy.  VMX instructions live in vmx.h.
 */
#ifndef LIB_X86_PROCESSOR_H
#define LIB_X86_PROCESSOR_H

#include <stdint.h>
#include <stdbool.h>
#include "x86/vmx_arch.h"

struct cpuid { uint32_t a, b, c, d; };

static inline struct cpuid cpuid_count(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid r;
	asm volatile("cpuid"
		     : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline struct cpuid cpuid(uint32_t leaf)
{
	return cpuid_count(leaf, 0);
}

/* CPUID feature bits the suite looks at */
#define CPUID_1_ECX_VMX         BIT(5)
#define CPUID_1_EDX_PAE         BIT(6)
#define CPUID_1_EDX_PSE         BIT(3)
#define CPUID_80000001_EDX_NX   BIT(20)
#define CPUID_80000001_EDX_1G   BIT(26)
#define CPUID_80000001_EDX_LM   BIT(29)
#define CPUID_7_ECX_LA57        BIT(16)
#define CPUID_1_ECX_HYPERVISOR  BIT(31)	/* set by hypervisors for their guests */
#define CPUID_HYPERVISOR_LEAF   0x40000000	/* EAX max leaf, EBX:ECX:EDX signature */

static inline bool cpu_has_vmx(void)
{
	return cpuid(1).c & CPUID_1_ECX_VMX;
}

static inline bool cpu_has_hypervisor(void)
{
	return cpuid(1).c & CPUID_1_ECX_HYPERVISOR;
}

/* MAXPHYADDR: CPUID.80000008H:EAX[7:0] (SDM Vol. 3A 4.1.4) */
static inline unsigned cpu_maxphyaddr(void)
{
	if (cpuid(0x80000000).a < 0x80000008)
		return 36;
	return cpuid(0x80000008).a & 0xff;
}

static inline uint64_t rdmsr(uint32_t index)
{
	uint32_t lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index));
	return lo | ((uint64_t)hi << 32);
}

static inline void wrmsr(uint32_t index, uint64_t val)
{
	asm volatile("wrmsr" :: "a"((uint32_t)val), "d"((uint32_t)(val >> 32)),
		     "c"(index) : "memory");
}

#define DEFINE_CR_ACCESSORS(n)						\
static inline uint64_t read_cr##n(void)					\
{									\
	uint64_t v;							\
	asm volatile("mov %%cr" #n ", %0" : "=r"(v) :: "memory");	\
	return v;							\
}									\
static inline void write_cr##n(uint64_t v)				\
{									\
	asm volatile("mov %0, %%cr" #n :: "r"(v) : "memory");		\
}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	asm volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline uint16_t read_cs(void) { uint16_t s; asm volatile("mov %%cs, %0" : "=r"(s)); return s; }
static inline uint16_t read_ds(void) { uint16_t s; asm volatile("mov %%ds, %0" : "=r"(s)); return s; }
static inline uint16_t read_ss(void) { uint16_t s; asm volatile("mov %%ss, %0" : "=r"(s)); return s; }
static inline uint16_t read_tr(void) { uint16_t s; asm volatile("str %0" : "=r"(s)); return s; }

struct descriptor_table_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static inline void lgdt(const struct descriptor_table_ptr *p) { asm volatile("lgdt %0" :: "m"(*p)); }
static inline void lidt(const struct descriptor_table_ptr *p) { asm volatile("lidt %0" :: "m"(*p)); }
static inline void sgdt(struct descriptor_table_ptr *p) { asm volatile("sgdt %0" : "=m"(*p)); }
static inline void sidt(struct descriptor_table_ptr *p) { asm volatile("sidt %0" : "=m"(*p)); }
static inline void ltr(uint16_t sel) { asm volatile("ltr %0" :: "rm"(sel)); }

static inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline void cli(void) { asm volatile("cli" ::: "memory"); }
static inline void sti(void) { asm volatile("sti" ::: "memory"); }
static inline void hlt(void) { asm volatile("hlt" ::: "memory"); }
static inline void pause(void) { asm volatile("pause" ::: "memory"); }

static inline void invlpg(const volatile void *va)
{
	asm volatile("invlpg (%0)" :: "r"(va) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | ((uint64_t)hi << 32);
}

#endif
