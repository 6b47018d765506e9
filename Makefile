# eptest: see README.md.  `make run` and `make check` are the two entry points.
-include config.mak

ifeq ($(origin CC),default)
CC := gcc
endif
LD ?= ld
OBJCOPY ?= objcopy
BUILD ?= build
# `make V=1` shows the commands
Q := $(if $(V),,@)
E := $(if $(V),@:,@echo)

# Freestanding x86-64, no SSE (the kernels never save vector state), no
# red zone (exception frames land on the interrupted stack).
KERNEL_CFLAGS := -std=gnu11 -O2 -g -m64 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-common -fno-asynchronous-unwind-tables \
	-mno-red-zone -mno-sse -mno-sse2 -mno-mmx -mno-avx -mcmodel=small \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
	-Ilib $(EXTRA_CFLAGS)
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack \
	--no-warn-rwx-segments -T lib/x86/kernel.ld

# The pure reference model: linked into every kernel (through lib/x86) and
# into the host unit tests and tools (unit/unit.mk, tools/host.mk).
MODEL_SRCS := lib/x86/ept_model.c lib/x86/paging_model.c lib/x86/pml_model.c \
	lib/x86/spp_model.c lib/x86/ve_model.c lib/x86/ad_model.c
MODEL_HDRS := $(MODEL_SRCS:.c=.h) lib/x86/vmx_arch.h

