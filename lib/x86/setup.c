/*
 * From the boot code to the test loop: console, descriptors, memory,
 * command line.
 */
#include "libcflat.h"
#include "test.h"
#include "x86/processor.h"
#include "x86/alloc.h"
#include "x86/console.h"
#include "x86/desc.h"
#include "x86/multiboot.h"
#include "x86/profile.h"
#include "x86/vmx.h"

#define MAX_ARGS 160	/* a batch names every test it runs */

static char cmdline[4096];
static char *argv[MAX_ARGS];
static struct alloc_mark test_mark;

static int split_args(char *s)
{
	int argc = 0;

	while (*s && argc < MAX_ARGS) {
		while (*s == ' ')
			*s++ = 0;
		if (!*s)
			break;
		argv[argc++] = s;
		while (*s && *s != ' ')
			s++;
	}
	return argc;
}

void arch_test_begin(void)
{
	test_mark = alloc_mark();
	prof_test_begin();
}

void arch_test_cleanup(void)
{
	vmx_force_off();
	alloc_release(test_mark);
	prof_test_end();
}

bool arch_option(const char *word)
{
	return vmx_option(word);
}

/* Which machine this is: CPU signature, hypervisor, VMX capabilities. */
void arch_describe(void)
{
	struct cpuid v = cpuid(0), f = cpuid(1), h;
	char vendor[13], sig[13];
	unsigned family = (f.a >> 8) & 0xf, model = (f.a >> 4) & 0xf;

	memcpy(vendor, &v.b, 4);
	memcpy(vendor + 4, &v.d, 4);
	memcpy(vendor + 8, &v.c, 4);
	vendor[12] = 0;
	/* SDM Vol. 2A CPUID leaf 1: extended family and model */
	if (family == 0xf)
		family += (f.a >> 20) & 0xff;
	if (family == 0x6 || family >= 0xf)
		model |= ((f.a >> 16) & 0xf) << 4;
	printf("# eptest: cpu: %s family %#x model %#x stepping %u (CPUID.1:EAX %#x)\n",
	       vendor, family, model, f.a & 0xf, f.a);
	if (!cpu_has_hypervisor()) {
		printf("# eptest: hypervisor: none (CPUID.1:ECX[31]=0)\n");
	} else {
		h = cpuid(CPUID_HYPERVISOR_LEAF);
		memcpy(sig, &h.b, 4);
		memcpy(sig + 4, &h.c, 4);
		memcpy(sig + 8, &h.d, 4);
		sig[12] = 0;
		for (unsigned i = 0; i < 12 && sig[i]; i++)
			if (sig[i] < 0x20 || sig[i] > 0x7e)
				sig[i] = '.';
		printf("# eptest: hypervisor: \"%s\" (CPUID %#x: max leaf %#x)\n", sig,
		       CPUID_HYPERVISOR_LEAF, h.a);
	}
	printf("# eptest: screen: %s\n", console_screen());
	vmx_describe();
}

void setup(uint32_t magic, uint32_t mbi_addr);
void setup(uint32_t magic, uint32_t mbi_addr)
{
	const struct multiboot_info *mbi = NULL;
	int argc;

	if (magic == MULTIBOOT_BOOTLOADER_MAGIC)
		mbi = (const struct multiboot_info *)(uintptr_t)mbi_addr;
	console_init(mbi);
	desc_init();
	if (!mbi)
		printf("# eptest: not started by a multiboot loader (eax=%#x)\n", magic);
	if (mbi && (mbi->flags & MBI_FLAG_CMDLINE))
		strlcpy(cmdline, (const char *)(uintptr_t)mbi->cmdline, sizeof(cmdline));
	argc = split_args(cmdline);
	alloc_init(mbi);
	run_tests(argc, argv);
}
