/*
 * VMX and EPT architectural encodings, named as the Intel SDM names them.
 *
 * This is the one place where SDM numbers live: VMCS field encodings
 * (SDM Vol. 3D Appendix B), VM-execution/exit/entry control bits
 * (SDM 25.6-25.8), basic exit reasons (Appendix C), VM-instruction error
 * numbers (SDM 31.4), the VMX capability MSRs (Appendix A), and the EPT
 * formats (SDM 29.3).  Code elsewhere uses these names, never the numbers.
 *
 * Pure header: builds freestanding (test kernels) and hosted (unit tests).
 */
#ifndef LIB_X86_VMX_ARCH_H
#define LIB_X86_VMX_ARCH_H

#include <stdint.h>

#define BIT(n)          (1ull << (n))
#define BITS(hi, lo)    ((~0ull >> (63 - (hi))) & ~(BIT(lo) - 1))

/* ---------------------------------------------------------------------
 * Model-specific registers (SDM Vol. 4, Appendix A of Vol. 3D)
 * ------------------------------------------------------------------- */
enum {
	MSR_IA32_FEATURE_CONTROL      = 0x03a,
	MSR_IA32_SYSENTER_CS          = 0x174,
	MSR_IA32_SYSENTER_ESP         = 0x175,
	MSR_IA32_SYSENTER_EIP         = 0x176,
	MSR_IA32_DEBUGCTL             = 0x1d9,
	MSR_IA32_PAT                  = 0x277,
	MSR_IA32_VMX_BASIC            = 0x480,
	MSR_IA32_VMX_PINBASED_CTLS    = 0x481,
	MSR_IA32_VMX_PROCBASED_CTLS   = 0x482,
	MSR_IA32_VMX_EXIT_CTLS        = 0x483,
	MSR_IA32_VMX_ENTRY_CTLS       = 0x484,
	MSR_IA32_VMX_MISC             = 0x485,
	MSR_IA32_VMX_CR0_FIXED0       = 0x486,
	MSR_IA32_VMX_CR0_FIXED1       = 0x487,
	MSR_IA32_VMX_CR4_FIXED0       = 0x488,
	MSR_IA32_VMX_CR4_FIXED1       = 0x489,
	MSR_IA32_VMX_VMCS_ENUM        = 0x48a,
	MSR_IA32_VMX_PROCBASED_CTLS2  = 0x48b,
	MSR_IA32_VMX_EPT_VPID_CAP     = 0x48c,
	MSR_IA32_VMX_TRUE_PINBASED_CTLS  = 0x48d,
	MSR_IA32_VMX_TRUE_PROCBASED_CTLS = 0x48e,
	MSR_IA32_VMX_TRUE_EXIT_CTLS   = 0x48f,
	MSR_IA32_VMX_TRUE_ENTRY_CTLS  = 0x490,
	MSR_IA32_VMX_VMFUNC           = 0x491,
	MSR_IA32_VMX_PROCBASED_CTLS3  = 0x492,
	MSR_IA32_EFER                 = 0xc0000080,
	MSR_IA32_FS_BASE              = 0xc0000100,
	MSR_IA32_GS_BASE              = 0xc0000101,
};

/* IA32_FEATURE_CONTROL (SDM 24.7) */
#define FEATURE_CONTROL_LOCK            BIT(0)
#define FEATURE_CONTROL_VMXON_IN_SMX    BIT(1)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX BIT(2)

/* IA32_VMX_BASIC (SDM A.1) */
#define VMX_BASIC_REVISION_MASK         BITS(30, 0)
#define VMX_BASIC_VMCS_SIZE_SHIFT       32
#define VMX_BASIC_VMCS_SIZE_MASK        BITS(44, 32)
#define VMX_BASIC_PHYS_ADDR_32BIT       BIT(48)
#define VMX_BASIC_DUAL_MONITOR          BIT(49)
#define VMX_BASIC_MEMTYPE_SHIFT         50
#define VMX_BASIC_MEMTYPE_MASK          BITS(53, 50)
#define VMX_BASIC_INS_OUTS_INFO         BIT(54)
#define VMX_BASIC_TRUE_CTLS             BIT(55)
#define VMX_BASIC_NO_ERRCODE_CHECK      BIT(56)

/* IA32_VMX_MISC (SDM A.6) */
#define VMX_MISC_PREEMPT_RATE_MASK      BITS(4, 0)
#define VMX_MISC_STORE_LMA              BIT(5)
#define VMX_MISC_ACTIVITY_HLT           BIT(6)
#define VMX_MISC_ACTIVITY_SHUTDOWN      BIT(7)
#define VMX_MISC_ACTIVITY_WAIT_SIPI     BIT(8)
#define VMX_MISC_VMWRITE_ANY_FIELD      BIT(29)
#define VMX_MISC_ZERO_LEN_INJECTION     BIT(30)

