#!/usr/bin/env python3
"""Mutation check: break one SDM rule of the model at a time (in a copy
under build/unit/mutants/) and require the unit tests to fail.
Complements FLIP (which shows every expectation can fail) by showing
every rule is pinned by some expectation.  Run: python3 unit/mutants.py
     python3 unit/mutants.py --fuzz[=RULE|INDEX] [--count=N] [--cpu=MODEL]
       plants one mutant (default "qual bit 4"), rebuilds the ept_fuzz kernel
       in build/mutant-fuzz/ and shows the fixed-seed fuzz pass failing on
       Bochs (exit 0 when killed, 1 when it survives)."""
import os, shutil, subprocess, sys

M = [  # (file, literal, replacement, rule); literal may be a list of (literal, replacement)
 ("ept_model.c", "if (rwx == EPT_WRITE)\n", "if (0)\n", "29.3.3.1 write-only"),
 ("ept_model.c", "if (rwx == (EPT_WRITE | EPT_EXEC))", "if (0)", "29.3.3.1 write/execute"),
 ("ept_model.c", "if (rwx == EPT_EXEC && !m->caps.exec_only)", "if (0)", "29.3.3.1 execute-only"),
 ("ept_model.c", "if (e & BITS(51, 12) & ~ept_phys_mask", "if (0 & e & BITS(51, 12) & ~ept_phys_mask", "51:N reserved"),
 ("ept_model.c", "if (e & BITS(7, 3))", "if (e & BITS(6, 3))", "PML4E bit 7"),
 ("ept_model.c", "return (e & BITS(6, 3)) ? EPT_MC_RSVD_NONLEAF_6_3", "return (e & BITS(5, 3)) ? EPT_MC_RSVD_NONLEAF_6_3", "PDPTE 6:3"),
 ("ept_model.c", "if (!m->caps.page_1g)", "if (0)", "1G capability"),
 ("ept_model.c", "if (!m->caps.page_2m)", "if (0)", "2M capability"),
 ("ept_model.c", "if (e & BITS(29, 12))", "if (e & BITS(28, 12))", "1G 29:12"),
 ("ept_model.c", "if (e & BITS(20, 12))", "if (e & BITS(19, 12))", "2M 20:12"),
 ("ept_model.c", "if (mt == 2 || mt == 3 || mt == 7)", "if (mt == 2 || mt == 3)", "memtype 7"),
 ("ept_model.c", "return (e & EPT_RWX_MASK) || (m->ctl.mbec && (e & EPT_USER_EXEC));", "return (e & EPT_RWX_MASK);", "MBEC presence"),
 ("ept_model.c", "n.w = n.dirty = ad;", "n.w = n.dirty = false;", "A/D: paging reads are writes"),
 ("ept_model.c", "if (m->ctl.mbec && a->user)", "if (m->ctl.mbec && !a->user)", "MBEC XU vs XS"),
 ("ept_model.c", "mask &= ~EPT_QUAL_READ;", ";", "RMW bit 0 mask"),
 ("ept_model.c", "q |= EPT_QUAL_WRITABLE;", ";", "qual bit 4"),
 ("ept_model.c", "q |= EPT_QUAL_TRANSLATED_ACCESS;", ";", "qual bit 8"),
 ("ept_model.c", "if (m->caps.adv_exit_info && translated)", "if (m->caps.adv_exit_info)", "bits 9-11 mask"),
 ("ept_model.c", "and_bits &= e;", "and_bits &= e | EPT_RWX_MASK;", "AND over the walk"),
 ("ept_model.c", "u->set_d = dirty && l == leaf_level;", "u->set_d = dirty;", "D only in leaf"),
 ("ept_model.c", "mask &= ~EPT_QUAL_NMI_UNBLOCKING;", ";", "bit 12 undefined"),
 ("ept_model.c", "(eptp & EPTP_SSS_ENABLE) && !caps->sss", "0", "EPTP bit 7"),
 ("ept_model.c", "if (desc_lo & BITS(63, 16))", "if (desc_lo & BITS(63, 32))", "INVVPID 63:16"),
 ("ept_model.c", "if (type != INVVPID_ALL_CONTEXT && (desc_lo & 0xffff) == 0)", "if ((desc_lo & 0xffff) == 0)", "VPID 0 all-context"),
 ("ept_model.c", "[WP] = { UC, WC, XX, XX, WT, WP, WP, WC },", "[WP] = { UC, WC, XX, XX, WT, WP, WP, UC },", "Table 12-7 WP/UC-"),
 ("paging_model.c", "r |= PTE_NX;", ";", "guest XD reserved w/o NXE"),
 ("paging_model.c", "if (xd_addr || (u_addr && (g->cr4 & X86_CR4_SMEP)))", "if (xd_addr)", "SMEP"),
 ("paging_model.c", "if (write && !rw_addr && (g->cr0 & X86_CR0_WP))", "if (write && !rw_addr)", "CR0.WP"),
 ("paging_model.c", "o->order_ambiguous = pending_ad_fails(m, la, &w, w.n);\n\t\t\treturn o->kind;", "return o->kind;", "A/D order ambiguity"),
 ("paging_model.c", "r = BITS(21, lo);", "r = 0;", "4M bit 21"),
 # issue 8: the seven points
 ("paging_model.c", "if (ept_model_access(m, &f, &fo) != EPT_OUTCOME_TRANSLATION)\n\t\t\t\tfails++;", ";", "1: A/D write vs failing final access"),
 ("ept_model.c", "o->misconfig.gpa_mask = a->kind == EPT_ACCESS_PDPTE_LOAD ?", "o->misconfig.gpa_mask = 0 ?", "3: PDPTE-load misconfig GPA 4:0"),
 ("ept_model.c", "if (!(m->eptp & EPTP_AD_ENABLE))\n\t\t\tmask &= ~EPT_QUAL_READ;", "mask &= ~EPT_QUAL_READ;", "4: A/D on, guest A/D update bit 0"),
 ("ept_model.c", "if (top == 4 && (a->gpa & BITS(51, 48)))", "if (0)", "5: 4-level GPA 51:48 unmodeled"),
 ("ept_model.c", "if (top == 4 && (a->gpa & BITS(51, 48)))", "if (top == 4 && (a->gpa & BITS(51, 49)))", "5: GPA bit 48"),
 ("ept_model.c", "\t\t\t\tif (f->no_current_vmcs)\n", "\t\t\t\tif (0)\n", "6: VMfailInvalid without a current VMCS"),
 ("ept_model.c", "if (f->unsupported)", "if (0)", "6: #UD when unsupported"),
 ("ept_model.c", [("{ EPT_INV_STEP_GP_CPL, \"gp-cpl\"", "{ EPT_INV_STEP_TYPE, \"gp-cpl\""),
                  ("{ EPT_INV_STEP_TYPE, \"type\"", "{ EPT_INV_STEP_GP_CPL, \"type\"")], None, "6: CPL before type"),
 ("ept_model.c", [("{ EPT_INV_STEP_UD_MODE, \"ud-mode\"", "{ EPT_INV_STEP_VMEXIT, \"ud-mode\""),
                  ("{ EPT_INV_STEP_VMEXIT, \"vmexit\"", "{ EPT_INV_STEP_UD_MODE, \"vmexit\"")], None, "6: #UD before VM exit"),
 ("ept_model.c", "return ept_phys_mask(m->caps.maxphyaddr) & ~((1ull << lo) - 1);", "return ept_phys_mask(46) & ~((1ull << lo) - 1);", "7: EPT address bits N-1:12"),
 ("paging_model.c", "r = BITS(51, M);", "r = BITS(51, 46);", "7: guest 4-level 51:M"),
 ("paging_model.c", "r = BITS(62, M);", "r = BITS(62, 40);", "7: guest PAE 62:M"),
 ("paging_model.c", "unsigned lo = 13 + (M < 40 ? M : 40) - 32;", "unsigned lo = 13 + 40 - 32;", "7: PSE-36 below 40 bits"),
 ("paging_model.c", "(BITS(2, 1) | BITS(8, 5) | BITS(63, M))", "(BITS(2, 1) | BITS(8, 5) | BITS(63, 52))", "7: PDPTE 63:M"),
 ("ept_model.c", "\tif (cr0_cd)\n\t\treturn UC;", ";", "CR0.CD: effective type UC"),
 ("ept_model.c", "return cr0_cd ? MEMTYPE_UC : (uint8_t)(eptp & EPTP_MEMTYPE_MASK);", "return (uint8_t)(eptp & EPTP_MEMTYPE_MASK);", "CR0.CD: EPT paging-structure type"),
 # issue 9: page-modification logging (SDM 29.3.6)
 ("pml_model.c", "s->st.index >= PML_ENTRIES) {", "s->st.index > PML_ENTRIES) {", "PML: index 512 is full"),
 ("pml_model.c", "if ((tr->ad[i].set_a && !(cur & EPT_ACCESSED)) ||\n\t\t    (tr->ad[i].set_d", "if ((0) ||\n\t\t    (tr->ad[i].set_d", "PML: an A update alone checks the index"),
 ("pml_model.c", "if (!need)\n\t\treturn true;", ";", "PML: no update, no index check"),
 ("pml_model.c", "l->value = a->gpa & ~0xfffull;", "l->value = a->gpa & ~0x1fffffull;", "PML: entry is the 4K-aligned GPA"),
 ("pml_model.c", "l->hpa = s->st.address + 8ull * s->st.index;", "l->hpa = s->st.address + 8ull * (s->st.index - 1);", "PML: entry at address + 8 x index"),
 ("pml_model.c", "s->st.index = (uint16_t)(s->st.index - 1);", ";", "PML: index decrement"),
 ("pml_model.c", "if (dirtied && s->st.enabled", "if (s->st.enabled", "PML: only D 0->1 logs"),
 ("pml_model.c", "\t\t\tv |= ov->bits[i];", "\t\t\t;", "PML: earlier accesses' flags seen"),
 ("pml_model.c", "po->qual_mask = EPT_QUAL_NMI_UNBLOCKING;", ";", "PML-full qual bit 12 defined"),
 ("pml_model.c", "po->full_may = true;", ";", "PML: stopped access with a full log"),
 ("pml_model.c", "if (o->kind == EPT_OUTCOME_TRANSLATION || o->kind == EPT_OUTCOME_GUEST_FAULT)", "if (o->kind == EPT_OUTCOME_TRANSLATION)", "PML: reads before a guest fault"),
 ("pml_model.c", "if (!enable_ept)", "if (0)", "PML entry: needs EPT"),
 ("pml_model.c", "if (addr & 0xfff)", "if (addr & 0x7ff)", "PML entry: bits 11:0"),
 ("pml_model.c", "if (addr & ~ept_phys_mask(caps->maxphyaddr))", "if (0)", "PML entry: width"),
 # INVEPT/INVVPID: the memory operand is read after the type check (31.3)
 ("ept_model.c", "\t\t\tif (f->desc_fault)\n\t\t\t\treturn out->result = EPT_INV_RES_GP;", "\t\t\t;", "31.3 descriptor read faults"),
 # issue 10: #VE, VMFUNC, SPP (ve_model.c, spp_model.c); MBEC and SSS rules of ept_model.c
 ("ept_model.c", "\t\tif (and_bits & EPT_USER_EXEC)\n\t\t\tq |= EPT_QUAL_USER_EXECUTABLE;", "\t\tif (0)\n\t\t\tq |= EPT_QUAL_USER_EXECUTABLE;", "MBEC qual bit 6 AND of bit 10"),
 ("ept_model.c", "\t} else {\n\t\tmask &= ~EPT_QUAL_USER_EXECUTABLE;", "\t} else {\n\t\t;", "qual bit 6 undefined without MBEC"),
 ("ept_model.c", "if (*leaf & EPT_SUPERVISOR_SHADOW_STACK)\n\t\t\tq |= EPT_QUAL_SSS;", "if (0)\n\t\t\tq |= EPT_QUAL_SSS;", "SSS qual bit 14 = leaf bit 60"),
 ("ept_model.c", "if ((m->eptp & EPTP_SSS_ENABLE) && leaf) {", "if (leaf) {", "qual bit 14 undefined without EPTP bit 7"),
 ("ept_model.c", "if (a->shadow_stack) {\n\t\tq |= EPT_QUAL_SHADOW_STACK;", "if (a->shadow_stack) {\n\t\t;", "qual bit 13 shadow-stack access"),
 # supervisor shadow-stack pages, EPTP bit 7 (29.3.3.2; ept_sss_applies/allowed)
 ("ept_model.c", "return (and_bits & EPT_READ) && (and_above & EPT_WRITE) &&", "return (and_above & EPT_WRITE) &&", "SSS: bit 0 in every entry"),
 ("ept_model.c", "return (and_bits & EPT_READ) && (and_above & EPT_WRITE) &&", "return (and_above & EPT_READ) && (and_above & EPT_WRITE) &&", "SSS: bit 0 in the leaf too"),
 ("ept_model.c", "return (and_bits & EPT_READ) && (and_above & EPT_WRITE) &&", "return (and_bits & EPT_READ) &&", "SSS: bit 1 above the leaf"),
 ("ept_model.c", "return (and_bits & EPT_READ) && (and_above & EPT_WRITE) &&", "return (and_bits & EPT_READ) && (and_bits & EPT_WRITE) &&", "SSS: the leaf's bit 1 does not matter"),
 ("ept_model.c", "\t       (leaf & EPT_SUPERVISOR_SHADOW_STACK);", "\t       1;", "SSS: bit 60 in the leaf"),
 ("ept_model.c", "\t\tand_above = and_bits;\n\t\tand_bits &= e;", "\t\tand_bits &= e;\n\t\tand_above = and_bits;", "SSS: the AND above excludes the leaf"),
 ("ept_model.c", "return (m->eptp & EPTP_SSS_ENABLE) && a->shadow_stack && !a->user_access;", "return a->shadow_stack && !a->user_access;", "SSS: only with EPTP bit 7"),
 ("ept_model.c", "return (m->eptp & EPTP_SSS_ENABLE) && a->shadow_stack && !a->user_access;", "return (m->eptp & EPTP_SSS_ENABLE) && a->shadow_stack;", "SSS: user shadow-stack accesses ordinary"),
 ("ept_model.c", "return (m->eptp & EPTP_SSS_ENABLE) && a->shadow_stack && !a->user_access;", "return (m->eptp & EPTP_SSS_ENABLE) && a->shadow_stack && !a->user;", "SSS: the access's mode, not the address's"),
 ("ept_model.c", "return (m->eptp & EPTP_SSS_ENABLE) && a->shadow_stack && !a->user_access;", "return (m->eptp & EPTP_SSS_ENABLE) && !a->user_access;", "SSS: shadow-stack accesses only"),
 ("ept_model.c", "if (!ept_sss_applies(m, a) &&\n\t\t    spp_write_eligible(", "if (\n\t\t    spp_write_eligible(", "SSS: SPP never decides"),
 ("paging_model.c", "bool ss_addr = !(leaf_e & PTE_WRITE) && (leaf_e & PTE_DIRTY) && rw_above;", "bool ss_addr = (leaf_e & PTE_DIRTY) && rw_above;", "Vol. 3A 4.6.1 shadow-stack page: R/W = 0"),
 ("paging_model.c", "bool ss_addr = !(leaf_e & PTE_WRITE) && (leaf_e & PTE_DIRTY) && rw_above;", "bool ss_addr = !(leaf_e & PTE_WRITE) && rw_above;", "Vol. 3A 4.6.1 shadow-stack page: D = 1"),
 ("paging_model.c", "bool ss_addr = !(leaf_e & PTE_WRITE) && (leaf_e & PTE_DIRTY) && rw_above;", "bool ss_addr = !(leaf_e & PTE_WRITE) && (leaf_e & PTE_DIRTY);", "Vol. 3A 4.6.1 shadow-stack page: R/W = 1 above"),
 ("paging_model.c", "if (!ss_addr || u_addr != la->user) {", "if (!ss_addr || (u_addr && !la->user)) {", "Vol. 3A 4.6.1 user shadow-stack access: user-mode address"),
 ("paging_model.c", "if (!ss_addr || u_addr != la->user) {", "if (!ss_addr || (!u_addr && la->user)) {", "Vol. 3A 4.6.1 supervisor shadow-stack access: supervisor-mode address"),
 ("paging_model.c", "(la->shadow_stack ? PFEC_SS : 0) |", "0 |", "Vol. 3A 4.7 #PF SS flag"),
 ("paging_model.c", "\ta->user_access = la->user;", "\ta->user_access = u_addr;", "shadow stack: the access's mode to EPT"),
 ("ve_model.c", "!v->ve_convertible || !c->cr0_pe", "!c->cr0_pe", "26.5.7.1 convertible"),
 ("ve_model.c", "|| !c->cr0_pe ||", "||", "26.5.7.1 CR0.PE"),
 ("ve_model.c", "|| c->event_delivery ||", "||", "26.5.7.1 event delivery"),
 ("ve_model.c", "|| c->busy != 0)", "|| c->busy == VE_BUSY)", "26.5.7.1 busy word all 0"),
 ("ve_model.c", "area->busy = VE_BUSY;", "area->busy = 0;", "Table 26-1 busy word"),
 ("ve_model.c", "area->gla_mask = v->gla_valid ? ~0ull : 0;", "area->gla_mask = ~0ull;", "Table 26-1 GLA undefined"),
 ("ve_model.c", "area->eptp_index = c->eptp_index;", "area->eptp_index = 0;", "Table 26-1 EPTP index"),
 ("ve_model.c", "| 20u;", "| 20u | INTR_INFO_ERROR_CODE_VALID;", "#VE no error code"),
 ("ve_model.c", "if (!f->enable_vmfunc) {", "if (0) {", "VMFUNC #UD"),
 ("ve_model.c", "if (!(f->vmfunc_controls & BIT((uint32_t)f->eax))) {", "if (0) {", "26.5.6 control bit"),
 ("ve_model.c", "if ((uint32_t)f->eax >= 64) {", "if (0) {", "VMFUNC #UD for EAX >= 64"),
 ("ve_model.c", "if ((uint32_t)f->eax >= 64) {", "if (f->eax >= 64) {", "VMFUNC EAX, not RAX"),
 ("ve_model.c", "if ((uint32_t)f->ecx >= VMFUNC_EPTP_LIST_ENTRIES) {", "if ((uint32_t)f->ecx > VMFUNC_EPTP_LIST_ENTRIES) {", "26.5.6.3 index 512"),
 ("ve_model.c", "if ((uint32_t)f->ecx >= VMFUNC_EPTP_LIST_ENTRIES) {", "if (f->ecx >= VMFUNC_EPTP_LIST_ENTRIES) {", "26.5.6.3 ECX, not RCX"),
 ("ve_model.c", "if (ept_eptp_check(caps, f->list_entry) != EPT_EPTP_OK) {", "if (0) {", "26.5.6.3 list entry checked"),
 ("ve_model.c", "if (f->ve_supported) {", "if (1) {", "26.5.6.3 index only with #VE"),
 ("ve_model.c", "return (addr & BITS(11, 0)) || (addr & ~ept_phys_mask(caps->maxphyaddr));", "return (addr & BITS(10, 0)) || (addr & ~ept_phys_mask(caps->maxphyaddr));", "26.2.1.1 bit 11"),
 ("ve_model.c", "return (addr & BITS(11, 0)) || (addr & ~ept_phys_mask(caps->maxphyaddr));", "return (addr & BITS(11, 0));", "26.2.1.1 63:N"),
 ("ve_model.c", "if ((f->proc2 & CPU2_EPT_VIOLATION_VE) && bad_page_addr(caps, f->ve_info_addr))", "if (bad_page_addr(caps, f->ve_info_addr))", "26.2.1.1 #VE address only with the control"),
 ("ve_model.c", "if (f->vmfunc_controls & ~f->vmfunc_allowed)", "if (0)", "26.2.1.1 VM-function controls"),
 ("ve_model.c", "if ((f->vmfunc_controls & VMFUNC_EPTP_SWITCHING) && bad_page_addr", "if (bad_page_addr", "26.2.1.1 list address only with EPTP switching"),
 ("spp_model.c", "return spp_ctl && linear_data_write && leaf_level == EPT_LEVEL_PTE &&", "return spp_ctl && linear_data_write &&", "29.3.4.1 4K only"),
 ("spp_model.c", "(leaf & EPT_SUBPAGE_WRITE_PERM) && (and_bits & EPT_READ) &&", "(and_bits & EPT_READ) &&", "29.3.4.1 bit 61"),
 ("spp_model.c", "(leaf & EPT_SUBPAGE_WRITE_PERM) && (and_bits & EPT_READ) &&", "(leaf & EPT_SUBPAGE_WRITE_PERM) &&", "29.3.4.1 readable"),
 ("spp_model.c", "return spp_ctl && linear_data_write &&", "return spp_ctl &&", "29.3.4.1 linear data writes"),
 ("spp_model.c", "if (!(e & SPP_VALID)) {", "if (0) {", "29.3.4.2 SPPT miss"),
 ("spp_model.c", "if (e & rsvd_nonleaf) {", "if (e & SPP_NONLEAF_RSVD_11_1) {", "29.3.4.2 non-leaf 63:N"),
 ("spp_model.c", "uint64_t rsvd_nonleaf = SPP_NONLEAF_RSVD_11_1 |", "uint64_t rsvd_nonleaf = BITS(10, 1) |", "29.3.4.2 non-leaf bit 11"),
 ("spp_model.c", "if (e & SPP_L1_RSVD_ODD) {", "if (0) {", "29.3.4.2 SPPL1E odd bits"),
 ("spp_model.c", "last = (unsigned)(((gpa & 0xfff) + size - 1) >> SPP_SUBPAGE_SHIFT);", "last = first;", "29.3.4 straddling writes"),
 ("spp_model.c", "if (!(e & SPP_WRITE_BIT(i)))", "if (!(e & BIT(i)))", "29.3.4.2 bit 2i"),
 ("spp_model.c", "w->qual = (r == SPP_MISS ? SPP_QUAL_MISS : 0) |", "w->qual = (r == SPP_MISCONFIG ? SPP_QUAL_MISS : 0) |", "28.2.1 SPP bit 11"),
 ("spp_model.c", "w->qual_mask = SPP_QUAL_MISS | (nmi_undefined ? 0 : SPP_QUAL_NMI_UNBLOCKING);", "w->qual_mask = SPP_QUAL_MISS | SPP_QUAL_NMI_UNBLOCKING;", "28.2.1 SPP bit 12 undefined"),
 ("spp_model.c", "if (spptp & BITS(11, 0))", "if (spptp & BITS(10, 0))", "26.2.1.1 SPPTP 11:0"),
 ("spp_model.c", "if (spptp & ~phys_mask(maxphyaddr))", "if (0)", "26.2.1.1 SPPTP 63:N"),
 ("ept_model.c", "				o->rules = EPT_RULE(SPP_DECIDES);\n				goto translated;", "				o->rules = EPT_RULE(SPP_DECIDES);\n				break;", "29.3.4 SPP-allowed write completes"),
 ("ept_model.c", "n.w && (a->kind == EPT_ACCESS_WRITE || a->kind == EPT_ACCESS_RMW) &&", "n.w &&", "29.3.4.1 A/D updates not eligible"),
 ("pml_model.c", "if (!ept_entry_present(&s->om, w[i].value) || (w[i].value & EPT_ACCESSED))", "if ((w[i].value & EPT_ACCESSED))", "stopped: a not-present entry is not used"),
 ("pml_model.c", "if (!ept_entry_present(&s->om, w[i].value) || (w[i].value & EPT_ACCESSED))", "if (!ept_entry_present(&s->om, w[i].value))", "stopped: A already set is not may"),
 ("pml_model.c", "if (po->nr_may && s->st.enabled", "if (s->st.enabled", "PML: stopped access with no A to set"),
 ("ept_model.c", "\t\t    ept_entry_misconfig(m, w->value, l) != EPT_MC_NONE || is_leaf(w->value, l))", "\t\t    is_leaf(w->value, l))", "walk entries end at a misconfiguration"),
 ("paging_model.c", "if (e->kind == EPT_ACCESS_PAGING_AD)\n\t\t\tcontinue;", ";", "2-D refs: guest A/D writes are not references"),
 ("paging_model.c", "if (e->kind == EPT_ACCESS_PAGING && n < EPT_REFS_MAX &&", "if (n < EPT_REFS_MAX &&", "2-D refs: the data access is not counted"),
 ("paging_model.c", "ept_model_access(m, &a, &o) == EPT_OUTCOME_TRANSLATION) {", "1) {", "2-D refs: a stopped read reads no guest entry"),
 # issue 9: EPT and guest A/D flags of every walk (ad_model.c, unit/test_ad.c)
 ("ad_model.c", "\tif (!ept_ad_on(m))\n\t\treturn f;", "\tif (0)\n\t\treturn f;", "29.3.5 EPTP bit 6 = 0: no EPT flag"),
 ("ad_model.c", "f.a = strongest(f.a, ordered ? AD_SET : AD_MAY);", "f.a = strongest(f.a, AD_MAY);", "29.3.5 references before a stop: A set"),
 ("ad_model.c", "f.d = strongest(f.d, ordered ? AD_SET : AD_MAY);", "f.d = strongest(f.d, AD_CLEAR);", "29.3.5 references before a stop: D set (paging reads are writes)"),
 ("ad_model.c", "f.a = strongest(f.a, AD_MAY);", "f.a = strongest(f.a, AD_SET);", "29.3.5 the stopped access's walk: A may"),
 ("ad_model.c", "bool present = k + 1 < n || complete;", "bool present = true;", "29.3.2 a not-present entry is not used"),
 ("ad_model.c", "f.d = leaf && write ? AD_SET : AD_CLEAR;", "f.d = leaf ? AD_SET : AD_CLEAR;", "Vol. 3A 4.8 guest D on writes only"),
 ("ad_model.c", "if (read && (before & 1))\n\t\t\tf.a = AD_MAY;", "if (read && (before & 1))\n\t\t\tf.a = AD_SET;", "Vol. 3A 4.8 guest A before a stop: may"),
 ("ad_model.c", "if (before & GUEST_D)\n\t\tf.d = AD_SET;", "if (0)\n\t\tf.d = AD_SET;", "Vol. 3A 4.8 sticky guest D"),
]

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)


