#!/bin/sh
# SPDX-License-Identifier: MIT
# ./run.sh        install what is missing, build, and log in to the bundled demo Bitbucket
# ./run.sh test   the same set-up, then the whole test suite (this is what CI runs)
set -eu
cd "$(dirname "$0")"
scripts/install-deps
if [ -d build/meson-private ]; then
  meson setup --reconfigure build --werror >/dev/null
else
  meson setup build --werror >/dev/null
fi
ninja -C build >/dev/null
case "${1:-demo}" in
  demo) exec scripts/demo ;;
  test) exec scripts/test ;;
  *) echo "usage: ./run.sh [demo|test]" >&2; exit 1 ;;
esac
