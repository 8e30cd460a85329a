#!/bin/sh
# The local fleet's fence hook: "powers off" a simulated host by killing every guest it runs.
#   usage: fence-simulated-host.sh REGISTRY LOST_HOST
# The host supervisor appends LOST_HOST (and sets GUESTGUARD_LOST_HOST). REGISTRY is the folder all
# simulated hosts share: REGISTRY/HOST/GUEST holds "PGID STARTTICKS" of the guest's process group.
# A guest is its reporter's group plus the applications the reporter started, each of which leads a
# group of its own (setsid), so the whole tree goes, not just the reporter's group.
# Exit 0: nothing of LOST_HOST runs any more. Exit 1: something survived SIGKILL.
set -u
registry=${1:?usage: $0 REGISTRY LOST_HOST}
host=${2:-${GUESTGUARD_LOST_HOST:-}}
[ -n "$host" ] || { echo "usage: $0 REGISTRY LOST_HOST"; exit 64; }
dir="$registry/$host"

# Field 22 of /proc/PID/stat (the start time in clock ticks), read after the command name, which may hold spaces.
start_ticks() {
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  echo "${stat##*) }" | cut -d' ' -f20
}

# "PID PGID" of every member of group $1 and of all their descendants, whatever group they lead.
tree() {
  ps -e -o pid=,ppid=,pgid= | awk -v g="$1" '
    { pid[NR] = $1; ppid[NR] = $2; grp[NR] = $3; if ($3 == g) keep[$1] = 1 }
    END {
      do { changed = 0
           for (i = 1; i <= NR; i++) if (!(pid[i] in keep) && (ppid[i] in keep)) { keep[pid[i]] = 1; changed = 1 }
      } while (changed)
      for (i = 1; i <= NR; i++) if (pid[i] in keep) print pid[i], grp[i]
    }'
}

# Those of the groups in $1 that still have a member that is not a zombie (a zombie is dead, whoever reaps it).
alive_groups() {
  ps -e -o pgid=,stat= | awk -v gs="$1" 'BEGIN { n = split(gs, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
    ($1 in want) && $2 !~ /^Z/ { print $1 }' | sort -u
}

# First freeze and list every guest, then kill them all, then wait: a power-off hits all guests at once.
killed=0
all_groups=""
files=""
for file in "$dir"/*; do
  [ -f "$file" ] || continue
  case "$file" in *.tmp) continue ;; esac
  guest=$(basename "$file")
  pgid="" ticks=""
  read -r pgid ticks < "$file" || true   # the file has no final newline
  [ -n "$pgid" ] || continue
  if [ "$(start_ticks "$pgid")" != "$ticks" ]; then
    echo "$guest: group $pgid ended already"
    rm -f "$file"
    continue
  fi
  # Freeze the reporter first, so it cannot start or restart an application while its tree is read.
  kill -STOP "-$pgid" 2>/dev/null
  groups=$(tree "$pgid" | awk '{print $2}' | sort -u)
  echo "$guest: killing process groups $(echo $groups)"
  all_groups="$all_groups $groups"
  files="$files $file"
  killed=$((killed + 1))
done
for g in $all_groups; do kill -9 "-$g" 2>/dev/null; done
# One look at the process table per round for all groups: this is on the failover's critical path.
for i in $(seq 100); do
  alive=$(alive_groups "$all_groups")
  [ -z "$alive" ] && break
  sleep 0.05
done
if [ -n "$alive" ]; then echo "process groups $(echo $alive) survived SIGKILL; $host is not off"; exit 1; fi
for file in $files; do rm -f "$file"; done
echo "powered off $host ($killed guests killed)"