/* IA32_VMX_EPT_VPID_CAP (SDM A.10) */
#define EPT_CAP_EXEC_ONLY               BIT(0)
#define EPT_CAP_WALK_LENGTH_4           BIT(6)
#define EPT_CAP_WALK_LENGTH_5           BIT(7)
#define EPT_CAP_MEMTYPE_UC              BIT(8)
#define EPT_CAP_MEMTYPE_WB              BIT(14)
#define EPT_CAP_PAGE_2M                 BIT(16)
#define EPT_CAP_PAGE_1G                 BIT(17)
#define EPT_CAP_INVEPT                  BIT(20)
#define EPT_CAP_AD                      BIT(21)
#define EPT_CAP_ADV_EXIT_INFO           BIT(22)
#define EPT_CAP_SUPERVISOR_SHADOW_STACK BIT(23)
#define EPT_CAP_INVEPT_SINGLE           BIT(25)
#define EPT_CAP_INVEPT_ALL              BIT(26)
#define VPID_CAP_INVVPID                BIT(32)
#define VPID_CAP_INVVPID_ADDR           BIT(40)
#define VPID_CAP_INVVPID_SINGLE         BIT(41)
#define VPID_CAP_INVVPID_ALL            BIT(42)
#define VPID_CAP_INVVPID_SINGLE_NONGLOBAL BIT(43)

/* IA32_VMX_VMFUNC (SDM A.11) */
#define VMFUNC_EPTP_SWITCHING           BIT(0)

/* ---------------------------------------------------------------------
 * VMCS field encodings (SDM Vol. 3D Appendix B)
 * ------------------------------------------------------------------- */
