package io.guestguard.host.hypervisor;

/** A hypervisor refused or failed an operation; the message says which guest, what and why. */
public class HypervisorException extends Exception {

    public HypervisorException(String message) {
        super(message);
    }

    public HypervisorException(String message, Throwable cause) {
        super(message, cause);
    }
}
