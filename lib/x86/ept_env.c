#include "libcflat.h"
#include "test.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/ad_model.h"

extern char guest_op_read[], guest_op_write[], guest_op_rmw[], guest_op_fetch[];
extern char guest_op_ss_read[], guest_op_ss_write[], guest_op_uss_write[];
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
	static const char *const names[] = { "read", "write", "fetch", "rmw", "ss-read", "ss-write",
					     "user-ss-write" };
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

static const enum linear_kind op_kinds[] = {
	[GUEST_OP_READ] = LINEAR_READ, [GUEST_OP_WRITE] = LINEAR_WRITE,
	[GUEST_OP_FETCH] = LINEAR_FETCH, [GUEST_OP_RMW] = LINEAR_RMW,
	[GUEST_OP_SS_READ] = LINEAR_READ, [GUEST_OP_SS_WRITE] = LINEAR_WRITE,
	[GUEST_OP_USS_WRITE] = LINEAR_WRITE,
};

static void model_access(struct ept_env *env, enum guest_op op, uint64_t gla,
			 struct ept_outcome *o, struct ept_trace *trace)
{
	struct guest_state gs;
	struct linear_access la = {
		.gla = gla, .kind = op_kinds[op],
		.shadow_stack = op == GUEST_OP_SS_READ || op == GUEST_OP_SS_WRITE ||
				op == GUEST_OP_USS_WRITE,
		/* WRUSS: "the processor treats its shadow-stack accesses as
		 * user accesses" (its instruction page) */
		.user = op == GUEST_OP_USS_WRITE,
	};

	ept_env_guest_state(&gs);
	env->model.eptp = vmcs_read(VMCS_EPT_POINTER);
	ept_model_linear(&env->model, &gs, &la, o, trace);
}

void ept_env_expect(struct ept_env *env, enum guest_op op, uint64_t gla, struct ept_outcome *o)
{
	model_access(env, op, gla, o, NULL);
}

uint64_t ept_env_stub(const struct ept_env *env, enum guest_op op)
{
	static char *const entry[] = {
		[GUEST_OP_READ] = guest_op_read, [GUEST_OP_WRITE] = guest_op_write,
		[GUEST_OP_FETCH] = guest_op_fetch, [GUEST_OP_RMW] = guest_op_rmw,
		[GUEST_OP_SS_READ] = guest_op_ss_read, [GUEST_OP_SS_WRITE] = guest_op_ss_write,
		[GUEST_OP_USS_WRITE] = guest_op_uss_write,
	};
	/* no shadow-stack operations in 32-bit code (NULL) */
	static char *const entry32[] = {
		[GUEST_OP_READ] = guest32_op_read, [GUEST_OP_WRITE] = guest32_op_write,
		[GUEST_OP_FETCH] = guest32_op_fetch, [GUEST_OP_RMW] = guest32_op_rmw,
		[GUEST_OP_USS_WRITE] = NULL,
	};

	return (uintptr_t)(env->guest32 ? entry32 : entry)[op];
}

static void model_run(struct ept_env *env, enum guest_op op, uint64_t gla,
		      struct ept_outcome *o, struct ept_trace *trace)
{
	struct linear_access fetch = { .gla = ept_env_stub(env, op), .kind = LINEAR_FETCH };
	struct guest_state gs;

	/* SDM 29.3.3: every guest-physical access of each walk goes through
	 * EPT in turn; the fetch of the first instruction comes first. */
	if (env->mode == GUEST_PAGING_PAE && !env->paging_off)
		ept_env_sync_pdptes(env);
	ept_env_guest_state(&gs);
	env->model.eptp = vmcs_read(VMCS_EPT_POINTER);
	if (ept_model_linear(&env->model, &gs, &fetch, o, trace) != EPT_OUTCOME_TRANSLATION)
		return;
	model_access(env, op, gla, o, trace);
}

void ept_env_expect_run(struct ept_env *env, enum guest_op op, uint64_t gla, struct ept_outcome *o)
{
	model_run(env, op, gla, o, NULL);
}

struct vmx_exit ept_env_run(struct ept_env *env, enum guest_op op, uint64_t gla, uint64_t value)
{
	ept_invalidate(&env->ept);
	if (env->mode == GUEST_PAGING_PAE && !env->paging_off)
		ept_env_sync_pdptes(env);
	vcpu_set_entry(env->vcpu, (void (*)(void))ept_env_stub(env, op), gla);
	/* the shadow-stack read is at SSP ("load CET state" is on) */
	if (op == GUEST_OP_SS_READ)
		vmcs_write(VMCS_GUEST_SSP, gla);
	env->vcpu->regs.rsi = value;
	env->vcpu->regs.rax = 0;
	return vmx_run_guest(env->vcpu);
}

