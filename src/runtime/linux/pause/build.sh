#!/bin/sh
# Rebuilds the pause binary for this machine: static, so it needs nothing from a container's root filesystem.
set -eu
cd "$(dirname "$0")"
arch=$(uname -m)
gcc -static -Os -s -Wall -Wextra -Werror pause.c -o "pause-$arch"
echo "built pause-$arch"
