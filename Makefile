# memsim: `make run` sets up, builds and runs the reference job;
# `make test` builds and runs every test.  Both install missing Debian
# packages first (scripts/setup.sh, sudo when not root).

BUILD   ?= build
DB      ?= results.db
MEMSIM  := $(BUILD)/memsim
SAN     := $(BUILD)-san
SCENARIOS := scenarios/fits_in_ram.lua scenarios/swap_storm.lua \
	     scenarios/swap_full.lua
REFERENCE := scenarios/swapmeta_reserve.lua

.PHONY: all setup build san run test test-cluster clean

all: build

setup:
	@sh scripts/setup.sh

$(BUILD)/build.ninja: meson.build
	@if [ -d $(BUILD) ]; then meson setup --reconfigure $(BUILD) >/dev/null; \
	 else meson setup $(BUILD) >/dev/null; fi

build: setup $(BUILD)/build.ninja
	@ninja -C $(BUILD) >/dev/null || ninja -C $(BUILD)

# The shipped scenarios, then the reference sweep over N and its report.
run: build
	@for s in $(SCENARIOS); do $(MEMSIM) run $$s --db $(DB) || exit $$?; done
	@$(MEMSIM) sweep $(REFERENCE) --db $(DB)
	@$(MEMSIM) report --db $(DB) --scenario swapmeta_reserve

# The same sources with AddressSanitizer and UndefinedBehaviorSanitizer,
# whose unit tests tests/run.sh runs too.
$(SAN)/build.ninja: meson.build meson_options.txt
	@if [ -d $(SAN) ]; then meson setup --reconfigure $(SAN) >/dev/null; \
	 else meson setup $(SAN) -Db_sanitize=address,undefined >/dev/null; fi

san: setup $(SAN)/build.ninja
	@ninja -C $(SAN) >/dev/null || ninja -C $(SAN)

test: build san
	@sh tests/run.sh $(BUILD)

# The sharded sweep of docs/cluster.md on a one-node Slurm and on GNU
# parallel, both on this machine (tests/cluster.sh; it installs
# slurm-wlm, munge and parallel).  CLUSTER_SEEDS=1..2 for a shorter run.
test-cluster: build
	@MEMSIM=$(MEMSIM) sh tests/cluster.sh

clean:
	rm -rf $(BUILD) $(SAN)
