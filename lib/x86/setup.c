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
