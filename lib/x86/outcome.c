/* The outcome record and its one compare function (outcome.h). */
#include "libcflat.h"
#include "x86/outcome.h"
#include "x86/ept_model.h"

const char *const outcome_field_names[FLD_NR] = {
#define OUTCOME_NAME(e, name, words) [FLD_##e] = name,
	OUTCOME_FIELDS(OUTCOME_NAME)
#undef OUTCOME_NAME
};

static const char *const level_names[] = { "?", "PTE", "PDE", "PDPTE", "PML4E", "PML5E" };

/* The fields of one check, in a fixed order. */
static unsigned gather(const struct outcome *want, const struct outcome *got,
		       const enum outcome_field *which, unsigned n, struct check_field *f)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		enum outcome_field of = which[i];

		if (!want->mask[of])
			continue;
		f[k].name = outcome_field_names[of];
		f[k].got = got->v[of];
		f[k].want = want->v[of];
		f[k].mask = want->mask[of];
		k++;
	}
	return k;
}

static void ad_legend(const char *what, const uint8_t *level, unsigned n)
{
	char buf[96];
	unsigned len = 0;

	for (unsigned i = 0; i < n && len < sizeof(buf); i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s bits %u/%u", i ? ", " : "",
				level[i] < ARRAY_SIZE(level_names) ? level_names[level[i]] : "?",
				2 * i, 2 * i + 1);
	report_info("%s: A/D bits of %s", what, buf);
}

unsigned outcome_rule_names(uint64_t rules, const char **names)
{
	unsigned n = 0;

	for (unsigned r = 0; r < EPT_RULE_NR; r++)
		if (rules & (1ull << r))
			names[n++] = ept_rule_names[r];
	return n;
}

/*
 * Fields the SDM defines only for the kind of exit the case expects
 * (27.2.1: the qualification, guest-physical and guest-linear addresses
 * of an EPT violation, a #PF's address and an exception's error code).
 * After an exit of another reason they hold no defined value, so they are
 * not compared: the reason field already fails the check (and a
 * deviation entry for the reason excuses only the reason).
 */
static const enum outcome_field exit_specific[] = {
	FLD_QUAL, FLD_GPA, FLD_GLA, FLD_ERROR_CODE, FLD_CR2,
};

bool outcome_check(const char *id, const char *words, const struct outcome *want_in,
		   const struct outcome *got)
{
	static const enum outcome_field main_fields[] = {
		FLD_REASON, FLD_QUAL, FLD_GPA, FLD_GLA, FLD_IDT_VEC, FLD_INSN_ERR,
		FLD_VECTOR, FLD_ERROR_CODE, FLD_CR2, FLD_INTR, FLD_VALUE, FLD_MEM,
	};
	static const enum outcome_field data_fields[] = { FLD_DATA };
	static const enum outcome_field ad_fields[] = { FLD_EPT_AD, FLD_GUEST_AD };
	static const enum outcome_field ve_fields[] = {
		FLD_VE_REASON, FLD_VE_BUSY, FLD_VE_QUAL, FLD_VE_GLA, FLD_VE_GPA, FLD_VE_INDEX,
	};
	struct check_field f[ARRAY_SIZE(main_fields)];
	static struct outcome want_local;
	const struct outcome *want = want_in;
	bool other_exit = (want->v[FLD_REASON] ^ got->v[FLD_REASON]) & want->mask[FLD_REASON];
	const char *rules[EPT_RULE_NR];
	char cid[128], dropped[64] = "";
	unsigned n, len = 0;
	bool pass;

	if (other_exit) {
		want_local = *want_in;
		for (unsigned i = 0; i < ARRAY_SIZE(exit_specific); i++) {
			enum outcome_field of = exit_specific[i];

			if (!want_local.mask[of])
				continue;
			want_local.mask[of] = 0;
			len += snprintf(dropped + len, sizeof(dropped) - len, "%s%s",
					len ? ", " : "", outcome_field_names[of]);
		}
		want = &want_local;
	}

	report_set_rules(rules, outcome_rule_names(want->rules, rules));
	n = gather(want, got, main_fields, ARRAY_SIZE(main_fields), f);
	pass = report_fields(id, f, n, "%s -> %s", words, want->describe);
	if (dropped[0])
		report_info("%s: not compared: the SDM defines them for exit %lu, and the exit was %#lx",
			    dropped, want->v[FLD_REASON], got->v[FLD_REASON]);

	n = gather(want, got, data_fields, ARRAY_SIZE(data_fields), f);
	if (n) {
		snprintf(cid, sizeof(cid), "%s.data", id);
		report_fields(cid, f, n, "the completed access read, wrote or fetched the right bytes");
	}
	n = gather(want, got, ad_fields, ARRAY_SIZE(ad_fields), f);
	if (n) {
		snprintf(cid, sizeof(cid), "%s.ad", id);
		if (!report_fields(cid, f, n, "EPT and guest accessed/dirty flags as SDM 29.3.5 and Vol. 3A 4.8 require")) {
			if (want->nr_ept_ad)
				ad_legend("ept_ad", want->ept_ad_level, want->nr_ept_ad);
			if (want->nr_guest_ad)
				ad_legend("guest_ad", want->guest_ad_level, want->nr_guest_ad);
		}
	}
	n = gather(want, got, ve_fields, ARRAY_SIZE(ve_fields), f);
	if (n) {
		snprintf(cid, sizeof(cid), "%s.ve", id);
		report_fields(cid, f, n, "the #VE information area as SDM 26.5.7.2 Table 26-1 requires");
	}
	report_set_rules(NULL, 0);
	return pass;
}
