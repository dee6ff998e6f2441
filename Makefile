# TissueTransport: the two set-up commands are `make run` and `make test`.
# Both install the system packages they need (Debian/Ubuntu, via apt-get) if missing.

SWIFT        ?= swift
APT_PACKAGES := libhdf5-dev hdf5-tools libopenblas-dev liblapacke-dev libsuitesparse-dev zlib1g-dev libsundials-dev pkg-config
RELEASE_BIN  := .build/release/tissue
VENV         := .venv
PYTHON       := $(VENV)/bin/python

.PHONY: run test deps python-deps build release bench clean test-slurm kill-test

## Install missing system packages (needs root or sudo).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

## A private Python venv with h5py + numpy, used by the tests that read outputs from Python.
python-deps:
	@if ! $(PYTHON) -c "import h5py, numpy" >/dev/null 2>&1; then \
	  (python3 -m venv $(VENV) && $(PYTHON) -m pip install -q --disable-pip-version-check h5py numpy) \
	    || echo "warning: could not set up $(VENV) with h5py; the tests that read our files from Python will fail"; \
	fi

release: deps
	$(SWIFT) build -c release --product tissue

## Main job: solve the shipped brain example, print where the output went and a summary.
run: release
	$(RELEASE_BIN) run examples/brain.toml --overwrite
	@echo "inspect it with: $(RELEASE_BIN) inspect results/brain.h5"

## Tests (release build with testing enabled: numerical tests are much faster than in debug).
test: deps python-deps
	TISSUE_PYTHON=$(abspath $(PYTHON)) $(SWIFT) test -c release -Xswiftc -enable-testing

## Benchmark against the NumPy/SciPy peer (installs its own venv under bench/).
bench: deps
	bash bench/upscaled.sh

## Unit-cell DNS per realisation (flow included) against the SciPy/SuperLU prototype, N = 60 per
## tile (RESOLUTIONS="60 120" adds N = 120); installs its own venv under bench/. See bench/README.md.
.PHONY: bench-dns
bench-dns: deps
	bash bench/dns.sh

## Real one-node Slurm (installs slurm + munge if missing; needs root): 4-task job array of
## examples/slurm/unitcell-array.sbatch, merged, checked bit-identical to a one-process run.
test-slurm: release
	bash scripts/slurm-test.sh

## SIGKILL a campaign, a training and a transient run 17 times each; check files and bit-identical resume.
kill-test: release
	bash scripts/kill-test.sh

clean:
	rm -rf .build results

## Fuzzing (issue 8): builds the libFuzzer targets of Fuzz/ and runs each in turn (see Fuzz/README.md).
FUZZ_ARGS ?= --runs 1000000
.PHONY: fuzz
fuzz: deps
	bash scripts/fuzz.sh $(FUZZ_ARGS)
