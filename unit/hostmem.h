/* Host memory for unit tests: hpa = byte offset into one array. */
#ifndef UNIT_HOSTMEM_H
#define UNIT_HOSTMEM_H

#include <stdint.h>
#include <string.h>
#include "../lib/x86/ept_model.h"

#define HOSTMEM_SIZE    (4u << 20)      /* 4 MiB */
#define PAGE            4096ull

struct hostmem {
	uint64_t q[HOSTMEM_SIZE / 8];
	unsigned bad_reads;     /* reads outside the array */
};

static inline uint64_t hostmem_read(void *ctx, uint64_t hpa)
{
	struct hostmem *h = ctx;

	if ((hpa & 7) || hpa >= HOSTMEM_SIZE) {
		h->bad_reads++;
		return 0;
	}
	return h->q[hpa / 8];
}

static inline void hm_set(struct hostmem *h, uint64_t hpa, uint64_t v)
{
	h->q[hpa / 8] = v;
}

static inline uint64_t hm_get(struct hostmem *h, uint64_t hpa)
{
	return h->q[hpa / 8];
}

static inline void hm_set32(struct hostmem *h, uint64_t hpa, uint32_t v)
{
	memcpy((char *)h->q + hpa, &v, 4);
}

static inline unsigned ept_index(uint64_t gpa, unsigned level)
{
	return (unsigned)((gpa >> (12 + 9 * (level - 1))) & 511);
}

#endif