enum vmcs_field {
	/* 16-bit control fields (B.1.1) */
	VMCS_VPID                       = 0x0000,
	VMCS_POSTED_INTR_NV             = 0x0002,
	VMCS_EPTP_INDEX                 = 0x0004,
	/* 16-bit guest-state fields (B.1.2) */
	VMCS_GUEST_ES_SEL               = 0x0800,
	VMCS_GUEST_CS_SEL               = 0x0802,
	VMCS_GUEST_SS_SEL               = 0x0804,
	VMCS_GUEST_DS_SEL               = 0x0806,
	VMCS_GUEST_FS_SEL               = 0x0808,
	VMCS_GUEST_GS_SEL               = 0x080a,
	VMCS_GUEST_LDTR_SEL             = 0x080c,
	VMCS_GUEST_TR_SEL               = 0x080e,
	VMCS_GUEST_INTR_STATUS          = 0x0810,
	VMCS_GUEST_PML_INDEX            = 0x0812,
	/* 16-bit host-state fields (B.1.3) */
	VMCS_HOST_ES_SEL                = 0x0c00,
	VMCS_HOST_CS_SEL                = 0x0c02,
	VMCS_HOST_SS_SEL                = 0x0c04,
	VMCS_HOST_DS_SEL                = 0x0c06,
	VMCS_HOST_FS_SEL                = 0x0c08,
	VMCS_HOST_GS_SEL                = 0x0c0a,
	VMCS_HOST_TR_SEL                = 0x0c0c,
	/* 64-bit control fields (B.2.1) */
	VMCS_IO_BITMAP_A                = 0x2000,
	VMCS_IO_BITMAP_B                = 0x2002,
	VMCS_MSR_BITMAP                 = 0x2004,
	VMCS_EXIT_MSR_STORE_ADDR        = 0x2006,
	VMCS_EXIT_MSR_LOAD_ADDR         = 0x2008,
	VMCS_ENTRY_MSR_LOAD_ADDR        = 0x200a,
	VMCS_EXECUTIVE_VMCS_PTR         = 0x200c,
	VMCS_PML_ADDRESS                = 0x200e,
	VMCS_TSC_OFFSET                 = 0x2010,
	VMCS_VIRTUAL_APIC_ADDR          = 0x2012,
	VMCS_APIC_ACCESS_ADDR           = 0x2014,
	VMCS_POSTED_INTR_DESC_ADDR      = 0x2016,
	VMCS_VMFUNC_CONTROLS            = 0x2018,
	VMCS_EPT_POINTER                = 0x201a,
	VMCS_EOI_EXIT_BITMAP0           = 0x201c,
	VMCS_EPTP_LIST_ADDR             = 0x2024,
	VMCS_VMREAD_BITMAP              = 0x2026,
	VMCS_VMWRITE_BITMAP             = 0x2028,
	VMCS_VE_INFO_ADDR               = 0x202a,
	VMCS_XSS_EXIT_BITMAP            = 0x202c,
	VMCS_ENCLS_EXIT_BITMAP          = 0x202e,
	VMCS_SPPT_POINTER               = 0x2030,
	VMCS_TSC_MULTIPLIER             = 0x2032,
	VMCS_TERTIARY_PROC_CONTROLS     = 0x2034,
	/* 64-bit read-only data fields (B.2.2) */
	VMCS_GUEST_PHYSICAL_ADDRESS     = 0x2400,
	/* 64-bit guest-state fields (B.2.3) */
	VMCS_LINK_POINTER               = 0x2800,
	VMCS_GUEST_IA32_DEBUGCTL        = 0x2802,
	VMCS_GUEST_IA32_PAT             = 0x2804,
	VMCS_GUEST_IA32_EFER            = 0x2806,
	VMCS_GUEST_IA32_PERF_GLOBAL_CTRL = 0x2808,
	VMCS_GUEST_PDPTE0               = 0x280a,
	VMCS_GUEST_PDPTE1               = 0x280c,
	VMCS_GUEST_PDPTE2               = 0x280e,
	VMCS_GUEST_PDPTE3               = 0x2810,
	/* 64-bit host-state fields (B.2.4) */
	VMCS_HOST_IA32_PAT              = 0x2c00,
	VMCS_HOST_IA32_EFER             = 0x2c02,
	VMCS_HOST_IA32_PERF_GLOBAL_CTRL = 0x2c04,
	/* 32-bit control fields (B.3.1) */
	VMCS_PIN_BASED_CONTROLS         = 0x4000,
	VMCS_PROC_BASED_CONTROLS        = 0x4002,
	VMCS_EXCEPTION_BITMAP           = 0x4004,
	VMCS_PF_ERROR_CODE_MASK         = 0x4006,
	VMCS_PF_ERROR_CODE_MATCH        = 0x4008,
	VMCS_CR3_TARGET_COUNT           = 0x400a,
	VMCS_EXIT_CONTROLS              = 0x400c,
	VMCS_EXIT_MSR_STORE_COUNT       = 0x400e,
	VMCS_EXIT_MSR_LOAD_COUNT        = 0x4010,
	VMCS_ENTRY_CONTROLS             = 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT       = 0x4014,
	VMCS_ENTRY_INTR_INFO            = 0x4016,
	VMCS_ENTRY_EXCEPTION_ERROR_CODE = 0x4018,
	VMCS_ENTRY_INSTRUCTION_LEN      = 0x401a,
	VMCS_TPR_THRESHOLD              = 0x401c,
	VMCS_SECONDARY_PROC_CONTROLS    = 0x401e,
	VMCS_PLE_GAP                    = 0x4020,
	VMCS_PLE_WINDOW                 = 0x4022,
	/* 32-bit read-only data fields (B.3.2) */
	VMCS_VM_INSTRUCTION_ERROR       = 0x4400,
	VMCS_EXIT_REASON                = 0x4402,
	VMCS_EXIT_INTR_INFO             = 0x4404,
	VMCS_EXIT_INTR_ERROR_CODE       = 0x4406,
	VMCS_IDT_VECTORING_INFO         = 0x4408,
	VMCS_IDT_VECTORING_ERROR_CODE   = 0x440a,
	VMCS_EXIT_INSTRUCTION_LEN       = 0x440c,
	VMCS_EXIT_INSTRUCTION_INFO      = 0x440e,
	/* 32-bit guest-state fields (B.3.3) */
	VMCS_GUEST_ES_LIMIT             = 0x4800,
	VMCS_GUEST_CS_LIMIT             = 0x4802,
	VMCS_GUEST_SS_LIMIT             = 0x4804,
	VMCS_GUEST_DS_LIMIT             = 0x4806,
	VMCS_GUEST_FS_LIMIT             = 0x4808,
	VMCS_GUEST_GS_LIMIT             = 0x480a,
	VMCS_GUEST_LDTR_LIMIT           = 0x480c,
	VMCS_GUEST_TR_LIMIT             = 0x480e,
	VMCS_GUEST_GDTR_LIMIT           = 0x4810,
	VMCS_GUEST_IDTR_LIMIT           = 0x4812,
	VMCS_GUEST_ES_AR                = 0x4814,
	VMCS_GUEST_CS_AR                = 0x4816,
	VMCS_GUEST_SS_AR                = 0x4818,
	VMCS_GUEST_DS_AR                = 0x481a,
	VMCS_GUEST_FS_AR                = 0x481c,
	VMCS_GUEST_GS_AR                = 0x481e,
	VMCS_GUEST_LDTR_AR              = 0x4820,
	VMCS_GUEST_TR_AR                = 0x4822,
	VMCS_GUEST_INTERRUPTIBILITY     = 0x4824,
	VMCS_GUEST_ACTIVITY_STATE       = 0x4826,
	VMCS_GUEST_SMBASE               = 0x4828,
	VMCS_GUEST_IA32_SYSENTER_CS     = 0x482a,
	VMCS_PREEMPTION_TIMER_VALUE     = 0x482e,
	/* 32-bit host-state field (B.3.4) */
	VMCS_HOST_IA32_SYSENTER_CS      = 0x4c00,
	/* natural-width control fields (B.4.1) */
	VMCS_CR0_GUEST_HOST_MASK        = 0x6000,
	VMCS_CR4_GUEST_HOST_MASK        = 0x6002,
	VMCS_CR0_READ_SHADOW            = 0x6004,
	VMCS_CR4_READ_SHADOW            = 0x6006,
	VMCS_CR3_TARGET_VALUE0          = 0x6008,
	/* natural-width read-only data fields (B.4.2) */
	VMCS_EXIT_QUALIFICATION         = 0x6400,
	VMCS_IO_RCX                     = 0x6402,
	VMCS_IO_RSI                     = 0x6404,
	VMCS_IO_RDI                     = 0x6406,
	VMCS_IO_RIP                     = 0x6408,
	VMCS_GUEST_LINEAR_ADDRESS       = 0x640a,
	/* natural-width guest-state fields (B.4.3) */
	VMCS_GUEST_CR0                  = 0x6800,
	VMCS_GUEST_CR3                  = 0x6802,
	VMCS_GUEST_CR4                  = 0x6804,
	VMCS_GUEST_ES_BASE              = 0x6806,
	VMCS_GUEST_CS_BASE              = 0x6808,
	VMCS_GUEST_SS_BASE              = 0x680a,
	VMCS_GUEST_DS_BASE              = 0x680c,
	VMCS_GUEST_FS_BASE              = 0x680e,
	VMCS_GUEST_GS_BASE              = 0x6810,
	VMCS_GUEST_LDTR_BASE            = 0x6812,
	VMCS_GUEST_TR_BASE              = 0x6814,
	VMCS_GUEST_GDTR_BASE            = 0x6816,
	VMCS_GUEST_IDTR_BASE            = 0x6818,
	VMCS_GUEST_DR7                  = 0x681a,
	VMCS_GUEST_RSP                  = 0x681c,
	VMCS_GUEST_RIP                  = 0x681e,
	VMCS_GUEST_RFLAGS               = 0x6820,
	VMCS_GUEST_PENDING_DBG_EXCEPTIONS = 0x6822,
	VMCS_GUEST_SYSENTER_ESP         = 0x6824,
	VMCS_GUEST_SYSENTER_EIP         = 0x6826,
	/* natural-width host-state fields (B.4.4) */
	VMCS_HOST_CR0                   = 0x6c00,
	VMCS_HOST_CR3                   = 0x6c02,
	VMCS_HOST_CR4                   = 0x6c04,
	VMCS_HOST_FS_BASE               = 0x6c06,
	VMCS_HOST_GS_BASE               = 0x6c08,
	VMCS_HOST_TR_BASE               = 0x6c0a,
	VMCS_HOST_GDTR_BASE             = 0x6c0c,
	VMCS_HOST_IDTR_BASE             = 0x6c0e,
	VMCS_HOST_SYSENTER_ESP          = 0x6c10,
	VMCS_HOST_SYSENTER_EIP          = 0x6c12,
	VMCS_HOST_RSP                   = 0x6c14,
	VMCS_HOST_RIP                   = 0x6c16,
};

