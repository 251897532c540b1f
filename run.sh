#!/bin/sh
# SPDX-License-Identifier: MIT
# ./run.sh        install what is missing, build, and log in to the bundled demo Bitbucket
# ./run.sh test   the same set-up, then the whole test suite (this is what CI runs)
# Builds print nothing unless they fail; then all their output goes to stderr.
set -eu
cd "$(dirname "$0")"
. ./scripts/build.sh
mode=${1:-demo}
case $mode in
  demo | test) ;;
  *) echo "usage: ./run.sh [demo|test]" >&2; exit 1 ;;
esac
scripts/install-deps
if [ "$mode" = test ]; then
  exec scripts/test # it sets up and builds each of its builds itself
fi
setup build --werror
quietly ninja -C build
exec scripts/demo
