#!/bin/sh
# Rebuilds every guest module in wasm-modules/ from its C source; each .wasm lands beside its .c.
# The built .wasm files are committed, so only people who change a source need the toolchain:
#   Debian: apt-get install clang-16 lld-16 wasi-libc   (override the compiler with CC=...)
# Usage: sh wasm-modules/build.sh [file.c ...]   (no argument: all of them)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-clang-16}
TARGET=${WASM_TARGET:-wasm32-wasi}
CFLAGS=${CFLAGS:-"-O2 -Wall -Wextra -Wno-unused-parameter"}

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "build.sh: $CC not found (install clang-16, lld-16 and wasi-libc, or set CC)" >&2
  exit 1
fi

if [ "$#" -eq 0 ]; then
  set -- $(find "$here" -name node_modules -prune -o -name '*.c' -print | LC_ALL=C sort)
fi

for src in "$@"; do
  dir=$(cd "$(dirname "$src")" && pwd)
  name=$(basename "$src" .c)
  # Compiled from inside its directory so that __FILE__ (in failure reports) is the bare file
  # name and the output does not depend on where the tree is checked out.
  # shellcheck disable=SC2086 # CFLAGS is a list of flags
  (cd "$dir" && $CC --target="$TARGET" $CFLAGS -Wl,--strip-all "$name.c" -o "$name.wasm")
  echo "built ${dir#"$here"/}/$name.wasm"
done

# WASI 0.2 components (docs/components.md): preview1 commands wrapped with the preview1 adapter jco ships,
# and components made from component text; they need the npm dev dependencies (npm ci).
if [ -d "$here/../node_modules/@bytecodealliance/jco" ]; then
  (cd "$here/.." && node wasm-modules/component/build-components.mjs)
else
  echo "build.sh: node_modules/@bytecodealliance/jco missing (run npm ci): components not rebuilt" >&2
fi
