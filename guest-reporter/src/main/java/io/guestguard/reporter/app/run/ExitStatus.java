package io.guestguard.reporter.app.run;

import io.guestguard.protocol.AppFailed;

/**
 * Turns a JVM exit value into an exit code or a signal. On Linux the JDK reports a process that a
 * signal ended as {@code 128 + signal number}; a program that itself exits with such a code is
 * indistinguishable from it, and is reported as the signal.
 */
final class ExitStatus {

    private static final String[] SIGNALS = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
        "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
        "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};

    private ExitStatus() {
    }

    static AppFailed failure(String app, long pid, int exitValue) {
        int signal = exitValue - 128;
        if (signal > 0 && signal < 65) {
            return AppFailed.killed(app, pid, signal < SIGNALS.length ? SIGNALS[signal] : "RT" + signal);
        }
        return AppFailed.exited(app, pid, exitValue);
    }
}