/* ---- one case, one outcome record ---- */

static uint64_t window_gpa_of(const struct ept_env *env, uint64_t gla)
{
	return gla - env->window_gla + env->window_gpa;
}

/* The guest entries of the window's walk whose A/D flags a case observes:
 * every level but the PAE PDPTEs (registers, no A/D: Vol. 3A 4.4.1). */
static unsigned guest_walk(struct ept_env *env, uint64_t gla, uint8_t level_out[OUTCOME_AD_MAX])
{
	unsigned n = 0;

	if (env->paging_off)
		return 0;
	for (unsigned level = env->gpt.levels; level >= 1 && n < OUTCOME_AD_MAX; level--) {
		uint64_t e;

		if (!gpt_table_gpa(&env->gpt, gla, level))
			break;
		e = gpt_entry_read(&env->gpt, gla, level);
		if (!(env->mode == GUEST_PAGING_PAE && level == 3))
			level_out[n++] = (uint8_t)level;
		if (!(e & PTE_PRESENT) || gpt_entry_is_leaf(env->mode, level, e))
			break;
	}
	return n;
}

/* The EPT entries of the window's walk no other access shares: below the
 * identity map's PML4E (PDPTE) unless the window has a PML4E of its own. */
static unsigned ept_walk_of_window(struct ept_env *env, uint64_t gpa, uint64_t hpa[OUTCOME_AD_MAX],
				   uint8_t level_out[OUTCOME_AD_MAX])
{
	unsigned top = env->window_own_pml4e ? EPT_LEVEL_PML4E : EPT_LEVEL_PDPTE, n = 0;

	for (unsigned level = top; level >= EPT_LEVEL_PTE; level--) {
		uint64_t *e = ept_entry(&env->ept, gpa, level);

		if (!e)
			break;
		hpa[n] = (uintptr_t)e;
		level_out[n++] = (uint8_t)level;
		if (level == EPT_LEVEL_PTE || (*e & EPT_LARGE_PAGE))
			break;
	}
	return n;
}

void ept_case_begin(struct ept_env *env, uint64_t gla)
{
	uint8_t levels[OUTCOME_AD_MAX];
	unsigned n = guest_walk(env, gla, levels);

	ept_clear_ad(&env->ept, window_gpa_of(env, gla));
	for (unsigned i = 0; i < n; i++)
		gpt_entry_update(&env->gpt, gla, levels[i], 0, PTE_ACCESSED | PTE_DIRTY);
}

void outcome_want_ad(struct outcome *w, enum outcome_field f, unsigned i, struct ad_flags a)
{
	w->v[f] |= (uint64_t)(a.a == AD_SET) << (2 * i) | (uint64_t)(a.d == AD_SET) << (2 * i + 1);
	w->mask[f] |= (uint64_t)(a.a != AD_MAY) << (2 * i) | (uint64_t)(a.d != AD_MAY) << (2 * i + 1);
}

