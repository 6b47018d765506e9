/*
 * ept_invept: INVEPT and INVVPID (SDM 31.3 instruction pages, 29.4.3).
 *
 * Operand checks, expected values from the reference model
 * (ept_invept_check(), ept_invvpid_check(), ept_inv_expected_error()):
 *   - INVEPT types 0-4 and a type with bits above 31 set; a single-context
 *     INVEPT with each kind of EPTP VM entry would refuse (26.2.1.1), and
 *     the same descriptors with all-context INVEPT, which does not look at
 *     the EPTP;
 *   - INVVPID types 0-4 and a wide one; VPID 0 with each type; each of the
 *     reserved descriptor bits 63:16 with each type; non-canonical and
 *     canonical addresses with individual-address (type 0) and
 *     single-context (type 1, which ignores the address) invalidation.
 * A failure is VMfailValid with error 28 while there is a current VMCS,
 * VMfailInvalid without one (31.2: "VMfail" picks the kind by whether the
 * current-VMCS pointer is valid).
 *
 * Then the half of the TLB rules every implementation must honour
 * (29.4.3.1): after a leaf changes and INVEPT covers its EPTP, the guest's
 * next access uses the new entry (a different HPA, or not present).
 */
#include "libcflat.h"
#include "test.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/processor.h"

extern char guest_op_read[], guest_op_write[];

#define DATA_OFFSET     0x238
#define PATTERN_A       0xa5a5a5a50000000aull
#define PATTERN_B       0x5b5b5b5b0000000bull
#define INVVPID_VPID    1

/* A VMX instruction's outcome as one number: status and error. */
static uint64_t vmx_result(enum vmx_status s)
{
	return (uint64_t)s << 8 | (s == VMX_FAIL_VALID ? vmx_instruction_error() : 0);
}

static uint64_t expected(unsigned error, bool current_vmcs)
{
	if (!error)
		return VMX_SUCCEED;
	return current_vmcs ? (uint64_t)VMX_FAIL_VALID << 8 | error : (uint64_t)VMX_FAIL_INVALID << 8;
}

static const char *expected_words(unsigned error, bool current_vmcs)
{
	if (!error)
		return "VMsucceed";
	return current_vmcs ? "VMfailValid, error 28" : "VMfailInvalid (no current VMCS)";
}

static unsigned la_width(void)
{
	/* CPUID.80000008H:EAX[15:8], the linear-address width that
	 * canonicality is defined against */
	unsigned w = (cpuid(0x80000008).a >> 8) & 0xff;
	return w ? w : 48;
}

/* Set when the environment cannot be built: every case reports SKIP. */
static const char *skip_all;

static void invept_case(struct ept_caps *caps, const char *id, uint64_t type,
			uint64_t eptp, uint64_t desc_hi, const char *what, bool current_vmcs)
{
	if (skip_all) {
		report_skip(id, what, "%s", skip_all);
		return;
	}
	struct invept_desc d = { eptp, desc_hi };
	enum ept_inv_rule rule = ept_invept_check(caps, type, eptp);
	unsigned err = ept_inv_expected_error(rule);

	report_expect_u64(id, vmx_result(invept_desc(type, &d)), expected(err, current_vmcs),
			  "INVEPT type %#lx, %s: %s -> %s", type, what, ept_inv_rule_name(rule),
			  expected_words(err, current_vmcs));
}

static void invvpid_case(struct ept_caps *caps, const char *id, uint64_t type,
			 uint64_t lo, uint64_t hi, const char *what, bool current_vmcs)
{
	if (skip_all) {
		report_skip(id, what, "%s", skip_all);
		return;
	}
	struct invvpid_desc d = { lo, hi };
	enum ept_inv_rule rule = ept_invvpid_check(caps, type, lo, hi, la_width());
	unsigned err = ept_inv_expected_error(rule);

	report_expect_u64(id, vmx_result(invvpid_desc(type, &d)), expected(err, current_vmcs),
			  "INVVPID type %#lx, %s: %s -> %s", type, what, ept_inv_rule_name(rule),
			  expected_words(err, current_vmcs));
}

static const uint64_t inv_types[] = { 0, 1, 2, 3, 4, BIT(32) | 1 };

/* EPTPs VM entry refuses (26.2.1.1), built from a valid one. */
struct bad_eptp {
	const char *id;
	const char *words;
	uint64_t set, clear;
};

