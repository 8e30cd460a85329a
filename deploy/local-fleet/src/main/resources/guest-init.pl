#!/usr/bin/perl
# The init of a local-fleet guest: what PID 1 and the reporter's systemd unit are in a VM.
#   usage: guest-init.pl REPORTER_COMMAND [ARGS...]
# A simulated host starts it as the guest (the leader of the guest's process group); it runs the guest
# reporter as its child and
#  - is the guest's reaper (PR_SET_CHILD_SUBREAPER): applications left running by a reporter that
#    restarted in place stay in the guest's process tree, where the hypervisor's shutdown, pause and
#    the fence hook find them, and their end is reaped at once, as a VM's init does;
#  - starts the reporter again at once when it exits after a restart in place (exit status 75, after
#    SIGUSR1: it left its applications running for the next one to adopt), as the unit's
#    Restart=always with KillMode=process does;
#  - otherwise ends with the reporter (its exit status, 128+N for signal N): a guest whose reporter
#    stopped (SIGTERM to the guest: its shutdown) or died is over, as before this init existed.
# Perl only because the JDK cannot make a process a subreaper; Debian's perl (syscall.ph) is there
# wherever resource-agents is.
use strict;
use POSIX ();
require 'syscall.ph';

my $PR_SET_CHILD_SUBREAPER = 36;
my $RESTARTED_IN_PLACE = 75;
syscall(&SYS_prctl, $PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    or die "guest-init: cannot become the guest's reaper (prctl PR_SET_CHILD_SUBREAPER): $!\n";
@ARGV or die "usage: guest-init.pl REPORTER_COMMAND [ARGS...]\n";

# The guest's shutdown signals its whole group: the reporter stops its applications; this init waits for it.
my $stopping = 0;
$SIG{TERM} = sub { $stopping = 1 };

while (1) {
    my $reporter = fork() // die "guest-init: cannot fork: $!\n";
    if ($reporter == 0) {
        $SIG{TERM} = 'DEFAULT';
        exec(@ARGV) or POSIX::_exit(127);
    }
    my $status;
    while (1) {
        my $ended = waitpid(-1, 0); # the reporter, or an orphan of the guest
        if ($ended == $reporter) {
            $status = $?;
            last;
        }
        die "guest-init: lost track of the reporter (pid $reporter)\n" if $ended == -1 && !$!{EINTR};
    }
    my $code = ($status & 127) ? 128 + ($status & 127) : $status >> 8;
    exit($code) if $stopping || $code != $RESTARTED_IN_PLACE;
    print STDOUT "guest-init: the reporter (pid $reporter) restarted in place; starting it again\n";
}
