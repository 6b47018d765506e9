/*
 * bochs-e9 < BOCHS-STDOUT > SERIAL-LOG 2>> BOCHS-OUT: the kernel's result
 * stream out of Bochs' stdout (scripts/backends/bochs.sh; a host program,
 * built by make into build/bochs/e9filter).
 *
 * With console=e9 the kernel writes its result stream to port 0xE9, which
 * Bochs' port_e9_hack copies to its stdout, one write() a byte.  Bochs
 * writes there too: its banner, and with the debugger built in "Next at
 * t=0" and the disassembled first instruction before the machine starts,
 * and the disassembled last one ("(0).[TICKS] [0x...] ...") when it
 * stops.  The kernel ends every line with "\r\n" (the bytes COM1 would
 * carry), Bochs with "\n" alone: the kernel's lines go to stdout as soon
 * as they are complete (the runner watches them), the rest to stderr.  A
 * line of the kernel cut short by the end of the machine is followed by
 * Bochs' last line, or by nothing (killed): it goes out without a line
 * end, as from COM1.  Bytes in, bytes out: nothing is decoded.
 *
 * Read from a pipe, the bytes would wake a blocked reader one at a time
 * (a context switch a byte, more than Bochs' own write): after each read
 * this sleeps a little, and the next read takes what gathered meanwhile.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define READ_SIZE	65536
#define LINE_MAX_LEN	(1 << 20)	/* a longer "line" goes out in pieces */
#define NAP_NS		20000000L	/* 20 ms between reads */

static char in[READ_SIZE];
static char line[LINE_MAX_LEN];
static size_t line_len;
static char out[READ_SIZE + LINE_MAX_LEN];
static size_t out_len;
static bool held;		/* line[] is a whole bare line */

static void put(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			exit(1);
		s += w;
		n -= (size_t)w;
	}
}

static void flush_out(void)
{
	put(1, out, out_len);
	out_len = 0;
}

static void to_out(const char *s, size_t n)
{
	if (out_len + n > sizeof(out))
		flush_out();
	if (n > sizeof(out)) {
		put(1, s, n);
		return;
	}
	memcpy(out + out_len, s, n);
	out_len += n;
}

static size_t digits(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	return i;
}

/* Where Bochs' "(N).[TICKS] " starts in s[0..n), or n. */
static size_t bochs_last_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t j = i + 1, d;

		if (s[i] != '(')
			continue;
		d = digits(s + j, n - j);
		if (!d || (j += d) + 2 > n || s[j] != ')' || s[j + 1] != '.' || s[j + 2] != '[')
			continue;
		j += 3;
		d = digits(s + j, n - j);
		if (d && j + d + 1 < n && s[j + d] == ']' && s[j + d + 1] == ' ')
			return i;
	}
	return n;
}

/* line[0..line_len) ended by "\n" (not in line[]) */
static void end_line(void)
{
	size_t b;

	if (line_len && line[line_len - 1] == '\r') {
		to_out(line, line_len);
		to_out("\n", 1);
		line_len = 0;
		return;
	}
	b = bochs_last_line(line, line_len);
	if (b < line_len) {
		/* Bochs' last line, maybe after the kernel's unfinished one */
		to_out(line, b);
		flush_out();
		put(2, line + b, line_len - b);
		put(2, "\n", 1);
		line_len = 0;
		return;
	}
	/* a bare line: Bochs' own unless it turns out to be the last bytes */
	held = true;
}

static void feed(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (held) {
			put(2, line, line_len);
			put(2, "\n", 1);
			line_len = 0;
			held = false;
		}
		if (s[i] == '\n') {
			end_line();
			continue;
		}
		if (line_len == sizeof(line)) {
			to_out(line, line_len);
			line_len = 0;
		}
		line[line_len++] = s[i];
	}
}

int main(void)
{
	const struct timespec nap = { 0, NAP_NS };

	for (;;) {
		ssize_t r = read(0, in, sizeof(in));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		feed(in, (size_t)r);
		flush_out();
		nanosleep(&nap, NULL);
	}
	/* the end: a bare line ended by "\n" is Bochs'; one without a line
	 * end, the kernel's unfinished one (Bochs was killed) */
	if (held) {
		put(2, line, line_len);
		put(2, "\n", 1);
	} else {
		to_out(line, line_len);
		flush_out();
	}
	return 0;
}