static void invept_checks(struct ept_env *env)
{
	struct ept_caps *caps = &env->model.caps;
	uint64_t eptp = env->ept.eptp;
	unsigned maxphy = vmx_caps.maxphyaddr;
	const struct bad_eptp bad[] = {
		{ "memtype1", "EPTP memory type 1", MEMTYPE_WC, EPTP_MEMTYPE_MASK },
		{ "memtype2", "EPTP memory type 2", 2, EPTP_MEMTYPE_MASK },
		{ "memtype7", "EPTP memory type 7", 7, EPTP_MEMTYPE_MASK },
		{ "walk1", "EPTP walk length 1", 0, EPTP_WALK_LENGTH_MASK },
		{ "walk3", "EPTP walk length 3", 2ull << EPTP_WALK_LENGTH_SHIFT, EPTP_WALK_LENGTH_MASK },
		{ "walk8", "EPTP walk length 8", 7ull << EPTP_WALK_LENGTH_SHIFT, EPTP_WALK_LENGTH_MASK },
		{ "ad", "EPTP A/D enable", EPTP_AD_ENABLE, 0 },
		{ "bit7", "EPTP bit 7", BIT(7), 0 },
		{ "bit8", "EPTP bit 8", BIT(8), 0 },
		{ "bit11", "EPTP bit 11", BIT(11), 0 },
		{ "bit-maxphy", "EPTP bit MAXPHYADDR", maxphy < 64 ? BIT(maxphy) : 0, 0 },
		{ "bit51", "EPTP bit 51", BIT(51), 0 },
		{ "bit63", "EPTP bit 63", BIT(63), 0 },
	};
	char id[64], what[96];

	for (unsigned i = 0; i < ARRAY_SIZE(inv_types); i++) {
		snprintf(id, sizeof(id), "type%#lx", inv_types[i]);
		invept_case(caps, id, inv_types[i], eptp, 0, "the environment's EPTP", true);
	}
	/* 31.3 INVEPT: bits 127:64 of the descriptor are reserved but the
	 * operation does not check them (the model takes no such input) */
	invept_case(caps, "single.desc-hi", INVEPT_SINGLE_CONTEXT, eptp, ~0ull,
		    "valid EPTP, descriptor bits 127:64 all set", true);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t e = (eptp & ~bad[i].clear) | bad[i].set;

		snprintf(what, sizeof(what), "%s (EPTP %#lx)", bad[i].words, e);
		snprintf(id, sizeof(id), "single.%s", bad[i].id);
		invept_case(caps, id, INVEPT_SINGLE_CONTEXT, e, 0, what, true);
		snprintf(id, sizeof(id), "all.%s", bad[i].id);
		invept_case(caps, id, INVEPT_ALL_CONTEXT, e, 0, what, true);
	}
}

static const uint64_t addresses[] = {
	0, 0x00007fffffffffffull, 0xffff800000000000ull, 0x0000800000000000ull,
	0xffff7fffffffffffull, 0x00ff000000000000ull, 0x0100000000000000ull,
	0x8000000000000000ull, 0x7fffffffffffffffull, 0xfeff000000000000ull,
};

static void invvpid_checks(struct ept_env *env)
{
	struct ept_caps *caps = &env->model.caps;
	char id[64], what[96];

	for (unsigned i = 0; i < ARRAY_SIZE(inv_types); i++) {
		snprintf(id, sizeof(id), "type%#lx", inv_types[i]);
		invvpid_case(caps, id, inv_types[i], INVVPID_VPID, 0, "VPID 1, address 0", true);
	}
	for (unsigned t = 0; t < 4; t++) {
		snprintf(id, sizeof(id), "type%u.vpid0", t);
		invvpid_case(caps, id, t, 0, 0, "VPID 0, address 0", true);
	}
	for (unsigned t = 0; t < 4; t++)
		for (unsigned b = 16; b < 64; b++) {
			snprintf(id, sizeof(id), "type%u.rsvd-bit%u", t, b);
			snprintf(what, sizeof(what), "VPID 1, descriptor bit %u set", b);
			invvpid_case(caps, id, t, INVVPID_VPID | BIT(b), 0, what, true);
		}
	for (unsigned t = 0; t < 2; t++)
		for (unsigned i = 0; i < ARRAY_SIZE(addresses); i++) {
			snprintf(id, sizeof(id), "type%u.addr%u", t, i);
			snprintf(what, sizeof(what), "VPID 1, address %#lx (linear-address width %u)",
				 addresses[i], la_width());
			invvpid_case(caps, id, t, INVVPID_VPID, addresses[i], what, true);
		}
}