def plant(f, old, new, src):
    """@src with the mutation applied, or None when its pattern is missing."""
    pairs = old if isinstance(old, list) else [(old, new)]
    if any(src.count(o) < 1 for o, _ in pairs):
        return None
    for o, n in pairs:
        src = src.replace(o, n, 1)
    return src


def fuzz_mode(args):
    """--fuzz[=RULE-OR-INDEX] [--count N] [--cpu MODEL]: plant one mutant in a
    copy of the tree (build/mutant-fuzz/), rebuild the ept_fuzz kernel there
    and run the fixed-seed fuzz pass (section ept_fuzz_1, seeds 1..N) on
    Bochs; the mutant must make it fail (exit 1 when it survives)."""
    sel, count, cpu = "qual bit 4", 1000, "corei7_skylake_x"
    for a in args:
        if a.startswith("--fuzz="):
            sel = a.split("=", 1)[1]
        elif a.startswith("--count="):
            count = int(a.split("=", 1)[1])
        elif a.startswith("--cpu="):
            cpu = a.split("=", 1)[1]
        elif a != "--fuzz":
            print(f"mutants.py: unknown argument {a}", file=sys.stderr); sys.exit(2)
    idx = int(sel) if sel.isdigit() else next((i for i, m in enumerate(M) if m[3] == sel), None)
    if idx is None or idx >= len(M):
        print(f"mutants.py: no mutant {sel!r}", file=sys.stderr); sys.exit(2)
    f, old, new, rule = M[idx]
    d = "build/mutant-fuzz"
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for x in ["lib", "x86", "scripts", "unit", "tools"]:
        shutil.copytree(x, f"{d}/{x}")
    for x in ["Makefile", "configure", "config.mak", "run_tests.sh", "unittests.cfg"]:
        if os.path.exists(x):
            shutil.copy(x, f"{d}/{x}")
    src = plant(f, old, new, open(f"{d}/lib/x86/{f}").read())
    if src is None:
        print(f"mutant {idx} ({rule}): pattern not found"); sys.exit(1)
    open(f"{d}/lib/x86/{f}", "w").write(src)
    print(f"mutant {idx} ({rule}) planted in {d}/lib/x86/{f}; building the fuzz kernel")
    # a mutant may leave an empty if-body: no -Werror for it
    r = subprocess.run(["make", "-C", d, "-j2", "EXTRA_CFLAGS=-w", "build/x86/ept/ept_fuzz.elf"], capture_output=True, text=True)
    if r.returncode:
        print(r.stdout[-2000:], r.stderr[-2000:]); sys.exit(1)
    section = "ept_fuzz_1" if cpu == "corei7_icelake_u" else f"ept_fuzz_1@{cpu}"
    print(f"running the fixed-seed fuzz pass: {section}, seeds 1..{count}, on Bochs")
    r = subprocess.run(["./run_tests.sh", "-b", "bochs", "--kernel-args", f"seed=1 count={count}", section],
                       cwd=d, capture_output=True, text=True)
    lines = r.stdout.splitlines()
    log = open(f"{d}/logs/{section}.log", errors="replace").read().splitlines()
    import re
    seeds = [m.group(1) for m in (re.match(r"# fuzz: seed (\d+) failed", l) for l in log) if m]
    for l in lines[:6]:
        print("  " + l)
    print(f"  ... {lines[-1] if lines else ''}")
    if seeds:   # the first failure's minimised reproduction
        start = next((i for i, l in enumerate(log) if l.startswith(f"# fuzz: seed {seeds[0]}:")), None)
        if start is not None:
            for l in log[start:]:
                print("  " + l)
                if l.startswith("# fuzz: replay"):
                    break
    if r.returncode == 1 and seeds:
        print(f"mutant {idx} ({rule}): killed by the fuzz pass: {len(seeds)} failing cases, first seeds "
              + " ".join(seeds[:5]))
        sys.exit(0)
    print(f"mutant {idx} ({rule}): SURVIVED the fuzz pass (runner exit {r.returncode})")
    sys.exit(1)


