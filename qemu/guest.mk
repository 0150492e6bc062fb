# qemu/guest.mk - build the guest-side test programs (tests/guest/*.c).
# Used by qemu/smoke.sh:  make -f qemu/guest.mk BUILD=build
# They link the userspace build of the core (build/libtmcore.a, made by the
# top-level Makefile) so that they can recompute the kernel's output.
BUILD   ?= build
CC      ?= gcc
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
GUEST_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -O2 -g -Iuapi -Icore
GUEST_SRC := $(wildcard tests/guest/*.c)
GUEST_BIN := $(patsubst tests/guest/%.c,$(BUILD)/guest/%,$(GUEST_SRC))

all: $(GUEST_BIN)

$(BUILD)/libtmcore.a: FORCE
	$(MAKE) --no-print-directory BUILD=$(BUILD) $@

$(BUILD)/guest/%: tests/guest/%.c $(BUILD)/libtmcore.a $(wildcard core/*.h) uapi/linux/tmnet.h
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ $< $(BUILD)/libtmcore.a -lm

FORCE:
.PHONY: all FORCE