/* ---------------------------------------------------------------------
 * VM-execution controls (SDM 25.6)
 * ------------------------------------------------------------------- */
/* Pin-based (Table 25-5) */
#define PIN_EXTERNAL_INTERRUPT_EXITING  BIT(0)
#define PIN_NMI_EXITING                 BIT(3)
#define PIN_VIRTUAL_NMIS                BIT(5)
#define PIN_PREEMPTION_TIMER            BIT(6)
#define PIN_POSTED_INTERRUPTS           BIT(7)

/* Primary processor-based (Table 25-6) */
#define CPU_INTERRUPT_WINDOW_EXITING    BIT(2)
#define CPU_USE_TSC_OFFSETTING          BIT(3)
#define CPU_HLT_EXITING                 BIT(7)
#define CPU_INVLPG_EXITING              BIT(9)
#define CPU_MWAIT_EXITING               BIT(10)
#define CPU_RDPMC_EXITING               BIT(11)
#define CPU_RDTSC_EXITING               BIT(12)
#define CPU_CR3_LOAD_EXITING            BIT(15)
#define CPU_CR3_STORE_EXITING           BIT(16)
#define CPU_TERTIARY_CONTROLS           BIT(17)
#define CPU_CR8_LOAD_EXITING            BIT(19)
#define CPU_CR8_STORE_EXITING           BIT(20)
#define CPU_USE_TPR_SHADOW              BIT(21)
#define CPU_NMI_WINDOW_EXITING          BIT(22)
#define CPU_MOV_DR_EXITING              BIT(23)
#define CPU_UNCONDITIONAL_IO_EXITING    BIT(24)
#define CPU_USE_IO_BITMAPS              BIT(25)
#define CPU_MONITOR_TRAP_FLAG           BIT(27)
#define CPU_USE_MSR_BITMAPS             BIT(28)
#define CPU_MONITOR_EXITING             BIT(29)
#define CPU_PAUSE_EXITING               BIT(30)
#define CPU_SECONDARY_CONTROLS          BIT(31)

