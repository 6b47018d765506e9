/*
 * Leaving the machine: by the best means the platform has, falling back
 * to halting with the result on screen (bare metal).  See CONTRACT.md.
 */
#include "libcflat.h"
#include "x86/processor.h"
#include "x86/console.h"

#define QEMU_DEBUG_EXIT_PORT    0xf4	/* -device isa-debug-exit,iobase=0xf4 */
#define BOCHS_SHUTDOWN_PORT     0x8900

void arch_exit(int status)
{
	const char *s = "Shutdown";

	console_flush();
	/* QEMU exits with (status << 1) | 1 */
	outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)status);
	/* Bochs powers off when it sees this string on port 0x8900 */
	while (*s)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s++);
	printf("eptest: halted (%s); power off or reset the machine\n",
	       status ? "failures" : "no failures");
	console_flush();
	for (;;) {
		cli();
		hlt();
	}
}
