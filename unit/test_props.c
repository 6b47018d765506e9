/*
 * Property checks over small exhaustive spaces: every R/W/X(/XU) value of
 * one entry x level x leaf size x access kind x A/D x MBEC.
 */
#include "ept_fixture.h"

static struct hostmem h;

static const enum ept_access_kind kinds[] = {
	EPT_ACCESS_READ, EPT_ACCESS_WRITE, EPT_ACCESS_FETCH, EPT_ACCESS_RMW,
	EPT_ACCESS_PAGING, EPT_ACCESS_PAGING_AD, EPT_ACCESS_PDPTE_LOAD,
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* Outcome for: level `lvl` of a walk with leaf `leaf` gets permission bits
 * `perm` (bits 2:0 and XU), everything else default. */
static enum ept_outcome_kind one(enum prof p, bool ad, bool mbec, unsigned leaf, unsigned lvl,
				 uint64_t perm, enum ept_access_kind k, bool user,
				 struct ept_outcome *o, uint64_t *hpas)
{
	struct ept_model m;
	uint64_t ov[6] = { 0 };
	struct ept_access a = { .gpa = GPA_T, .kind = k, .gla = GLA_T, .gla_valid = true, .user = user };

	profile(p, &m, &h);
	if (ad) m.eptp |= EPTP_AD_ENABLE;
	m.ctl.mbec = mbec;
	ov[lvl] = (default_flags(&m, lvl, leaf) & ~(EPT_RWX_MASK | XU)) | perm;
	build_walk(&h, &m, GPA_T, leaf, 1u << lvl, ov, hpas);
	return ept_model_access(&m, &a, o);
}

#define FOR_SPACE(...)                                                           \
	for (unsigned ad = 0; ad < 2; ad++)                                      \
	for (unsigned mb = 0; mb < 2; mb++)                                      \
	for (unsigned leaf = 1; leaf <= 3; leaf++)                               \
	for (unsigned lvl = leaf; lvl <= 4; lvl++)                               \
	for (unsigned ki = 0; ki < NKINDS; ki++)                                 \
	for (unsigned user = 0; user < 2; user++)                                \
	for (uint64_t perm = 0; perm < 16; perm++) {                             \
		uint64_t pb = (perm & 7) | ((perm & 8) ? XU : 0);                \
		__VA_ARGS__                                                      \
	}

UNIT(prop_monotone, "prop.adding-permission-never-violates",
     "SDM 29.3.3.2: violations come only from a clear permission bit")
{
	unsigned bad = 0, pairs = 0;
	struct ept_outcome o1, o2;

	FOR_SPACE(
		if (one(P_STD, ad, mb, leaf, lvl, pb, kinds[ki], user, &o1, NULL) != EPT_OUTCOME_TRANSLATION)
			continue;
		for (uint64_t more = 0; more < 16; more++) {
			uint64_t pb2 = pb | (more & 7) | ((more & 8) ? XU : 0);
			if (pb2 == pb)
				continue;
			if (one(P_STD, ad, mb, leaf, lvl, pb2, kinds[ki], user, &o2, NULL) ==
			    EPT_OUTCOME_MISCONFIG)
				continue;       /* e.g. adding W to X-only */
			pairs++;
			if (o2.kind != EPT_OUTCOME_TRANSLATION)
				bad++;
		}
	)
	expect_eq("translations lost by adding a permission", bad, 0);
	expect_true("pairs examined", pairs > 1000);
}

UNIT(prop_mc_kind, "prop.misconfig-independent-of-access",
     "SDM 29.3.3.1: misconfiguration is a property of the entries, not the access")
{
	unsigned bad = 0, mcs = 0;
	struct ept_outcome o, o0;

	for (unsigned noxo = 0; noxo < 2; noxo++)
	FOR_SPACE(
		enum prof p = noxo ? P_NOXO : P_STD;
		bool m0 = one(p, ad, mb, leaf, lvl, pb, kinds[0], 0, &o0, NULL) == EPT_OUTCOME_MISCONFIG;
		bool m1 = one(p, ad, mb, leaf, lvl, pb, kinds[ki], user, &o, NULL) == EPT_OUTCOME_MISCONFIG;
		if (m1) mcs++;
		if (m0 != m1 || (m0 && (o.misconfig.rule != o0.misconfig.rule ||
					o.misconfig.level != o0.misconfig.level)))
			bad++;
	)
	expect_eq("access-dependent misconfigurations", bad, 0);
	expect_true("misconfigurations seen", mcs > 100);
}

UNIT(prop_ad_on_walk, "prop.ad-list-only-walk-entries",
     "SDM 29.3.5: A/D set only in entries used; D only in the leaf")
{
	unsigned bad = 0, lists = 0;
	struct ept_outcome o;
	uint64_t hpas[6];

	FOR_SPACE(
		memset(hpas, 0, sizeof(hpas));
		if (one(P_STD, ad, mb, leaf, lvl, pb, kinds[ki], user, &o, hpas) != EPT_OUTCOME_TRANSLATION)
			continue;
		if (!ad && o.translation.nr_ad)
			bad++;
		if (ad) {
			lists++;
			if (o.translation.nr_ad != 5 - leaf)
				bad++;
		}
		for (unsigned i = 0; i < o.translation.nr_ad; i++) {
			const struct ept_ad_update *u = &o.translation.ad[i];
			if (u->level < leaf || u->level > 4 || hpas[u->level] != u->hpa || !u->set_a)
				bad++;
			if (u->set_d && u->level != leaf)
				bad++;
		}
	)
	expect_eq("A/D entries off the walk", bad, 0);
	expect_true("A/D lists seen", lists > 100);
}

UNIT(prop_qual_and, "prop.qual-bits3-6-are-and",
     "SDM 28.2.1 bits 3-6: AND over entries used, computed independently")
{
	unsigned bad = 0, viols = 0;
	struct ept_outcome o;

	FOR_SPACE(
		if (one(P_STD, ad, mb, leaf, lvl, pb, kinds[ki], user, &o, NULL) != EPT_OUTCOME_VIOLATION)
			continue;
		viols++;
		/* every other entry is RWX (+XU under MBEC), so the AND is pb */
		uint64_t want = ((pb & 7) << 3) | (mb && (pb & XU) ? UXQ : 0);
		uint64_t m = o.violation.qual_mask & (RD | WR | EX | UXQ);
		if ((o.violation.qual & m) != (want & m))
			bad++;
		if (!!(o.violation.qual_mask & UXQ) != mb)
			bad++;
	)
	expect_eq("bits 3-6 differ from the AND", bad, 0);
	expect_true("violations seen", viols > 500);
}

UNIT(prop_qual_access_bits, "prop.qual-bits0-2-match-kind",
     "SDM 28.2.1 bits 0-2 and Table 28-7 note: exactly the access type")
{
	unsigned bad = 0, viols = 0;
	struct ept_outcome o;

	FOR_SPACE(
		if (one(P_STD, ad, mb, leaf, lvl, pb, kinds[ki], user, &o, NULL) != EPT_OUTCOME_VIOLATION)
			continue;
		viols++;
		uint64_t q = o.violation.qual & 7, mk = o.violation.qual_mask & 7;
		switch (kinds[ki]) {
		case EPT_ACCESS_READ: case EPT_ACCESS_PDPTE_LOAD: bad += (q != QR || mk != 7); break;
		case EPT_ACCESS_WRITE: bad += (q != QW || mk != 7); break;
		case EPT_ACCESS_FETCH: bad += (q != QX || mk != 7); break;
		case EPT_ACCESS_RMW: bad += ((q & mk) != QW || mk != 6); break;
		/* A/D on: a guest paging-structure access, bits 0 and 1 both set. */
		case EPT_ACCESS_PAGING_AD:
			bad += ad ? (q != (QR | QW) || mk != 7) : ((q & mk) != QW || mk != 6);
			break;
		case EPT_ACCESS_PAGING: bad += (q != (ad ? (QR | QW) : QR) || mk != 7); break;
		}
	)
	expect_eq("wrong access bits", bad, 0);
	expect_true("violations seen", viols > 500);
}

UNIT(prop_ignored_bits, "prop.ignored-bits-never-matter",
     "SDM 29.3.2 Tables 29-1..29-7: bits 11:8 and 63:52 ignored (features off)")
{
	unsigned bad = 0, n = 0;
	struct ept_outcome o0, o;
	static const unsigned bits[] = { 8, 9, 10, 11, 52, 53, 56, 57, 58, 59, 60, 61, 62, 63 };

	for (unsigned leaf = 1; leaf <= 3; leaf++)
	for (unsigned lvl = leaf; lvl <= 4; lvl++)
	for (unsigned bi = 0; bi < sizeof(bits) / sizeof(bits[0]); bi++)
	for (unsigned ki = 0; ki < 3; ki++) {
		struct ept_model m; uint64_t ov[6] = { 0 };
		struct ept_access a = { .gpa = GPA_T, .kind = kinds[ki], .gla = GLA_T, .gla_valid = true };
		profile(P_STD, &m, &h);
		build_walk(&h, &m, GPA_T, leaf, 0, NULL, NULL);
		ept_model_access(&m, &a, &o0);
		ov[lvl] = default_flags(&m, lvl, leaf) | BIT(bits[bi]);
		build_walk(&h, &m, GPA_T, leaf, 1u << lvl, ov, NULL);
		ept_model_access(&m, &a, &o);
		n++;
		if (o.kind != o0.kind || o.translation.hpa != o0.translation.hpa)
			bad++;
	}
	expect_eq("ignored bit changed the outcome", bad, 0);
	expect_true("cases", n > 100);
}

UNIT(prop_np_ignores, "prop.not-present-ignores-62-3",
     "SDM 29.3.2: a not-present entry's bits 62:3 are ignored")
{
	unsigned bad = 0, n = 0;
	struct ept_outcome o0, o;

	for (unsigned lvl = 1; lvl <= 4; lvl++)
	for (unsigned bit = 3; bit <= 62; bit++) {
		struct ept_model m; uint64_t ov[6] = { 0 };
		struct ept_access a = { .gpa = GPA_T, .kind = EPT_ACCESS_READ, .gla = GLA_T, .gla_valid = true };
		if (bit == 10)
			continue;       /* XU: presence under MBEC, tested by rows */
		profile(P_STD, &m, &h);
		build_walk(&h, &m, GPA_T, 1, 1u << lvl, ov, NULL);
		ept_model_access(&m, &a, &o0);
		ov[lvl] = BIT(bit);
		build_walk(&h, &m, GPA_T, 1, 1u << lvl, ov, NULL);
		ept_model_access(&m, &a, &o);
		n++;
		if (o.kind != EPT_OUTCOME_VIOLATION || o.violation.qual != o0.violation.qual ||
		    o.violation.level != lvl)
			bad++;
	}
	expect_eq("not-present entries affected by ignored bits", bad, 0);
	expect_eq("cases", n, 4 * 59);
}

UNIT(prop_single_reserved, "prop.each-reserved-bit-misconfigures",
     "SDM 29.3.3.1: every reserved bit of a present entry, alone, misconfigures")
{
	unsigned bad = 0, n = 0;
	struct ept_outcome o;

	for (unsigned leaf = 1; leaf <= 3; leaf++)
	for (unsigned lvl = leaf; lvl <= 4; lvl++)
	for (unsigned bit = 3; bit <= 51; bit++) {
		struct ept_model m; uint64_t ov[6] = { 0 }, rsvd;
		struct ept_access a = { .gpa = GPA_T, .kind = EPT_ACCESS_READ, .gla = GLA_T, .gla_valid = true };
		profile(P_STD, &m, &h);
		/* Hand-listed reserved ranges (SDM 29.3.2), MAXPHYADDR 46. */
		rsvd = BITS(51, 46);
		if (lvl == 4) rsvd |= BITS(7, 3);
		else if (lvl > leaf) rsvd |= BITS(6, 3);
		else if (lvl == 3) rsvd |= BITS(29, 12);
		else if (lvl == 2) rsvd |= BITS(20, 12);
		if (lvl == leaf && bit >= 3 && bit <= 7)
			continue;       /* memory type / IPAT / PS: own rows */
		if (lvl == leaf && lvl > 1 && bit < 12)
			continue;
		ov[lvl] = default_flags(&m, lvl, leaf) | BIT(bit);
		build_walk(&h, &m, GPA_T, leaf, 1u << lvl, ov, NULL);
		ept_model_access(&m, &a, &o);
		if (!(rsvd & BIT(bit)))
			continue;
		n++;
		if (o.kind != EPT_OUTCOME_MISCONFIG || o.misconfig.level != lvl)
			bad++;
	}
	expect_eq("reserved bits that did not misconfigure", bad, 0);
	expect_true("reserved bits tried", n > 100);
}
