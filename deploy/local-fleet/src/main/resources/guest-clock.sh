#!/bin/sh
# Runs a local-fleet guest (its reporter and, as in a VM, everything the reporter starts) on a clock of
# its own when the fleet gave it one (./fleet --guest-clock GUEST=OFFSET): Debian's libfaketime,
# preloaded, reads the guest's offset (e.g. -2h) from CLOCK_FILE at every clock read
# (FAKETIME_NO_CACHE=1), so the fleet can move it while the guest runs, as a VM's clock jumps.
# Monotonic clocks stay true: a JVM hangs on a faked one (libfaketime's README), and a VM's monotonic
# clock does not jump either. FAKETIME_FORCE_MONOTONIC_FIX=0: with monotonic clocks left alone the fix
# is not needed, and libfaketime turns it on by itself on this glibc, where it made a reporter's JVM
# take 15 to 40 s to start instead of 1 s (its timed waits), long enough for the migration watcher to
# take the guest for silent.
# Usage: guest-clock.sh CLOCK_FILE COMMAND [ARGS...]  (no CLOCK_FILE: COMMAND runs on the host's clock)
clock_file="$1"
shift
if [ -f "$clock_file" ]; then
  LD_PRELOAD="LIBFAKETIME"
  FAKETIME_TIMESTAMP_FILE="$clock_file"
  FAKETIME_NO_CACHE=1
  FAKETIME_DONT_FAKE_MONOTONIC=1
  FAKETIME_FORCE_MONOTONIC_FIX=0
  export LD_PRELOAD FAKETIME_TIMESTAMP_FILE FAKETIME_NO_CACHE FAKETIME_DONT_FAKE_MONOTONIC FAKETIME_FORCE_MONOTONIC_FIX
fi
exec "$@"
