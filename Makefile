# The two commands: `make run` and `make test`. Both install what they need.
PRESET ?= release
BUILD  := build/$(PRESET)
BIN    := $(BUILD)/backaid

.PHONY: all deps build run test test-asan bench lint format clean

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

lint: build
	$(BIN) kb lint

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf build
