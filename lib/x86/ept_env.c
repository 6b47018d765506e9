#include "libcflat.h"
#include "test.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/desc.h"
#include "x86/processor.h"

extern char guest_op_read[], guest_op_write[], guest_op_rmw[], guest_op_fetch[];
/* lib/x86/guest_access32.S: the same operations in 32-bit code */
extern char guest32_op_read[], guest32_op_write[], guest32_op_rmw[], guest32_op_fetch[];

/* The window: GPA 512 GiB (its own EPT PML4E, index 1) when MAXPHYADDR
 * allows, and GLA 768 GiB (its own guest PML4E) -- two numbers that
 * differ, so a GLA reported as GPA (or back) shows. */
#define WINDOW_GPA_HIGH (1ull << 39)
#define WINDOW_GLA      (3ull << 38)
#define LOW_MEMORY      (4ull << 30)	/* identity-mapped for the guest */
#define GIB             (1ull << 30)

/*
 * The guest runs 32-bit code: "IA-32e mode guest" = 0 (SDM 25.8.1), so
 * EFER.LMA = 0 and, with CR0.PG = 1 or not, LME = 0 too (26.3.1.1 checks
 * on IA32_EFER when "load IA32_EFER" is 1); CS a 32-bit code segment
 * (SEL_CODE32: D = 1, L = 0).  TR keeps the kernel TSS: type 11 is a busy
 * 32-bit TSS outside IA-32e mode (26.3.1.2).
 */
static void vmcs_guest32(bool paging_off)
{
	vmcs_clear_bits(VMCS_ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST);
	vmcs_clear_bits(VMCS_GUEST_IA32_EFER, EFER_LMA | EFER_LME);
	vmcs_write(VMCS_GUEST_CS_SEL, SEL_CODE32);
	vmcs_write(VMCS_GUEST_CS_AR, 0xc09b);	/* G, D/B, P, S, code RX accessed */
	if (paging_off) {
		/* 26.3.1.1: with "unrestricted guest" = 1, CR0.PG (and PE) may
		 * be 0 in spite of IA32_VMX_CR0_FIXED0. */
		vmcs_clear_bits(VMCS_GUEST_CR0, X86_CR0_PG);
		vmcs_clear_bits(VMCS_GUEST_CR4, X86_CR4_PAE | X86_CR4_LA57);
	}
}

const char *guest_op_name(enum guest_op op)
{
	static const char *const names[] = { "read", "write", "fetch", "rmw" };
	return op < ARRAY_SIZE(names) ? names[op] : "?";
}

const char *ept_perm_str(uint64_t rwx)
{
	static const char *const s[8] = { "---", "R--", "-W-", "RW-", "--X", "R-X", "-WX", "RWX" };
	return s[rwx & 7];
}

