# Host tools built from the pure model (included by the top-level Makefile).
#
#   make                      also builds $(BUILD)/host/eptmodel
#   make eptmodel-test        tools/test-eptmodel.sh against it (run by make check)
#
# HOST_ prefixed so that the kernel CC/CFLAGS never leak in.

HOST_CC     ?= gcc
HOST_CFLAGS ?= -O2 -g -std=gnu11 -Wall -Wextra -Werror
HOST_MODEL  := $(MODEL_SRCS)
HOST_HDRS   := $(MODEL_HDRS)
EPTMODEL    := $(BUILD)/host/eptmodel

.PHONY: eptmodel eptmodel-test
all: $(EPTMODEL)
eptmodel: $(EPTMODEL)

$(EPTMODEL): tools/eptmodel.c $(HOST_MODEL) $(HOST_HDRS)
	@mkdir -p $(dir $@)
	$(E) "  HOSTCC  $@"
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ tools/eptmodel.c $(HOST_MODEL)

eptmodel-test: $(EPTMODEL)
	tools/test-eptmodel.sh $(EPTMODEL)
