#include "libcflat.h"

void assert_fail(const char *expr, const char *file, int line)
{
	report(false, "assert", "assertion '%s' failed at %s:%d", expr, file, line);
	report_summary();
	arch_exit(1);
}