bool ept_env_init(struct ept_env *env, const struct ept_env_config *cfg, const char **why)
{
	enum guest_paging_mode mode = cfg->mode ? cfg->mode : GUEST_PAGING_4LEVEL;
	unsigned levels = cfg->ept_levels ? cfg->ept_levels : 4;
	uint64_t cr0_set, cr4_set, cr4_clear, efer;

	memset(env, 0, sizeof(*env));
	if (!vmx_supported(why))
		return false;
	if (!vmx_has_ept()) {
		*why = vmx_missing(VMX_REQ_BASE,
				   "IA32_VMX_PROCBASED_CTLS2 does not allow \"enable EPT\" (bit 1)");
		return false;
	}
	if (levels == 4 && !ept_cap(EPT_CAP_WALK_LENGTH_4)) {
		*why = vmx_missing(VMX_REQ_BASE,
				   "IA32_VMX_EPT_VPID_CAP bit 6 (4-level walk) = 0");
		return false;
	}
	if (levels == 5 && !ept_cap(EPT_CAP_WALK_LENGTH_5)) {
		*why = "IA32_VMX_EPT_VPID_CAP bit 7 (5-level walk) = 0";
		return false;
	}
	if (!ept_cap(EPT_CAP_MEMTYPE_WB)) {
		*why = vmx_missing(VMX_REQ_BASE,
				   "IA32_VMX_EPT_VPID_CAP bit 14 (write-back EPT structures) = 0");
		return false;
	}
	if (cfg->ad && !ept_cap(EPT_CAP_AD)) {
		*why = vmx_missing(VMX_REQ_EPT_AD,
				   "IA32_VMX_EPT_VPID_CAP bit 21 (EPT accessed/dirty flags) = 0");
		return false;
	}
	if (!ept_cap(EPT_CAP_INVEPT)) {
		*why = vmx_missing(VMX_REQ_BASE,
				   "IA32_VMX_EPT_VPID_CAP bit 20 (INVEPT) = 0");
		return false;
	}
	if (cfg->paging_off && !vmx_has_proc2(CPU2_UNRESTRICTED_GUEST)) {
		*why = vmx_missing(VMX_REQ_UG,
				   "IA32_VMX_PROCBASED_CTLS2 bit 39 (allowed-1 of \"unrestricted guest\") = 0");
		return false;
	}
	env->paging_off = cfg->paging_off;
	env->mode = cfg->paging_off ? GUEST_PAGING_32BIT : mode;
	env->guest32 = cfg->paging_off || mode == GUEST_PAGING_32BIT || mode == GUEST_PAGING_PAE;
	if (env->guest32) {
		/* Everything below 4 GiB: RAM, then the window GPA range, then
		 * the window GLA range, each as large as RAM. */
		uint64_t ram = ALIGN_UP(alloc_region_end(), GIB);

		if (2 * ram > LOW_MEMORY) {
			*why = "RAM ends above 2 GiB: no room for a 32-bit guest's window below 4 GiB";
			return false;
		}
		env->window_own_pml4e = false;
		env->window_gpa = ram;
		env->window_gla = cfg->paging_off ? ram : LOW_MEMORY - ram;
	}
	vmx_on_or_abort();

	if (!env->guest32) {
		env->window_own_pml4e = vmx_caps.maxphyaddr > 39;
		env->window_gpa = env->window_own_pml4e ? WINDOW_GPA_HIGH
							: 1ull << (vmx_caps.maxphyaddr - 1);
		env->window_gla = WINDOW_GLA;
	}

	ept_init(&env->ept, levels, MEMTYPE_WB, cfg->ad);
	ept_map_identity(&env->ept, EPT_RWX_MASK | EPT_WB);

	gpt_init(&env->gpt, env->mode);
	/* 32-bit guests: only RAM, so the window GLA range stays free. */
	gpt_map_identity(&env->gpt, env->guest32 ? ALIGN_UP(alloc_region_end(), 1ull << 22)
						 : LOW_MEMORY, PTE_WRITE);

	env->vcpu = vcpu_create();
	vmx_enable_proc2(CPU2_ENABLE_EPT);
	vmcs_write(VMCS_EPT_POINTER, env->ept.eptp);

	gpt_mode_regs(&env->gpt, &cr0_set, &cr4_set, &cr4_clear, &efer);
	vmcs_write(VMCS_GUEST_CR3, gpt_cr3(&env->gpt));
	vmcs_write(VMCS_GUEST_CR4, (vmcs_read(VMCS_GUEST_CR4) | cr4_set) & ~cr4_clear);
	vmcs_write(VMCS_GUEST_CR0, vmcs_read(VMCS_GUEST_CR0) | cr0_set);
	(void)efer;
	if (env->guest32) {
		if (cfg->paging_off)
			vmx_enable_proc2(CPU2_UNRESTRICTED_GUEST);
		vmcs_guest32(cfg->paging_off);
	}
	if (env->mode == GUEST_PAGING_PAE && !env->paging_off)
		ept_env_sync_pdptes(env);

	env->model.caps = ept_caps_from_msrs(vmx_caps.ept_vpid, vmx_caps.proc2.allowed1,
					     vmx_caps.maxphyaddr);
	env->model.eptp = env->ept.eptp;
	env->model.read = ept_read_hpa;
	env->model.ctx = NULL;
	return true;
}

void ept_env_exit(struct ept_env *env)
{
	(void)env;
	vmx_off();
}

uint64_t ept_env_map(struct ept_env *env, uint64_t hpa, uint64_t ept_page_size,
		     uint64_t ept_bits, uint64_t guest_page_size, uint64_t guest_flags)
{
	uint64_t gpa = env->window_gpa + hpa;
	uint64_t gla = env->window_gla + hpa;

	ept_map(&env->ept, gpa, hpa, ept_page_size, ept_bits);
	if (!env->paging_off)	/* paging off: the GLA is the GPA */
		gpt_map(&env->gpt, gla, gpa, guest_page_size, guest_flags);
	return gla;
}

