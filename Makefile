# The two commands: `make run` and `make test`. Both install what they need.
PRESET ?= release
BUILD  := build/$(PRESET)
BIN    := $(BUILD)/backaid

.PHONY: all deps build run test test-asan bench lint format clean deb deb-test ratchet

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

# Unit and vignette tests again under AddressSanitizer and UBSan.
test-asan: deps
	@[ -f build/asan-ubsan/build.ninja ] || cmake --preset asan-ubsan
	cmake --build --preset asan-ubsan
	ctest --preset asan-ubsan -j2

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
	  external_serious=knowledge/vignettes/external/serious.jsonl

lint: build
	$(BIN) kb lint

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf build
