# Host unit tests of the EPT model (lib/x86/ept_model.c, paging_model.c).
#
#   make unit                 build and run (gcc); closing line "N passed, N failed"
#   make unit FLIP=1          every expectation inverted: passes only if every case fails
#   make unit UNIT_CC=clang   same with clang
#   make unit-model-check     compile the model freestanding + hosted, gcc and clang, -Werror
#   make -f unit/unit.mk unit works standalone.
#
# Everything is prefixed UNIT_ so that the top-level Makefile's CC/CFLAGS
# (kernel flags) never leak in.

# Keep the includer's default goal: this fragment defines no default.
UNIT_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

UNIT_CC      ?= gcc
UNIT_BUILD   ?= build/unit
UNIT_CFLAGS  ?= -O2 -g -std=gnu11 -Wall -Wextra -Werror
UNIT_MODEL   := $(MODEL_SRCS)
UNIT_HDRS    := $(MODEL_HDRS) $(wildcard unit/*.h)
UNIT_TESTS   := unit/main.c unit/test_ept_table.c unit/test_ept_misc.c unit/test_vmentry.c lib/x86/vmentry_model.c \
                unit/test_linear.c unit/test_props.c unit/test_inv_steps.c unit/test_pml.c \
                unit/test_ve.c unit/test_spp.c unit/test_ad.c
UNIT_FS_FLAGS := -O2 -std=gnu11 -Wall -Wextra -Werror -ffreestanding -fno-pic \
                 -mno-red-zone -mno-sse -mno-mmx -nostdinc

.PHONY: unit unit-flip unit-model-check unit-clean

unit: $(UNIT_BUILD)/unit_tests unit-model-check
	$(UNIT_BUILD)/unit_tests $(if $(filter-out 0,$(FLIP)),--flip)

unit-flip: $(UNIT_BUILD)/unit_tests
	$(UNIT_BUILD)/unit_tests --flip

$(UNIT_BUILD)/unit_tests: $(UNIT_MODEL) $(UNIT_TESTS) $(UNIT_HDRS)
	@mkdir -p $(UNIT_BUILD)
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $(UNIT_TESTS) $(UNIT_MODEL)

$(UNIT_BUILD)/bench_model: unit/bench_model.c $(UNIT_MODEL) $(UNIT_HDRS)
	@mkdir -p $(UNIT_BUILD)
	$(UNIT_CC) -O2 -std=gnu11 -Wall -Wextra -Werror -o $@ unit/bench_model.c $(UNIT_MODEL)

# The model must build warning-free freestanding and hosted under both
# compilers; one stamp per compiler and mode.
UNIT_CHECK_CCS ?= gcc clang
unit-model-check: $(UNIT_BUILD)/model-check.stamp

$(UNIT_BUILD)/model-check.stamp: $(UNIT_MODEL) $(UNIT_HDRS)
	@mkdir -p $(UNIT_BUILD)/check
	@set -e; for cc in $(UNIT_CHECK_CCS); do \
	  command -v $$cc >/dev/null || { echo "unit-model-check: $$cc missing, skipped"; continue; }; \
	  for f in $(UNIT_MODEL); do b=$$(basename $$f .c); \
	    $$cc $(UNIT_FS_FLAGS) -isystem $$($$cc -print-file-name=include) -c $$f -o $(UNIT_BUILD)/check/$$b.$$cc.fs.o; \
	    $$cc -O2 -std=gnu11 -Wall -Wextra -Werror -c $$f -o $(UNIT_BUILD)/check/$$b.$$cc.hosted.o; \
	  done; echo "  model builds freestanding+hosted with $$cc"; done
	@touch $@

unit-clean:
	rm -rf $(UNIT_BUILD)

.DEFAULT_GOAL := $(UNIT_SAVED_DEFAULT_GOAL)