void ept_env_sync_pdptes(struct ept_env *env)
{
	/* PAE CR3 bits 31:5 locate the 32-byte PDPT (SDM Vol. 3A 4.4.1). */
	uint64_t cr3 = vmcs_read(VMCS_GUEST_CR3) & 0xffffffe0ull;
	uint64_t page = cr3 & ~0xfffull;
	const uint64_t *pdpt = (const uint64_t *)(uintptr_t)(gpt_table_hpa(&env->gpt, page) +
							     (cr3 & 0xfe0));
	static const enum vmcs_field f[4] = { VMCS_GUEST_PDPTE0, VMCS_GUEST_PDPTE1,
					      VMCS_GUEST_PDPTE2, VMCS_GUEST_PDPTE3 };

	for (unsigned i = 0; i < 4; i++)
		vmcs_write(f[i], pdpt[i]);
}

void ept_env_guest_state(struct guest_state *gs)
{
	memset(gs, 0, sizeof(*gs));
	gs->cr0 = vmcs_read(VMCS_GUEST_CR0);
	gs->cr3 = vmcs_read(VMCS_GUEST_CR3);
	gs->cr4 = vmcs_read(VMCS_GUEST_CR4);
	gs->efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	gs->pdpte[0] = vmcs_read(VMCS_GUEST_PDPTE0);
	gs->pdpte[1] = vmcs_read(VMCS_GUEST_PDPTE1);
	gs->pdpte[2] = vmcs_read(VMCS_GUEST_PDPTE2);
	gs->pdpte[3] = vmcs_read(VMCS_GUEST_PDPTE3);
	gs->gbpages = cpuid(0x80000001).d & CPUID_80000001_EDX_1G;
}

void ept_env_expect(struct ept_env *env, enum guest_op op, uint64_t gla, struct ept_outcome *o)
{
	static const enum linear_kind kinds[] = {
		[GUEST_OP_READ] = LINEAR_READ, [GUEST_OP_WRITE] = LINEAR_WRITE,
		[GUEST_OP_FETCH] = LINEAR_FETCH, [GUEST_OP_RMW] = LINEAR_RMW,
	};
	struct guest_state gs;
	struct linear_access la = { .gla = gla, .kind = kinds[op] };

	ept_env_guest_state(&gs);
	env->model.eptp = vmcs_read(VMCS_EPT_POINTER);
	ept_model_linear(&env->model, &gs, &la, o, NULL);
}

uint64_t ept_env_stub(const struct ept_env *env, enum guest_op op)
{
	static char *const entry[] = {
		[GUEST_OP_READ] = guest_op_read, [GUEST_OP_WRITE] = guest_op_write,
		[GUEST_OP_FETCH] = guest_op_fetch, [GUEST_OP_RMW] = guest_op_rmw,
	};
	static char *const entry32[] = {
		[GUEST_OP_READ] = guest32_op_read, [GUEST_OP_WRITE] = guest32_op_write,
		[GUEST_OP_FETCH] = guest32_op_fetch, [GUEST_OP_RMW] = guest32_op_rmw,
	};

	return (uintptr_t)(env->guest32 ? entry32 : entry)[op];
}

void ept_env_expect_run(struct ept_env *env, enum guest_op op, uint64_t gla, struct ept_outcome *o)
{
	struct linear_access fetch = { .gla = ept_env_stub(env, op), .kind = LINEAR_FETCH };
	struct guest_state gs;

	/* SDM 29.3.3: every guest-physical access of each walk goes through
	 * EPT in turn; the fetch of the first instruction comes first. */
	if (env->mode == GUEST_PAGING_PAE && !env->paging_off)
		ept_env_sync_pdptes(env);
	ept_env_guest_state(&gs);
	env->model.eptp = vmcs_read(VMCS_EPT_POINTER);
	if (ept_model_linear(&env->model, &gs, &fetch, o, NULL) != EPT_OUTCOME_TRANSLATION)
		return;
	ept_env_expect(env, op, gla, o);
}

struct vmx_exit ept_env_run(struct ept_env *env, enum guest_op op, uint64_t gla, uint64_t value)
{
	ept_invalidate(&env->ept);
	if (env->mode == GUEST_PAGING_PAE && !env->paging_off)
		ept_env_sync_pdptes(env);
	vcpu_set_entry(env->vcpu, (void (*)(void))ept_env_stub(env, op), gla);
	env->vcpu->regs.rsi = value;
	env->vcpu->regs.rax = 0;
	return vmx_run_guest(env->vcpu);
}

