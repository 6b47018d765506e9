/*
 * ept_paging_ad: the guest paging-structure matrix of ept_paging.c with
 * EPT accessed/dirty flags on (EPTP bit 6): every guest paging-structure
 * access is then a write for EPT (SDM 29.3.3.2, 29.3.5, Table 28-7 bit 1).
 */
#include "ept_paging_body.h"

static void ept_paging_ad(void)
{
	ept_paging_run(true);
}

TEST("ept_paging_ad", ept_paging_ad);
