#!/bin/sh
# Rebuilds the pause binary and the subPath helper for this machine: static, so they need nothing from a
# container's root filesystem.
set -eu
cd "$(dirname "$0")"
arch=$(uname -m)
gcc -static -Os -s -Wall -Wextra -Werror pause.c -o "pause-$arch"
echo "built pause-$arch"
gcc -static -Os -s -Wall -Wextra -Werror subpath.c -o "subpath-$arch"
echo "built subpath-$arch"
