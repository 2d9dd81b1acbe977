# Thin wrapper around CMake; the README's two set-up commands use it.
#   make          release build into build/
#   make demo     release build, then the main job (a real sweep on this machine)
#   make test     -Werror + ASan/UBSan build (asserts on) into build-test/, then ctest
#   make bench    release build, then the benchmarks in tests/bench/ (needs
#                 deploy/install-deps.sh --with-reference)
#   make install  release build, then installs bin/lrsweep, its man page and
#                 share/doc/lrsweep under PREFIX (default /usr/local), staged
#                 under DESTDIR when that is set (packaging)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all build demo test bench install clean

all: build

build:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build -j $(JOBS)

demo: build
	bash examples/demo.sh build/lrsweep

test:
	cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g" \
	      -DLRS_WERROR=ON -DLRS_SANITIZE=ON >/dev/null
	cmake --build build-test -j $(JOBS)
	cd build-test && ctest --output-on-failure -j $(JOBS)

bench: build
	for b in tests/bench/bench_*.sh; do bash "$$b" build/lrsweep || exit 1; done

install: build
	DESTDIR="$(DESTDIR)" cmake --install build --prefix "$(PREFIX)"

clean:
	rm -rf build build-test
