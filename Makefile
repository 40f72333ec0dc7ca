# memsim: `make run` sets up, builds and runs the reference job;
# `make test` builds and runs every test.  Both install missing Debian
# packages first (scripts/setup.sh, sudo when not root).

BUILD   ?= build
DB      ?= results.db
MEMSIM  := $(BUILD)/memsim
SCENARIOS := scenarios/fits_in_ram.lua scenarios/swap_storm.lua \
	     scenarios/swap_full.lua

.PHONY: all setup build run test clean

all: build

setup:
	@sh scripts/setup.sh

$(BUILD)/build.ninja: meson.build
	@if [ -d $(BUILD) ]; then meson setup --reconfigure $(BUILD) >/dev/null; \
	 else meson setup $(BUILD) >/dev/null; fi

build: setup $(BUILD)/build.ninja
	@ninja -C $(BUILD) >/dev/null || ninja -C $(BUILD)

run: build
	@for s in $(SCENARIOS); do $(MEMSIM) run $$s --db $(DB) || exit $$?; done

test: build
	@sh tests/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD)-san