void outcome_want_exit(struct outcome *w, const struct ept_outcome *o)
{
	/* Not an exit during event delivery: IDT-vectoring information not
	 * valid (SDM 28.2.4); a test of event delivery sets it itself. */
	outcome_set(w, FLD_IDT_VEC, 0, INTR_INFO_VALID);
	/* An exit that is not an exception: VM-exit interruption information
	 * not valid (28.2.2); a guest fault sets it below. */
	outcome_set(w, FLD_VECTOR, 0, INTR_INFO_VALID);
	w->rules = o->rules;
	switch (o->kind) {
	case EPT_OUTCOME_TRANSLATION:
		/* the access completed and the guest called back */
		outcome_set(w, FLD_REASON, EXIT_REASON_VMCALL, ~0u);
		snprintf(w->describe, sizeof(w->describe), "completes");
		break;
	case EPT_OUTCOME_VIOLATION:
		outcome_set(w, FLD_REASON, EXIT_REASON_EPT_VIOLATION, ~0u);
		outcome_set(w, FLD_QUAL, o->violation.qual, o->violation.qual_mask);
		outcome_set(w, FLD_GPA, o->violation.gpa, o->violation.gpa_mask);
		if (o->violation.gla_valid)
			outcome_set(w, FLD_GLA, o->violation.gla, ~0ull);
		snprintf(w->describe, sizeof(w->describe), "exit 48 qual %#lx", o->violation.qual);
		break;
	case EPT_OUTCOME_MISCONFIG:
		outcome_set(w, FLD_REASON, EXIT_REASON_EPT_MISCONFIG, ~0u);
		outcome_set(w, FLD_GPA, o->misconfig.gpa, o->misconfig.gpa_mask);
		snprintf(w->describe, sizeof(w->describe), "exit 49 (%s)",
			 ept_misconfig_rule_name(o->misconfig.rule));
		break;
	case EPT_OUTCOME_GUEST_FAULT: {
		/* the exception bitmap has #PF and #GP: an exception exit with
		 * the vector, type "hardware exception", an error code, and for
		 * #PF the linear address in the qualification, not CR2 (27.1) */
		uint32_t info = INTR_INFO_VALID | INTR_INFO_ERROR_CODE_VALID |
				(INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT) | o->guest_fault.vector;

		outcome_set(w, FLD_REASON, EXIT_REASON_EXCEPTION_NMI, ~0u);
		outcome_set(w, FLD_VECTOR, info, ~0u);
		outcome_set(w, FLD_ERROR_CODE, o->guest_fault.error_code, ~0u);
		if (o->guest_fault.vector == GUEST_VECTOR_PF)
			outcome_set(w, FLD_CR2, o->guest_fault.cr2, ~0ull);
		snprintf(w->describe, sizeof(w->describe), "guest %s error %#x",
			 o->guest_fault.vector == GUEST_VECTOR_PF ? "#PF" : "#GP",
			 (unsigned)o->guest_fault.error_code);
		break;
	}
	default:
		snprintf(w->describe, sizeof(w->describe), "%s", ept_outcome_kind_name(o->kind));
		break;
	}
}

void outcome_got_exit(struct outcome *g, const struct vmx_exit *e)
{
	/* a VMfail is no exit at all: a reason no exit has */
	g->v[FLD_REASON] = e->kind == VMX_EXIT_VMEXIT ? e->reason : 0xffffffffu;
	g->v[FLD_INSN_ERR] = e->kind == VMX_EXIT_VMFAIL_VALID ? e->vm_instruction_error :
			     e->kind == VMX_EXIT_VMFAIL_INVALID ? VMX_INSN_FAIL_INVALID : 0;
	g->v[FLD_QUAL] = e->qualification;
	g->v[FLD_GPA] = e->gpa;
	g->v[FLD_GLA] = e->gla;
	g->v[FLD_IDT_VEC] = e->idt_vectoring_info;
	g->v[FLD_VECTOR] = e->intr_info;
	g->v[FLD_ERROR_CODE] = e->intr_error;
	g->v[FLD_CR2] = e->qualification;
	g->v[FLD_INTR] = e->interruptibility;
}

