#!/bin/sh
# Runs a local-fleet guest (its reporter and, as in a VM, everything the reporter starts) on a clock of
# its own when the fleet gave it one (./fleet --guest-clock GUEST=OFFSET): Debian's libfaketime,
# preloaded, reads the guest's offset (e.g. -2h) from CLOCK_FILE, again at most a second after it
# changed, so the fleet can move it while the guest runs, as a VM's clock jumps. Not FAKETIME_NO_CACHE=1:
# it reads the file at every clock read (9.4 us instead of 0.44 us each on the 2-core test machine), and
# a reporter then took 50 s to start, long enough for the migration watcher to take it for silent.
# Monotonic clocks stay true: a JVM hangs on a faked one (libfaketime's README), and a VM's monotonic
# clock does not jump either.
# Usage: guest-clock.sh CLOCK_FILE COMMAND [ARGS...]  (no CLOCK_FILE: COMMAND runs on the host's clock)
clock_file="$1"
shift
if [ -f "$clock_file" ]; then
  LD_PRELOAD="LIBFAKETIME"
  FAKETIME_TIMESTAMP_FILE="$clock_file"
  FAKETIME_CACHE_DURATION=1
  FAKETIME_DONT_FAKE_MONOTONIC=1
  export LD_PRELOAD FAKETIME_TIMESTAMP_FILE FAKETIME_CACHE_DURATION FAKETIME_DONT_FAKE_MONOTONIC
fi
exec "$@"
