# SPDX-License-Identifier: MIT
# Sourced by run.sh, scripts/test and bench/run: build steps that print nothing when they
# work, and all they printed when they fail.

# quietly COMMAND [ARG...]: run COMMAND with its output held back. When it fails, all it
# printed goes to stderr, then a line naming it; its exit status is returned.
quietly() {
  if quiet_out=$("$@" 2>&1); then
    return 0
  else
    quiet_rc=$?
  fi
  printf '%s\n' "$quiet_out" >&2
  echo "bkt-auth: '$*' failed (exit status $quiet_rc)" >&2
  return "$quiet_rc"
}

# setup DIR [MESON_OPTION...]: set up the meson build directory DIR with the options, or
# reconfigure it with them when it is one already; quietly.
setup() {
  setup_dir=$1
  shift
  if [ -d "$setup_dir/meson-private" ]; then
    quietly meson setup --reconfigure "$setup_dir" "$@"
  else
    quietly meson setup "$setup_dir" "$@"
  fi
}