void ept_case_expect(struct ept_env *env, struct ept_case *c)
{
	bool write = guest_op_writes(c->op);
	const struct ept_outcome *o = &c->model;

	if (c->host)
		*c->host = c->op == GUEST_OP_FETCH ? CASE_VMCALL_BYTES : CASE_PATTERN;
	memset(&c->want, 0, sizeof(c->want));
	memset(&c->got, 0, sizeof(c->got));
	if (c->expect_run)
		model_run(env, c->op, c->gla, &c->model, &c->trace);
	else
		model_access(env, c->op, c->gla, &c->model, &c->trace);
	outcome_want_exit(&c->want, o);

	if (c->host && o->kind == EPT_OUTCOME_TRANSLATION) {
		static const uint64_t data[] = {
			[GUEST_OP_READ] = CASE_PATTERN, [GUEST_OP_WRITE] = CASE_WRITE_VALUE,
			[GUEST_OP_RMW] = CASE_PATTERN + CASE_RMW_ADDEND,
			[GUEST_OP_SS_WRITE] = CASE_WRITE_VALUE, [GUEST_OP_USS_WRITE] = CASE_WRITE_VALUE,
		};
		/* a fetch: the VMCALL at the target ran (its RIP); INCSSPQ by
		 * one entry: SSP advanced by 8 */
		uint64_t want = c->op == GUEST_OP_FETCH ? c->gla :
				c->op == GUEST_OP_SS_READ ? c->gla + 8 : data[c->op];

		/* a 32-bit guest's accesses are 4 bytes (guest_access32.S): a
		 * read defines EAX only, a write leaves the upper 4 bytes */
		if (env->guest32 && c->op != GUEST_OP_FETCH)
			want = (CASE_PATTERN & ~0xffffffffull) | (uint32_t)want;
		outcome_set(&c->want, FLD_DATA, want,
			    env->guest32 && c->op == GUEST_OP_READ ? 0xffffffffull : ~0ull);
	} else if (c->host && write && o->kind != EPT_OUTCOME_UNMODELED) {
		/* EPT violations, misconfigurations and #PF are fault-like:
		 * the write does not happen (SDM 28.1) */
		outcome_set(&c->want, FLD_MEM, CASE_PATTERN, ~0ull);
	}

	c->nr_ept = ept_walk_of_window(env, window_gpa_of(env, c->gla), c->ept_hpa,
				       c->want.ept_ad_level);
	c->want.nr_ept_ad = (uint8_t)c->nr_ept;
	for (unsigned i = 0; i < c->nr_ept; i++) {
		struct ad_flags a = ad_model_ept(&env->model, o, &c->trace, c->ept_hpa[i]);
		uint64_t e = *(volatile uint64_t *)(uintptr_t)c->ept_hpa[i];

		/* a flag the case preset stays set: the processor never clears
		 * one, nor writes bits 8 and 9 while they are ignored (29.3.5) */
		if (e & EPT_ACCESSED)
			a.a = AD_SET;
		if (e & EPT_DIRTY)
			a.d = AD_SET;
		outcome_want_ad(&c->want, FLD_EPT_AD, i, a);
	}

	c->nr_guest = guest_walk(env, c->gla, c->guest_level);
	c->want.nr_guest_ad = (uint8_t)c->nr_guest;
	for (unsigned i = 0; i < c->nr_guest; i++) {
		unsigned level = c->guest_level[i];
		uint64_t e = gpt_entry_read(&env->gpt, c->gla, level);

		c->want.guest_ad_level[i] = (uint8_t)level;
		outcome_want_ad(&c->want, FLD_GUEST_AD, i,
			ad_model_guest(o, &c->trace, level, gpt_entry_is_leaf(env->mode, level, e), write, e));
	}
}

void ept_case_run(struct ept_env *env, struct ept_case *c)
{
	uint64_t value = c->op == GUEST_OP_RMW ? CASE_RMW_ADDEND : CASE_WRITE_VALUE;

	c->exit = ept_env_run(env, c->op, c->gla, value);
	outcome_got_exit(&c->got, &c->exit);
	if (c->host) {
		c->got.v[FLD_MEM] = *c->host;
		switch (c->op) {
		case GUEST_OP_READ:
		case GUEST_OP_SS_READ:
			c->got.v[FLD_DATA] = c->exit.regs.rax;
			break;
		case GUEST_OP_FETCH:
			c->got.v[FLD_DATA] = c->exit.guest_rip;
			break;
		default:
			c->got.v[FLD_DATA] = *c->host;
			break;
		}
	}
	for (unsigned i = 0; i < c->nr_ept; i++) {
		uint64_t e = *(volatile uint64_t *)(uintptr_t)c->ept_hpa[i];

		c->got.v[FLD_EPT_AD] |= (uint64_t)!!(e & EPT_ACCESSED) << (2 * i) |
				       (uint64_t)!!(e & EPT_DIRTY) << (2 * i + 1);
	}
	for (unsigned i = 0; i < c->nr_guest; i++) {
		uint64_t e = gpt_entry_read(&env->gpt, c->gla, c->guest_level[i]);

		c->got.v[FLD_GUEST_AD] |= (uint64_t)!!(e & PTE_ACCESSED) << (2 * i) |
					 (uint64_t)!!(e & PTE_DIRTY) << (2 * i + 1);
	}
}

bool ept_case_check(const char *id, const char *words, const struct ept_case *c)
{
	bool pass = outcome_check(id, words, &c->want, &c->got);

	if (!pass)
		vmx_exit_report_info(&c->exit);
	return pass;
}

void ept_case_skip(const char *id, const char *words, const char *why)
{
	report_skip(id, words, "%s", why);
}

bool ept_case(struct ept_env *env, const char *id, const char *words, struct ept_case *c)
{
	ept_case_expect(env, c);
	if (c->model.kind == EPT_OUTCOME_UNMODELED) {
		report_skip(id, words, "the reference model does not predict this case (%s)",
			    ept_outcome_kind_name(c->model.kind));
		return true;
	}
	if (c->model.order_ambiguous) {
		/* the SDM does not order guest A/D updates against the rest
		 * of the access here: no single outcome to compare */
		report_skip(id, words, "the SDM allows more than one outcome (guest A/D update order)");
		return true;
	}
	ept_case_run(env, c);
	return ept_case_check(id, words, c);
}