if any(a.startswith("--fuzz") for a in sys.argv[1:]):
    fuzz_mode(sys.argv[1:])

work = "build/unit/mutants"
import glob
tests = ["unit/main.c"] + sorted(glob.glob("unit/test_*.c"))
models = sorted(os.path.basename(f) for f in glob.glob("lib/x86/*_model.c"))
survivors = 0
for i, (f, old, new, rule) in enumerate(M):
    d = f"{work}/{i}/lib/x86"
    shutil.rmtree(f"{work}/{i}", ignore_errors=True)
    shutil.copytree("lib/x86", d)
    shutil.copytree("unit", f"{work}/{i}/unit")
    src = plant(f, old, new, open(f"{d}/{f}").read())
    if src is None:
        print(f"mutant {i} ({rule}): pattern not found"); survivors += 1; continue
    open(f"{d}/{f}", "w").write(src)
    exe = f"{work}/{i}/t"
    r = subprocess.run(["gcc", "-O1", "-std=gnu11", "-w", "-o", exe] +
                       [f"{work}/{i}/{t}" for t in tests] +
                       [f"{d}/{mf}" for mf in models], capture_output=True, text=True)
    if r.returncode:
        print(f"mutant {i} ({rule}): does not build\n{r.stderr}"); survivors += 1; continue
    r = subprocess.run([exe], capture_output=True, text=True)
    last = r.stdout.strip().splitlines()[-1]
    killed = r.returncode != 0
    survivors += not killed
    print(f"mutant {i:2} {'killed  ' if killed else 'SURVIVED'} {rule}: {last}")
print(f"{len(M) - survivors} of {len(M)} mutants killed")
sys.exit(1 if survivors else 0)