/* Secondary processor-based (Table 25-7) */
#define CPU2_VIRTUALIZE_APIC_ACCESSES   BIT(0)
#define CPU2_ENABLE_EPT                 BIT(1)
#define CPU2_DESCRIPTOR_TABLE_EXITING   BIT(2)
#define CPU2_ENABLE_RDTSCP              BIT(3)
#define CPU2_VIRTUALIZE_X2APIC          BIT(4)
#define CPU2_ENABLE_VPID                BIT(5)
#define CPU2_WBINVD_EXITING             BIT(6)
#define CPU2_UNRESTRICTED_GUEST         BIT(7)
#define CPU2_APIC_REGISTER_VIRT         BIT(8)
#define CPU2_VIRTUAL_INTR_DELIVERY      BIT(9)
#define CPU2_PAUSE_LOOP_EXITING         BIT(10)
#define CPU2_RDRAND_EXITING             BIT(11)
#define CPU2_ENABLE_INVPCID             BIT(12)
#define CPU2_ENABLE_VMFUNC              BIT(13)
#define CPU2_VMCS_SHADOWING             BIT(14)
#define CPU2_ENCLS_EXITING              BIT(15)
#define CPU2_RDSEED_EXITING             BIT(16)
#define CPU2_ENABLE_PML                 BIT(17)
#define CPU2_EPT_VIOLATION_VE           BIT(18)
#define CPU2_CONCEAL_VMX_FROM_PT        BIT(19)
#define CPU2_ENABLE_XSAVES              BIT(20)
#define CPU2_MODE_BASED_EPT_EXEC        BIT(22)
#define CPU2_SUBPAGE_WRITE_PERMS        BIT(23)
#define CPU2_PT_USES_GPA                BIT(24)
#define CPU2_USE_TSC_SCALING            BIT(25)
#define CPU2_ENABLE_USER_WAIT_PAUSE     BIT(26)

/* VM-exit controls (Table 25-13) */
#define EXIT_SAVE_DEBUG_CONTROLS        BIT(2)
#define EXIT_HOST_ADDR_SPACE_SIZE       BIT(9)
#define EXIT_LOAD_PERF_GLOBAL_CTRL      BIT(12)
#define EXIT_ACK_INTERRUPT_ON_EXIT      BIT(15)
#define EXIT_SAVE_IA32_PAT              BIT(18)
#define EXIT_LOAD_IA32_PAT              BIT(19)
#define EXIT_SAVE_IA32_EFER             BIT(20)
#define EXIT_LOAD_IA32_EFER             BIT(21)
#define EXIT_SAVE_PREEMPTION_TIMER      BIT(22)

/* VM-entry controls (Table 25-15) */
#define ENTRY_LOAD_DEBUG_CONTROLS       BIT(2)
#define ENTRY_IA32E_MODE_GUEST          BIT(9)
#define ENTRY_TO_SMM                    BIT(10)
#define ENTRY_DEACTIVATE_DUAL_MONITOR   BIT(11)
#define ENTRY_LOAD_PERF_GLOBAL_CTRL     BIT(13)
#define ENTRY_LOAD_IA32_PAT             BIT(14)
#define ENTRY_LOAD_IA32_EFER            BIT(15)

/* VM-entry/exit interruption information (SDM 25.8.3, 28.2.2) */
#define INTR_INFO_VECTOR_MASK           BITS(7, 0)
#define INTR_INFO_TYPE_SHIFT            8
#define INTR_INFO_TYPE_MASK             BITS(10, 8)
#define INTR_INFO_ERROR_CODE_VALID      BIT(11)
#define INTR_INFO_NMI_UNBLOCKING        BIT(12)
#define INTR_INFO_VALID                 BIT(31)
enum intr_type {
	INTR_TYPE_EXTERNAL              = 0,
	INTR_TYPE_NMI                   = 2,
	INTR_TYPE_HW_EXCEPTION          = 3,
	INTR_TYPE_SW_INTERRUPT          = 4,
	INTR_TYPE_PRIV_SW_EXCEPTION     = 5,
	INTR_TYPE_SW_EXCEPTION          = 6,
	INTR_TYPE_OTHER                 = 7,
};

/* Guest interruptibility state (SDM 25.4.2, Table 25-3) */
#define GUEST_INTR_BLOCK_STI            BIT(0)
#define GUEST_INTR_BLOCK_MOV_SS         BIT(1)
#define GUEST_INTR_BLOCK_SMI            BIT(2)
#define GUEST_INTR_BLOCK_NMI            BIT(3)

/* Guest activity state (SDM 25.4.2) */
enum guest_activity {
	GUEST_ACTIVITY_ACTIVE           = 0,
	GUEST_ACTIVITY_HLT              = 1,
	GUEST_ACTIVITY_SHUTDOWN         = 2,
	GUEST_ACTIVITY_WAIT_SIPI        = 3,
};

/* Segment access rights in the VMCS (SDM 25.4.1, Table 25-2) */
#define VMX_AR_TYPE_MASK                BITS(3, 0)
#define VMX_AR_S                        BIT(4)
#define VMX_AR_DPL_SHIFT                5
#define VMX_AR_P                        BIT(7)
#define VMX_AR_L                        BIT(13)
#define VMX_AR_DB                       BIT(14)
#define VMX_AR_G                        BIT(15)
#define VMX_AR_UNUSABLE                 BIT(16)

