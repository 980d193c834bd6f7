# The two commands: `make run` and `make test`. Both install what they need.
PRESET ?= release
BUILD  := build/$(PRESET)
BIN    := $(BUILD)/backaid

.PHONY: all deps build run test test-asan bench lint format clean ratchet

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