LIB_SRCS := $(wildcard lib/*.c) $(filter-out lib/x86/cstart64.S,$(wildcard lib/x86/*.c lib/x86/*.S))
LIB_OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(LIB_SRCS))) $(BUILD)/lib/deviations.o
CSTART := $(BUILD)/lib/x86/cstart64.o
LIBA := $(BUILD)/libeptest.a

SUITE_SRCS := $(wildcard x86/vmx/*.c x86/ept/*.c)
SELFTEST_SRCS := $(wildcard x86/selftest/*.c)
KERNELS := $(patsubst %.c,$(BUILD)/%.elf,$(SUITE_SRCS) $(SELFTEST_SRCS)) \
	$(BUILD)/x86/eptest-all.elf $(BUILD)/x86/selftest-all.elf

.SECONDARY:
.PHONY: all kernels iso run check check-clang deps clean distclean help
all: kernels
kernels: $(KERNELS) $(BUILD)/x86/tests.idx

help:
	@echo "make           build every test kernel to $(BUILD)/x86/<dir>/<name>.elf"
	@echo "make iso       build $(BUILD)/eptest.iso (BIOS + UEFI)"
	@echo "make unit      host unit tests of the EPT reference model"
	@echo "make run       install packages, configure, build, run the suite"
	@echo "make check     install packages and run all of the project's own tests"
	@echo "make bench     scripts/bench"
	@echo "make clean     remove $(BUILD) and logs"

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(E) "  CC      $@"
	$(Q)$(CC) $(KERNEL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	$(E) "  CC      $@"
	$(Q)$(CC) $(KERNEL_CFLAGS) -MMD -MP -c -o $@ $<

# Known-deviation lists are compiled into every kernel (docs/CONTRACT.md).
$(BUILD)/lib/deviations.c: scripts/gen-deviations.sh lib/x86/outcome.h $(wildcard scripts/deviations/*.txt)
	@mkdir -p $(dir $@)
	scripts/gen-deviations.sh scripts/deviations/*.txt > $@.tmp && mv $@.tmp $@

$(BUILD)/lib/deviations.o: $(BUILD)/lib/deviations.c
	$(E) "  CC      $@"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@rm -f $@
	$(E) "  AR      $@"
	$(Q)$(AR) rcs $@ $^

# Multiboot loaders take ELF32 only: link 64-bit, then re-wrap as ELF32.
define link_kernel
	$(E) "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@.64 $(CSTART) $(1) $(LIBA)
	$(Q)$(OBJCOPY) -O elf32-i386 $@.64 $@
endef

$(BUILD)/x86/%.elf: $(BUILD)/x86/%.o $(CSTART) $(LIBA) lib/x86/kernel.ld
	$(call link_kernel,$<)

$(BUILD)/x86/eptest-all.elf: $(patsubst %.c,$(BUILD)/%.o,$(SUITE_SRCS)) $(CSTART) $(LIBA) lib/x86/kernel.ld
	$(call link_kernel,$(filter %.o,$(filter-out $(CSTART),$^)))

# The runner batches tests into boots of the all-kernels (docs/CONTRACT.md).
$(BUILD)/x86/selftest-all.elf: $(patsubst %.c,$(BUILD)/%.o,$(SELFTEST_SRCS)) $(CSTART) $(LIBA) lib/x86/kernel.ld
	$(call link_kernel,$(filter %.o,$(filter-out $(CSTART),$^)))

$(BUILD)/x86/tests.idx: $(SUITE_SRCS) $(SELFTEST_SRCS) lib/test.h scripts/gen-test-index.sh
	@mkdir -p $(dir $@)
	$(E) "  GEN     $@"
	$(Q)CPP="$(CC) $(KERNEL_CFLAGS) -E" scripts/gen-test-index.sh x86/eptest-all.elf $(SUITE_SRCS) > $@.tmp
	$(Q)CPP="$(CC) $(KERNEL_CFLAGS) -E" scripts/gen-test-index.sh x86/selftest-all.elf $(SELFTEST_SRCS) >> $@.tmp
	$(Q)mv $@.tmp $@

# The Bochs backend's loader (an option ROM; scripts/backends/bochs.sh).
kernels: $(BUILD)/bochs/optrom.bin
$(BUILD)/bochs/optrom.bin: scripts/backends/bochs-optrom.S
	@mkdir -p $(dir $@)
	$(E) "  ROM     $@"
	$(Q)$(CC) -m32 -ffreestanding -nostdinc -c -o $@.o $<
	$(Q)$(LD) -m elf_i386 -Ttext=0xd0000 --oformat binary -o $@ $@.o

# The Bochs backend's filter of Bochs' stdout (console=e9; a host program).
kernels: $(BUILD)/bochs/e9filter
$(BUILD)/bochs/e9filter: scripts/backends/bochs-e9.c
	@mkdir -p $(dir $@)
	$(E) "  HOSTCC  $@"
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $<

iso: $(BUILD)/eptest.iso
$(BUILD)/eptest.iso: $(KERNELS) unittests.cfg scripts/mkiso.sh
	scripts/mkiso.sh $@

deps:
	scripts/install-deps.sh

# The same kernels must build warning-free with clang.
check-clang:
	$(MAKE) BUILD=$(BUILD)/clang CC=clang kernels

run: deps
	@test -f config.mak || ./configure
	$(MAKE) kernels
	./run_tests.sh

# make check's shuffled pass: a new order every day, replayable with
# make check CHECK_SEED=N
CHECK_SEED ?= $(shell date +%Y%m%d)

check: deps
	@test -f config.mak || ./configure
	$(MAKE) unit
	$(MAKE) eptmodel-test
	$(MAKE) kernels
	$(MAKE) check-clang
	$(MAKE) iso
	@mkdir -p logs
	@# One shuffled normal pass (seeded from the date) and one ordered flip
	@# pass: flipcheck compares their ids, shufflecheck their results
	@# (the flip pass prints each check's unperturbed verdict).
	@rc=0; ./run_tests.sh -b bochs -t --kernel-args "shuffle=$(CHECK_SEED)" \
		--logdir logs/check-bochs >logs/check-bochs.tap || rc=$$?; \
	grep -E '^not ok' logs/check-bochs.tap | grep -v '# TODO' | head -50; \
	tail -n 3 logs/check-bochs.tap; exit $$rc
	@# The fuzzer's fixed-seed and date-seeded passes (group fuzz, not in
	@# the default selection): 5,200 cases per Bochs model, fail=0.
	@rc=0; ./run_tests.sh -b bochs -t -g fuzz --logdir logs/check-fuzz >logs/check-fuzz.tap || rc=$$?; \
	grep -E '^not ok' logs/check-fuzz.tap | grep -v '# TODO' | head -50; \
	tail -n 1 logs/check-fuzz.tap; exit $$rc
	scripts/deviation-stale auto logs/check-bochs/*.log logs/check-fuzz/*.log
	./run_tests.sh -b tcg -t --logdir logs/check-tcg
	EPTEST_REFERENCE_TAP=logs/check-bochs.tap EPTEST_FLIPPED_TAP_OUT=logs/check-bochs-flip.tap \
		scripts/flipcheck -b bochs
	EPTEST_REFERENCE_TAP=logs/check-bochs-flip.tap EPTEST_SHUFFLED_TAP=logs/check-bochs.tap \
		scripts/shufflecheck -s $(CHECK_SEED)
	@# every fuzz case fails under flip too (100 cases a section here)
	EPTEST_KERNEL_ARGS=count=100 scripts/flipcheck -b bochs -g fuzz
	scripts/selftest-runner.sh
	scripts/check-report
	scripts/iso-smoke.sh

bench:
	scripts/bench

clean:
	rm -rf $(BUILD) logs

distclean: clean
	rm -f config.mak

-include unit/unit.mk
-include tools/host.mk
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