static void invvpid_skip(const char *why)
{
	char id[64];

	for (unsigned i = 0; i < ARRAY_SIZE(inv_types); i++) {
		snprintf(id, sizeof(id), "type%#lx", inv_types[i]);
		report_skip(id, NULL, "%s", why);
	}
	for (unsigned t = 0; t < 4; t++) {
		snprintf(id, sizeof(id), "type%u.vpid0", t);
		report_skip(id, NULL, "%s", why);
	}
	for (unsigned t = 0; t < 4; t++)
		for (unsigned b = 16; b < 64; b++) {
			snprintf(id, sizeof(id), "type%u.rsvd-bit%u", t, b);
			report_skip(id, NULL, "%s", why);
		}
	for (unsigned t = 0; t < 2; t++)
		for (unsigned i = 0; i < ARRAY_SIZE(addresses); i++) {
			snprintf(id, sizeof(id), "type%u.addr%u", t, i);
			report_skip(id, NULL, "%s", why);
		}
}

/* ---- The new mapping is used after INVEPT (SDM 29.4.3.1) ---- */

struct flush_ctx {
	struct ept_env *env;
	uint8_t *page_a, *page_b;
	uint64_t gpa, gla;
};

/* One guest access with no INVEPT of our own before it. */
static struct vmx_exit run_no_invept(struct ept_env *env, enum guest_op op, uint64_t gla,
				     uint64_t value)
{
	vcpu_set_entry(env->vcpu, (void (*)(void))(op == GUEST_OP_WRITE ? guest_op_write
									 : guest_op_read), gla);
	env->vcpu->regs.rsi = value;
	env->vcpu->regs.rax = 0;
	return vmx_run_guest(env->vcpu);
}

static bool invept_now(uint64_t type, const struct ept *e)
{
	return invept(type, e->eptp) == VMX_SUCCEED;
}

static void set_leaf_hpa(struct flush_ctx *f, const uint8_t *page)
{
	uint64_t *pte = ept_entry_must(&f->env->ept, f->gpa, EPT_LEVEL_PTE);

	*pte = (*pte & ~BITS(51, 12)) | (uintptr_t)page;
}

/* A read through the window, compared with the model and the data. */
static void read_check(struct flush_ctx *f, const char *id, const char *words,
		       bool own_invept_done, uint64_t want_data)
{
	struct ept_outcome o;
	struct vmx_exit e;
	char cid[64];

	ept_env_expect(f->env, GUEST_OP_READ, f->gla, &o);
	e = own_invept_done ? run_no_invept(f->env, GUEST_OP_READ, f->gla, 0)
			    : ept_env_run(f->env, GUEST_OP_READ, f->gla, 0);
	if (expect_ept_outcome(id, words, &o, &e) && o.kind == EPT_OUTCOME_TRANSLATION) {
		snprintf(cid, sizeof(cid), "%s.data", id);
		report_expect_u64(cid, e.regs.rax, want_data,
				  "the read returned the data of the page now mapped");
	}
}

static void flush_skip(const char *type_id, const char *why)
{
	static const char *const steps[] = { "warm-a", "remap-b", "warm-b", "not-present" };
	char id[64];

	for (unsigned s = 0; s < ARRAY_SIZE(steps); s++) {
		snprintf(id, sizeof(id), "flush.%s.%s", type_id, steps[s]);
		report_skip(id, NULL, "%s", why);
	}
}

static void flush_checks(struct ept_env *env)
{
	static const struct flush_type {
		const char *id;
		uint64_t type, cap;
		const char *why;
	} types[] = {
		{ "single", INVEPT_SINGLE_CONTEXT, EPT_CAP_INVEPT_SINGLE,
		  "IA32_VMX_EPT_VPID_CAP bit 25 (single-context INVEPT) = 0" },
		{ "all", INVEPT_ALL_CONTEXT, EPT_CAP_INVEPT_ALL,
		  "IA32_VMX_EPT_VPID_CAP bit 26 (all-context INVEPT) = 0" },
	};
	struct flush_ctx f = { .env = env };
	char id[64], words[128];

	f.page_a = alloc_page();
	f.page_b = alloc_page();
	*(volatile uint64_t *)(f.page_a + DATA_OFFSET) = PATTERN_A;
	*(volatile uint64_t *)(f.page_b + DATA_OFFSET) = PATTERN_B;
	f.gla = ept_env_map(env, (uintptr_t)f.page_a, PAGE_4K, EPT_READ | EPT_WRITE | EPT_WB,
			    PAGE_4K, PTE_WRITE) + DATA_OFFSET;
	f.gpa = ept_env_gpa(env, (uintptr_t)f.page_a);

	for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
		const struct flush_type *t = &types[i];
		if (!ept_cap(t->cap)) {
			flush_skip(t->id, t->why);
			continue;
		}
		/* The translation to page A is in use (and may be cached). */
		set_leaf_hpa(&f, f.page_a);
		ept_set_perms(&env->ept, f.gpa, EPT_LEVEL_PTE, EPT_READ | EPT_WRITE);
		snprintf(id, sizeof(id), "flush.%s.warm-a", t->id);
		read_check(&f, id, "read, PTE RW- -> page A", false, PATTERN_A);

		/* The leaf now names page B; after INVEPT the guest reads B. */
		set_leaf_hpa(&f, f.page_b);
		snprintf(id, sizeof(id), "flush.%s.remap-b", t->id);
		snprintf(words, sizeof(words), "PTE changed to page B, INVEPT %s-context, read", t->id);
		if (!invept_now(t->type, &env->ept))
			report(false, id, "%s: INVEPT failed", words);
		else
			read_check(&f, id, words, true, PATTERN_B);

		/* RW- -> not present; after INVEPT the read is an EPT violation. */
		snprintf(id, sizeof(id), "flush.%s.warm-b", t->id);
		read_check(&f, id, "read, PTE RW- -> page B", false, PATTERN_B);
		ept_set_perms(&env->ept, f.gpa, EPT_LEVEL_PTE, 0);
		snprintf(id, sizeof(id), "flush.%s.not-present", t->id);
		snprintf(words, sizeof(words), "PTE changed RW- -> ---, INVEPT %s-context, read", t->id);
		if (!invept_now(t->type, &env->ept))
			report(false, id, "%s: INVEPT failed", words);
		else
			read_check(&f, id, words, true, 0);
	}
	set_leaf_hpa(&f, f.page_a);
	ept_set_perms(&env->ept, f.gpa, EPT_LEVEL_PTE, EPT_READ | EPT_WRITE);
}

