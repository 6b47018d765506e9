/*
 * printf family: %d %i %u %x %X %o %p %s %c %%, with the flags '-', '0',
 * '#', a width, a precision for strings, and the length modifiers
 * hh h l ll z.  No floating point: the kernels are built without SSE.
 */
#include "libcflat.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void out_number(struct out *o, unsigned long long v, bool negative,
		       unsigned base, bool upper, int width, bool left,
		       bool zero, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = (int)strlen(prefix) + negative;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int ndigits = n;

	if (!left && !zero)
		out_pad(o, ' ', width - n - plen);
	if (negative)
		out_char(o, '-');
	while (*prefix)
		out_char(o, *prefix++);
	if (!left && zero)
		out_pad(o, '0', width - n - plen);
	while (n)
		out_char(o, tmp[--n]);
	if (left)
		out_pad(o, ' ', width - ndigits - plen);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		bool left = false, zero = false, alt = false;
		int width = 0, prec = -1, lng = 0;
		unsigned long long v;

		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero = true;
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			prec = 0;
			fmt++;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		for (;; fmt++) {
			if (*fmt == 'l')
				lng++;
			else if (*fmt == 'z')
				lng = 2;
			else if (*fmt == 'h')
				lng = -1;
			else
				break;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			long long s = lng >= 2 ? va_arg(ap, long long)
				    : lng == 1 ? va_arg(ap, long)
				    : va_arg(ap, int);
			out_number(&o, s < 0 ? -(unsigned long long)s : (unsigned long long)s,
				   s < 0, 10, false, width, left, zero, "");
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			v = lng >= 2 ? va_arg(ap, unsigned long long)
			  : lng == 1 ? va_arg(ap, unsigned long)
			  : va_arg(ap, unsigned int);
			out_number(&o, v, false,
				   *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
				   *fmt == 'X', width, left, zero,
				   alt && (*fmt == 'x' || *fmt == 'X') ? "0x" : "");
			break;
		case 'p':
			out_number(&o, (uintptr_t)va_arg(ap, void *), false, 16,
				   false, width, left, zero, "0x");
			break;
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n;
			if (!s)
				s = "(null)";
			n = (int)strlen(s);
			if (prec >= 0 && prec < n)
				n = prec;
			if (!left)
				out_pad(&o, ' ', width - n);
			for (int i = 0; i < n; i++)
				out_char(&o, s[i]);
			if (left)
				out_pad(&o, ' ', width - n);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		default:
			out_char(&o, '%');
			if (*fmt)
				out_char(&o, *fmt);
			else
				fmt--;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void puts(const char *s)
{
	arch_puts(s);
}

int printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	puts(buf);
	return n;
}
