/*
 * spp_model: EPT sub-page write permissions (SPP), SDM Vol. 3C 29.3.4,
 * as pure rules (freestanding and hosted, no state).  ept_model_access()
 * calls these where a write meets an SPP page:
 *   - which writes SPP decides ................... spp_write_eligible()
 *   - the SPP table walk (SPPTP, 4 levels) ....... spp_model_write()
 *   - each 128-byte sub-page written needs its write-permission bit
 *     (even bit 2i of the SPPL1E for sub-page i), a write that straddles
 *     sub-pages needs both ......................... spp_model_write()
 *   - SPPT miss / SPPT misconfiguration: VM exit 66 "SPP-related event",
 *     exit-qualification bit 11 (1: miss, 0: misconfiguration) and bit 12
 *     (NMI unblocking due to IRET) ................ spp_model_write()
 *   - the SPPTP VM-entry checks (26.2.1.1) ........ spp_spptp_check()
 *
 * The table: SPPTP bits N-1:12 locate the SPPL4 table; the SPPL4E, SPPL3E
 * and SPPL2E (indexed by GPA bits 47:39, 38:30, 29:21) have bit 0 "valid",
 * bits 11:1 and 63:N reserved, bits N-1:12 the next table; the SPPL1E
 * (indexed by GPA bits 20:12) is the page's 64-bit write-permission
 * vector, odd bits reserved.
 */
#ifndef LIB_X86_SPP_MODEL_H
#define LIB_X86_SPP_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx_arch.h"

#define SPP_SUBPAGE_SHIFT       7                       /* 128 bytes */
#define SPP_SUBPAGE_SIZE        (1u << SPP_SUBPAGE_SHIFT)
#define SPP_SUBPAGES            32
#define SPP_VALID               BIT(0)                  /* non-leaf entries */
#define SPP_NONLEAF_RSVD_11_1   BITS(11, 1)
#define SPP_L1_RSVD_ODD         0xaaaaaaaaaaaaaaaaull   /* SPPL1E odd bits */
/* Write permission of sub-page i in an SPPL1E. */
#define SPP_WRITE_BIT(i)        BIT(2 * (i))
/* Exit qualification of an SPP-related event (exit reason 66). */
#define SPP_QUAL_MISS           BIT(11)
#define SPP_QUAL_NMI_UNBLOCKING BIT(12)

struct spp_table {
	uint64_t spptp;
	uint8_t maxphyaddr;
	uint64_t (*read)(void *ctx, uint64_t hpa);
	void *ctx;
};

enum spp_result {
	SPP_ALLOW = 1,          /* every sub-page written is writable */
	SPP_DENY,               /* some is not: an EPT violation */
	SPP_MISS,               /* a non-leaf entry with bit 0 = 0: exit 66 */
	SPP_MISCONFIG,          /* a reserved bit set: exit 66 */
};

struct spp_walk {
	enum spp_result result;
	uint8_t level;          /* of the entry that ended the walk (1: SPPL1E) */
	uint64_t entry_hpa, entry;
	uint32_t written;       /* sub-pages the write touches (bit i) */
	uint32_t denied;        /* those without write permission */
	/* SPP_MISS / SPP_MISCONFIG: the VM exit */
	uint64_t qual, qual_mask, gpa;
};

/*
 * 29.3.4.1: whether SPP decides a write that EPT alone does not allow:
 * the "sub-page write permissions for EPT" control is 1, the address is
 * translated by an EPT PTE (a 4-KByte page) whose bit 61 is 1, every
 * entry of the walk grants read (bit 0), and write permission (bit 1) is
 * what the walk lacks; the access is a write to the translation of a
 * linear address (not a guest paging-structure access or A/D update).
 * @and_bits: the AND of the walk's entries including the leaf.
 */
bool spp_write_eligible(bool spp_ctl, unsigned leaf_level, uint64_t leaf, uint64_t and_bits,
			bool linear_data_write);

/* The SPP walk for a write of @size bytes (1..8, within one 4-KByte page;
 * 0 counts as 1) at @gpa.  Returns w->result. */
enum spp_result spp_model_write(const struct spp_table *t, uint64_t gpa, unsigned size,
				bool nmi_unblock_undefined, bool iret_nmi_unblock,
				struct spp_walk *w);
const char *spp_result_name(enum spp_result r);

/* 26.2.1.1: with "sub-page write permissions for EPT" = 1, SPPTP bits
 * 11:0 and 63:N must be 0 (else VMfailValid 7). */
enum spp_spptp_rule {
	SPP_SPPTP_OK = 0,
	SPP_SPPTP_RSVD_11_0,
	SPP_SPPTP_RSVD_PHYS,
};
enum spp_spptp_rule spp_spptp_check(unsigned maxphyaddr, uint64_t spptp);
const char *spp_spptp_rule_name(enum spp_spptp_rule r);

#endif