/* ---------------------------------------------------------------------
 * Basic exit reasons (SDM Appendix C) and exit-reason bits (SDM 28.2.1)
 * ------------------------------------------------------------------- */
enum vmx_exit_reason {
	EXIT_REASON_EXCEPTION_NMI       = 0,
	EXIT_REASON_EXTERNAL_INTERRUPT  = 1,
	EXIT_REASON_TRIPLE_FAULT        = 2,
	EXIT_REASON_INIT                = 3,
	EXIT_REASON_SIPI                = 4,
	EXIT_REASON_IO_SMI              = 5,
	EXIT_REASON_OTHER_SMI           = 6,
	EXIT_REASON_INTERRUPT_WINDOW    = 7,
	EXIT_REASON_NMI_WINDOW          = 8,
	EXIT_REASON_TASK_SWITCH         = 9,
	EXIT_REASON_CPUID               = 10,
	EXIT_REASON_GETSEC              = 11,
	EXIT_REASON_HLT                 = 12,
	EXIT_REASON_INVD                = 13,
	EXIT_REASON_INVLPG              = 14,
	EXIT_REASON_RDPMC               = 15,
	EXIT_REASON_RDTSC               = 16,
	EXIT_REASON_RSM                 = 17,
	EXIT_REASON_VMCALL              = 18,
	EXIT_REASON_VMCLEAR             = 19,
	EXIT_REASON_VMLAUNCH            = 20,
	EXIT_REASON_VMPTRLD             = 21,
	EXIT_REASON_VMPTRST             = 22,
	EXIT_REASON_VMREAD              = 23,
	EXIT_REASON_VMRESUME            = 24,
	EXIT_REASON_VMWRITE             = 25,
	EXIT_REASON_VMXOFF              = 26,
	EXIT_REASON_VMXON               = 27,
	EXIT_REASON_CR_ACCESS           = 28,
	EXIT_REASON_DR_ACCESS           = 29,
	EXIT_REASON_IO_INSTRUCTION      = 30,
	EXIT_REASON_RDMSR               = 31,
	EXIT_REASON_WRMSR               = 32,
	EXIT_REASON_INVALID_GUEST_STATE = 33,
	EXIT_REASON_MSR_LOADING         = 34,
	EXIT_REASON_MWAIT               = 36,
	EXIT_REASON_MONITOR_TRAP_FLAG   = 37,
	EXIT_REASON_MONITOR             = 39,
	EXIT_REASON_PAUSE               = 40,
	EXIT_REASON_MACHINE_CHECK       = 41,
	EXIT_REASON_TPR_BELOW_THRESHOLD = 43,
	EXIT_REASON_APIC_ACCESS         = 44,
	EXIT_REASON_VIRTUALIZED_EOI     = 45,
	EXIT_REASON_GDTR_IDTR           = 46,
	EXIT_REASON_LDTR_TR             = 47,
	EXIT_REASON_EPT_VIOLATION       = 48,
	EXIT_REASON_EPT_MISCONFIG       = 49,
	EXIT_REASON_INVEPT              = 50,
	EXIT_REASON_RDTSCP              = 51,
	EXIT_REASON_PREEMPTION_TIMER    = 52,
	EXIT_REASON_INVVPID             = 53,
	EXIT_REASON_WBINVD              = 54,
	EXIT_REASON_XSETBV              = 55,
	EXIT_REASON_APIC_WRITE          = 56,
	EXIT_REASON_RDRAND              = 57,
	EXIT_REASON_INVPCID             = 58,
	EXIT_REASON_VMFUNC              = 59,
	EXIT_REASON_ENCLS               = 60,
	EXIT_REASON_RDSEED              = 61,
	EXIT_REASON_PML_FULL            = 62,
	EXIT_REASON_XSAVES              = 63,
	EXIT_REASON_XRSTORS             = 64,
	EXIT_REASON_SPP_EVENT           = 66,
	EXIT_REASON_MAX                 = 76,
};
#define EXIT_REASON_BASIC_MASK          BITS(15, 0)
#define EXIT_REASON_FROM_VMX_ROOT       BIT(29)
#define EXIT_REASON_ENTRY_FAILURE       BIT(31)