static void describe_expected(const struct ept_outcome *o, char *buf, size_t size)
{
	switch (o->kind) {
	case EPT_OUTCOME_VIOLATION:
		snprintf(buf, size, "exit 48 qual %#lx", o->violation.qual);
		break;
	case EPT_OUTCOME_MISCONFIG:
		snprintf(buf, size, "exit 49 (%s)", ept_misconfig_rule_name(o->misconfig.rule));
		break;
	case EPT_OUTCOME_TRANSLATION:
		snprintf(buf, size, "completes");
		break;
	case EPT_OUTCOME_GUEST_FAULT:
		snprintf(buf, size, "guest vector %u error %#x", o->guest_fault.vector,
			 (unsigned)o->guest_fault.error_code);
		break;
	default:
		snprintf(buf, size, "%s", ept_outcome_kind_name(o->kind));
	}
}

/* Flip mode (report_flip()): a wrong expectation of the same kind, so the
 * comparison below must fail for every case. */
static void flip_outcome(struct ept_outcome *o)
{
	switch (o->kind) {
	case EPT_OUTCOME_VIOLATION:
		/* the lowest compared bit of the qualification */
		o->violation.qual ^= o->violation.qual_mask & -o->violation.qual_mask;
		break;
	case EPT_OUTCOME_MISCONFIG:
		o->misconfig.gpa ^= 1;
		break;
	case EPT_OUTCOME_TRANSLATION:
		/* expect the guest to be stopped instead */
		o->kind = EPT_OUTCOME_MISCONFIG;
		o->misconfig.rule = EPT_MC_NONE;
		break;
	default:
		o->guest_fault.vector ^= 1;
		break;
	}
}

bool expect_ept_outcome(const char *id, const char *words, const struct ept_outcome *expected,
			const struct vmx_exit *e)
{
	const struct ept_outcome *o = expected;
	struct ept_outcome flipped;
	char want[96], got[128];
	bool pass = e->kind == VMX_EXIT_VMEXIT && !e->entry_failed;
	uint64_t want_reason;

	if (report_flip()) {
		flipped = *expected;
		flip_outcome(&flipped);
		o = &flipped;
	}
	want_reason = ept_expected_exit_reason(o);
	describe_expected(o, want, sizeof(want));
	if (o->kind == EPT_OUTCOME_UNMODELED) {
		report_skip(id, words, "the reference model does not predict this case (%s)",
			    ept_outcome_kind_name(o->kind));
		return true;
	}
	if (want_reason == EPT_EXIT_NONE) {
		/* A translation: the guest's access completed and it called back.
		 * A guest fault exits through the exception bitmap (vector). */
		if (o->kind == EPT_OUTCOME_TRANSLATION)
			pass = pass && e->basic_reason == EXIT_REASON_VMCALL;
		else
			pass = pass && e->basic_reason == EXIT_REASON_EXCEPTION_NMI &&
			       (e->intr_info & INTR_INFO_VECTOR_MASK) == o->guest_fault.vector;
	} else {
		pass = pass && e->basic_reason == want_reason;
	}
	if (pass && o->kind == EPT_OUTCOME_VIOLATION) {
		const struct ept_violation *v = &o->violation;
		pass = !((e->qualification ^ v->qual) & v->qual_mask) &&
		       !((e->gpa ^ v->gpa) & v->gpa_mask) &&
		       (!v->gla_valid || e->gla == v->gla);
	}
	if (pass && o->kind == EPT_OUTCOME_MISCONFIG)
		pass = e->gpa == o->misconfig.gpa;

	report(pass, id, "%s -> %s", words, want);
	if (!pass) {
		vmx_exit_describe(e, got, sizeof(got));
		report_info("got: %s, gpa %#lx, gla %#lx", got, e->gpa, e->gla);
		if (o->kind == EPT_OUTCOME_VIOLATION)
			report_info("want: qual %#lx under mask %#lx (differs in %#lx), gpa %#lx, gla %#lx%s",
				    o->violation.qual, o->violation.qual_mask,
				    (e->qualification ^ o->violation.qual) & o->violation.qual_mask,
				    o->violation.gpa, o->violation.gla,
				    o->violation.gla_valid ? "" : " (not valid)");
		else if (o->kind == EPT_OUTCOME_MISCONFIG)
			report_info("want: gpa %#lx, entry %#lx at level %u", o->misconfig.gpa,
				    o->misconfig.entry, o->misconfig.level);
		vmx_exit_report_info(e);
	}
	return pass;
}
