/*
 * Runner self-test: a triple fault.  With an IDT of limit 0, int3 raises
 * #GP, delivering it raises #GP again (double fault), and delivering the
 * #DF fails too: shutdown.  QEMU -no-reboot exits, Bochs panics.
 */
#include "libcflat.h"
#include "test.h"
#include "x86/processor.h"

static void st_triple(void)
{
	static const struct descriptor_table_ptr empty_idt = { 0 };

	report(true, "selftest.triple.before", "printed before the triple fault");
	cli();
	lidt(&empty_idt);
	asm volatile("int3" ::: "memory");
	report(false, "selftest.triple.survived", "the CPU survived the triple fault");
}
TEST("st_triple", st_triple);