/* VM-instruction error numbers (SDM 31.4, Table 31-1) */
enum vm_instruction_error {
	VMXERR_VMCALL_IN_ROOT           = 1,
	VMXERR_VMCLEAR_INVALID_ADDR     = 2,
	VMXERR_VMCLEAR_VMXON_PTR        = 3,
	VMXERR_VMLAUNCH_NONCLEAR_VMCS   = 4,
	VMXERR_VMRESUME_NONLAUNCHED_VMCS = 5,
	VMXERR_VMRESUME_AFTER_VMXOFF    = 6,
	VMXERR_ENTRY_INVALID_CONTROL    = 7,
	VMXERR_ENTRY_INVALID_HOST_STATE = 8,
	VMXERR_VMPTRLD_INVALID_ADDR     = 9,
	VMXERR_VMPTRLD_VMXON_PTR        = 10,
	VMXERR_VMPTRLD_BAD_REVISION     = 11,
	VMXERR_UNSUPPORTED_VMCS_FIELD   = 12,
	VMXERR_VMWRITE_READ_ONLY_FIELD  = 13,
	VMXERR_VMXON_IN_ROOT            = 15,
	VMXERR_ENTRY_EVENTS_BLOCKED_BY_MOV_SS = 26,
	VMXERR_INVALID_INVEPT_INVVPID_OPERAND = 28,
};

/* ---------------------------------------------------------------------
 * EPT (SDM 29.3)
 * ------------------------------------------------------------------- */

/* Memory types (SDM 12.3, Table 12-2; EPT uses the same encodings) */
enum memtype {
	MEMTYPE_UC = 0,
	MEMTYPE_WC = 1,
	MEMTYPE_WT = 4,
	MEMTYPE_WP = 5,
	MEMTYPE_WB = 6,
	MEMTYPE_UC_MINUS = 7,   /* PAT only; reserved as an EPT leaf type */
};

/* EPT pointer (SDM 25.6.11, Table 25-9) */
#define EPTP_MEMTYPE_MASK               BITS(2, 0)
#define EPTP_WALK_LENGTH_SHIFT          3            /* walk length - 1 */
#define EPTP_WALK_LENGTH_MASK           BITS(5, 3)
#define EPTP_AD_ENABLE                  BIT(6)
#define EPTP_SSS_ENABLE                 BIT(7)       /* supervisor shadow stack */
#define EPTP_RESERVED_11_8              BITS(11, 8)
#define EPTP_ADDR_SHIFT                 12

/* EPT paging-structure entries (SDM 29.3.2, Tables 29-1..29-7) */
#define EPT_READ                        BIT(0)
#define EPT_WRITE                       BIT(1)
#define EPT_EXEC                        BIT(2)       /* supervisor-mode exec under MBEC */
#define EPT_RWX_MASK                    BITS(2, 0)
#define EPT_MEMTYPE_SHIFT               3            /* leaf only */
#define EPT_MEMTYPE_MASK                BITS(5, 3)
#define EPT_IGNORE_PAT                  BIT(6)       /* leaf only */
#define EPT_LARGE_PAGE                  BIT(7)       /* PDPTE, PDE: maps a 1G/2M page */
#define EPT_ACCESSED                    BIT(8)
#define EPT_DIRTY                       BIT(9)       /* leaf only */
#define EPT_USER_EXEC                   BIT(10)      /* mode-based execute control */
#define EPT_ADDR_SHIFT                  12
#define EPT_VERIFY_GUEST_PAGING         BIT(57)
#define EPT_PAGING_WRITE_ACCESS         BIT(58)
#define EPT_SUPERVISOR_SHADOW_STACK     BIT(60)
#define EPT_SUBPAGE_WRITE_PERM          BIT(61)
#define EPT_SUPPRESS_VE                 BIT(63)

/* EPT levels, numbered as the walk counts them: the leaf PTE is level 1 */
enum ept_level {
	EPT_LEVEL_PTE   = 1,
	EPT_LEVEL_PDE   = 2,
	EPT_LEVEL_PDPTE = 3,
	EPT_LEVEL_PML4E = 4,
	EPT_LEVEL_PML5E = 5,
};

/* Exit qualification for EPT violations (SDM 28.2.1, Table 28-7) */
#define EPT_QUAL_READ                   BIT(0)
#define EPT_QUAL_WRITE                  BIT(1)
#define EPT_QUAL_FETCH                  BIT(2)
#define EPT_QUAL_READABLE               BIT(3)
#define EPT_QUAL_WRITABLE               BIT(4)
#define EPT_QUAL_EXECUTABLE             BIT(5)
#define EPT_QUAL_USER_EXECUTABLE        BIT(6)
#define EPT_QUAL_GLA_VALID              BIT(7)
#define EPT_QUAL_TRANSLATED_ACCESS      BIT(8)
#define EPT_QUAL_USER_LINEAR            BIT(9)
#define EPT_QUAL_WRITABLE_LINEAR        BIT(10)
#define EPT_QUAL_XD_LINEAR              BIT(11)
#define EPT_QUAL_NMI_UNBLOCKING         BIT(12)
#define EPT_QUAL_SHADOW_STACK           BIT(13)
#define EPT_QUAL_SSS                    BIT(14)
#define EPT_QUAL_GUEST_PAGING_VERIFY    BIT(15)
#define EPT_QUAL_ASYNC                  BIT(16)

