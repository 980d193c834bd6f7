# The two commands: `make run` and `make test`. Both install what they need.
PRESET ?= release
BUILD  := build/$(PRESET)
BIN    := $(BUILD)/backaid

.PHONY: all deps build run test test-asan test-tsan test-fuzz fuzz bench lint format clean deb deb-test ratchet

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja: | deps
	cmake --preset $(PRESET)

build: deps $(BUILD)/build.ninja
	cmake --build --preset $(PRESET)

run: build
	$(BIN) serve --web $(BUILD)/web

test: build
	ctest --preset $(PRESET) -j2
	$(MAKE) --no-print-directory test-asan
	$(MAKE) --no-print-directory test-tsan
	$(MAKE) --no-print-directory test-fuzz

# Unit and vignette tests again under AddressSanitizer and UBSan.
test-asan: deps
	@[ -f build/asan-ubsan/build.ninja ] || cmake --preset asan-ubsan
	cmake --build --preset asan-ubsan
	ctest --preset asan-ubsan -j2

# The server, API and storage tests again under ThreadSanitizer (the
# binary, its modules and the two test programs; the test preset's filter).
test-tsan: deps
	@[ -f build/tsan/build.ninja ] || cmake --preset tsan
	cmake --build --preset tsan
	ctest --preset tsan -j2

# libFuzzer targets (fuzz/, clang-14): each runs FUZZ_SECONDS from its seed
# corpus, two at a time; a crash fails the run and leaves its input in
# build/fuzz/artifacts/. `make test` (and so CI) runs each for 30 s: seven
# targets two at a time, about 120 s of fuzzing after the clang build;
# `make fuzz` runs each for FUZZ_LONG (600 s). See SAFETY.md HAZ-011.
FUZZ_SECONDS ?= 30
test-fuzz: deps
	@[ -f build/fuzz/build.ninja ] || cmake --preset fuzz
	cmake -DBACKAID_FUZZ_SECONDS=$(FUZZ_SECONDS) build/fuzz >/dev/null
	cmake --build --preset fuzz
	ctest --preset fuzz -j2

FUZZ_LONG ?= 600
fuzz:
	$(MAKE) --no-print-directory test-fuzz FUZZ_SECONDS=$(FUZZ_LONG)

# The Debian package: build/release/backaid_<version>_amd64.deb (CPack).
deb: build
	cd $(BUILD) && cpack -G DEB

# Installs that package into a brand-new bookworm root and runs it there
# (tests/deb/deb_test.sh; needs root and debootstrap).
deb-test: deb
	tests/deb/deb_test.sh $$(ls -t $(BUILD)/backaid_*_amd64.deb | head -n1)

bench: build
	bench/run.sh $(BUILD)

# Records both validation protocols' figures on every case set in
# knowledge/vignettes/ratchet.json (after a reviewed change; see SAFETY.md).
ratchet: build
	python3 scripts/ratchet.py $(BIN) knowledge/vignettes/ratchet.json --update \
	  own=knowledge/vignettes/own.jsonl public=../shared/vignettes/public.jsonl \
	  external_msk=knowledge/vignettes/external/msk.jsonl \
	  external_serious=knowledge/vignettes/external/serious.jsonl \
	  external_selfcare=knowledge/vignettes/external/selfcare.jsonl

lint: build
	$(BIN) kb lint

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf build
