/*
 * The freestanding C subset every test kernel has: fixed-width types,
 * string functions, printf, assert, and the reporting API.
 */
#ifndef LIB_LIBCFLAT_H
#define LIB_LIBCFLAT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)  (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define MIN(a, b)       ((a) < (b) ? (a) : (b))
#define MAX(a, b)       ((a) > (b) ? (a) : (b))
#define __unused        __attribute__((unused))
#define __noreturn      __attribute__((noreturn))
#define __printf(f, a)  __attribute__((format(printf, f, a)))

/* string.c */
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);
unsigned long strtoul(const char *s, char **end, int base);
bool glob_match(const char *pattern, const char *s);

/* printf.c */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int printf(const char *fmt, ...) __printf(1, 2);
void puts(const char *s);	/* no newline added */

/* Provided by the architecture (lib/x86): console and exit. */
void arch_putchar(char c);
void arch_puts(const char *s);
void __noreturn arch_exit(int status);
void arch_test_begin(void);	/* before each test */
void arch_test_cleanup(void);	/* after each test, even an abandoned one */
bool arch_option(const char *word);	/* a key=value it knows: true */
void arch_describe(void);	/* "# " lines on the machine, before any check */
void arch_console_select(const char *which);	/* kernel option console= */
void arch_set_profile(bool on);			/* kernel option profile= */

/* assert.c */
void __noreturn assert_fail(const char *expr, const char *file, int line);
#define assert(e) ((e) ? (void)0 : assert_fail(#e, __FILE__, __LINE__))

#include "report.h"

#endif