/* ---- No current VMCS: VMfail is VMfailInvalid (SDM 31.2) ---- */
static void no_vmcs_checks(struct ept_env *env)
{
	struct ept_caps *caps = &env->model.caps;
	bool vpid = ept_cap(VPID_CAP_INVVPID);

	if (vmclear(env->vcpu->vmcs) != VMX_SUCCEED) {
		report(false, "no-vmcs.vmclear", "VMCLEAR of the current VMCS failed");
		return;
	}
	invept_case(caps, "no-vmcs.type0", 0, env->ept.eptp, 0, "no current VMCS", false);
	invept_case(caps, "no-vmcs.single.walk8", INVEPT_SINGLE_CONTEXT,
		    env->ept.eptp | EPTP_WALK_LENGTH_MASK, 0, "no current VMCS, EPTP walk length 8",
		    false);
	invept_case(caps, "no-vmcs.all", INVEPT_ALL_CONTEXT, 0, 0, "no current VMCS", false);
	if (vpid) {
		invvpid_case(caps, "no-vmcs.invvpid.type4", 4, INVVPID_VPID, 0,
			     "no current VMCS", false);
		invvpid_case(caps, "no-vmcs.invvpid.vpid0", INVVPID_SINGLE_CONTEXT, 0, 0,
			     "no current VMCS, VPID 0", false);
	} else {
		report_skip("no-vmcs.invvpid.type4", NULL,
			    "IA32_VMX_EPT_VPID_CAP bit 32 (INVVPID) = 0");
		report_skip("no-vmcs.invvpid.vpid0", NULL,
			    "IA32_VMX_EPT_VPID_CAP bit 32 (INVVPID) = 0");
	}
	/* Back to the vCPU's VMCS; VMCLEAR made its launch state "clear". */
	if (vmptrld(env->vcpu->vmcs) != VMX_SUCCEED) {
		report(false, "no-vmcs.vmptrld", "VMPTRLD of the vCPU's VMCS failed");
		test_abort();
	}
	env->vcpu->launched = false;
}

static void ept_invept(void)
{
	struct ept_env_config cfg = { 0 };
	struct ept_env env;
	const char *why;

	report_prefix_push("ept.inv");
	if (!ept_env_init(&env, &cfg, &why)) {
		skip_all = why;
		report_prefix_push("invept");
		invept_checks(&env);
		report_prefix_pop();
		report_prefix_push("invvpid");
		invvpid_skip(why);
		report_prefix_pop();
		flush_skip("single", why);
		flush_skip("all", why);
		report_prefix_pop();
		return;
	}
	printf("# IA32_VMX_EPT_VPID_CAP %#lx, linear-address width %u\n", vmx_caps.ept_vpid,
	       la_width());

	report_prefix_push("invept");
	invept_checks(&env);
	report_prefix_pop();

	report_prefix_push("invvpid");
	if (ept_cap(VPID_CAP_INVVPID))
		invvpid_checks(&env);
	else
		invvpid_skip("IA32_VMX_EPT_VPID_CAP bit 32 (INVVPID) = 0");
	report_prefix_pop();

	flush_checks(&env);
	no_vmcs_checks(&env);

	ept_env_exit(&env);
	report_prefix_pop();
}

TEST("ept_invept", ept_invept);
