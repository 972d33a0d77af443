#!/bin/sh
# Rebuilds every guest module in wasm-modules/ from its C source; each .wasm lands beside its .c.
# The built .wasm files are committed, so only people who change a source need the toolchain:
#   Debian: apt-get install clang-16 lld-16 wasi-libc   (override the compiler with CC=...)
# Usage: sh wasm-modules/build.sh [file.c ...]   (no argument: all of them, and the components below;
# with arguments, only those files: the JavaScript components do not rebuild byte for byte)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-clang-16}
TARGET=${WASM_TARGET:-wasm32-wasi}
CFLAGS=${CFLAGS:-"-O2 -Wall -Wextra -Wno-unused-parameter"}

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "build.sh: $CC not found (install clang-16, lld-16 and wasi-libc, or set CC)" >&2
  exit 1
fi

all=0
if [ "$#" -eq 0 ]; then
  all=1
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

# The zero-copy evaluation's modules (docs/ipc.md) are wasm text that clang cannot produce (a second memory):
# binaryen's wasm-as assembles them; it comes with the npm dependencies (npm ci).
if [ -x "$here/../node_modules/.bin/wasm-as" ]; then
  for wat in "$here"/ipc/*.wat; do
    "$here/../node_modules/.bin/wasm-as" --enable-threads --enable-bulk-memory --enable-multimemory "$wat" -o "${wat%.wat}.wasm"
    echo "built ipc/$(basename "${wat%.wat}").wasm"
  done
else
  echo "build.sh: node_modules/.bin/wasm-as missing (run npm ci): ipc/*.wat not rebuilt" >&2
fi

# WASI 0.2 components (docs/components.md): preview1 commands wrapped with the preview1 adapter jco ships,
# and components made from component text; they need the npm dev dependencies (npm ci).
if [ "$all" -eq 0 ]; then
  :
elif [ -d "$here/../node_modules/@bytecodealliance/jco" ]; then
  (cd "$here/.." && node wasm-modules/component/build-components.mjs)
else
  echo "build.sh: node_modules/@bytecodealliance/jco missing (run npm ci): components not rebuilt" >&2
fi
