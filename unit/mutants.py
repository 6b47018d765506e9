#!/usr/bin/env python3
"""Mutation check: break one SDM rule of the model at a time (in a copy
under build/unit/mutants/) and require the unit tests to fail.
Complements FLIP (which shows every expectation can fail) by showing
every rule is pinned by some expectation.  Run: python3 unit/mutants.py"""
import os, shutil, subprocess, sys

M = [  # (file, literal, replacement, rule)
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
]

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
work = "build/unit/mutants"
tests = ["unit/main.c", "unit/test_ept_table.c", "unit/test_ept_misc.c",
         "unit/test_linear.c", "unit/test_props.c"]
survivors = 0
for i, (f, old, new, rule) in enumerate(M):
    d = f"{work}/{i}/lib/x86"
    shutil.rmtree(f"{work}/{i}", ignore_errors=True)
    shutil.copytree("lib/x86", d)
    shutil.copytree("unit", f"{work}/{i}/unit")
    src = open(f"{d}/{f}").read()
    if src.count(old) < 1:
        print(f"mutant {i} ({rule}): pattern not found"); survivors += 1; continue
    open(f"{d}/{f}", "w").write(src.replace(old, new, 1))
    exe = f"{work}/{i}/t"
    r = subprocess.run(["gcc", "-O1", "-std=gnu11", "-w", "-o", exe] +
                       [f"{work}/{i}/{t}" for t in tests] +
                       [f"{d}/ept_model.c", f"{d}/paging_model.c"], capture_output=True, text=True)
    if r.returncode:
        print(f"mutant {i} ({rule}): does not build\n{r.stderr}"); survivors += 1; continue
    r = subprocess.run([exe], capture_output=True, text=True)
    last = r.stdout.strip().splitlines()[-1]
    killed = r.returncode != 0
    survivors += not killed
    print(f"mutant {i:2} {'killed  ' if killed else 'SURVIVED'} {rule}: {last}")
print(f"{len(M) - survivors} of {len(M)} mutants killed")
sys.exit(1 if survivors else 0)