/* INVEPT and INVVPID types (SDM 31.3) */
enum invept_type {
	INVEPT_SINGLE_CONTEXT           = 1,
	INVEPT_ALL_CONTEXT              = 2,
};
enum invvpid_type {
	INVVPID_INDIVIDUAL_ADDR         = 0,
	INVVPID_SINGLE_CONTEXT          = 1,
	INVVPID_ALL_CONTEXT             = 2,
	INVVPID_SINGLE_CONTEXT_NONGLOBAL = 3,
};

/* Virtualization-exception information area (SDM 26.5.7.2, Table 26-1) */
struct ve_info {
	uint32_t exit_reason;
	uint32_t busy;          /* 0xffffffff while the area is in use */
	uint64_t exit_qualification;
	uint64_t gla;
	uint64_t gpa;
	uint16_t eptp_index;
} __attribute__((packed));

/* ---------------------------------------------------------------------
 * IA-32 paging (SDM 5), needed for guest page tables and the 2-D walk
 * ------------------------------------------------------------------- */
#define PTE_PRESENT                     BIT(0)
#define PTE_WRITE                       BIT(1)
#define PTE_USER                        BIT(2)
#define PTE_PWT                         BIT(3)
#define PTE_PCD                         BIT(4)
#define PTE_ACCESSED                    BIT(5)
#define PTE_DIRTY                       BIT(6)
#define PTE_PSE                         BIT(7)     /* large page in PDE/PDPTE */
#define PTE_PAT                         BIT(7)     /* PAT bit of a 4K PTE */
#define PTE_GLOBAL                      BIT(8)
#define PTE_LARGE_PAT                   BIT(12)    /* PAT bit of a 2M/1G/4M leaf */
#define PTE_NX                          BIT(63)

#define X86_CR0_PE                      BIT(0)
#define X86_CR0_MP                      BIT(1)
#define X86_CR0_EM                      BIT(2)
#define X86_CR0_TS                      BIT(3)
#define X86_CR0_ET                      BIT(4)
#define X86_CR0_NE                      BIT(5)
#define X86_CR0_WP                      BIT(16)
#define X86_CR0_AM                      BIT(18)
#define X86_CR0_NW                      BIT(29)
#define X86_CR0_CD                      BIT(30)
#define X86_CR0_PG                      BIT(31)

#define X86_CR4_VME                     BIT(0)
#define X86_CR4_PVI                     BIT(1)
#define X86_CR4_TSD                     BIT(2)
#define X86_CR4_DE                      BIT(3)
#define X86_CR4_PSE                     BIT(4)
#define X86_CR4_PAE                     BIT(5)
#define X86_CR4_MCE                     BIT(6)
#define X86_CR4_PGE                     BIT(7)
#define X86_CR4_PCE                     BIT(8)
#define X86_CR4_OSFXSR                  BIT(9)
#define X86_CR4_OSXMMEXCPT              BIT(10)
#define X86_CR4_UMIP                    BIT(11)
#define X86_CR4_LA57                    BIT(12)
#define X86_CR4_VMXE                    BIT(13)
#define X86_CR4_SMXE                    BIT(14)
#define X86_CR4_FSGSBASE                BIT(16)
#define X86_CR4_PCIDE                   BIT(17)
#define X86_CR4_OSXSAVE                 BIT(18)
#define X86_CR4_SMEP                    BIT(20)
#define X86_CR4_SMAP                    BIT(21)
#define X86_CR4_PKE                     BIT(22)
#define X86_CR4_CET                     BIT(23)

#define EFER_SCE                        BIT(0)
#define EFER_LME                        BIT(8)
#define EFER_LMA                        BIT(10)
#define EFER_NXE                        BIT(11)

/* ---- Additions for vmx_eptp / ept_invept (issue 5) ---------------------
 * Intel PT uses guest physical addresses needs these (SDM 26.2.1.1). */
#define ENTRY_LOAD_IA32_RTIT_CTL        BIT(18)     /* Table 25-15 */
#define EXIT_CLEAR_IA32_RTIT_CTL        BIT(25)     /* Table 25-13 */
#define VMCS_GUEST_IA32_RTIT_CTL        0x2814      /* B.2.3 */
/* ---- end of issue 5 additions ---------------------------------------- */

/* ---- CET supervisor shadow stacks (ept_sss) ---------------------------- */
#define MSR_IA32_S_CET                  0x6a2       /* Vol. 4 Table 2-2 */
#define CET_SH_STK_EN                   BIT(0)      /* IA32_S_CET: shadow stacks */
#define CET_WR_SHSTK_EN                 BIT(1)      /* IA32_S_CET: WRSS allowed */
#define CPUID_7_ECX_CET_SS              BIT(7)      /* CPUID.(EAX=7,ECX=0):ECX */
#define ENTRY_LOAD_CET_STATE            BIT(20)     /* Table 25-15 */
#define VMCS_GUEST_S_CET                0x6828      /* B.4.3 */
#define VMCS_GUEST_SSP                  0x682a
#define VMCS_GUEST_INTR_SSP_TABLE       0x682c
/* ---- end of CET additions --------------------------------------------- */

#endif
