package io.guestguard.host.supervisor;

import io.guestguard.host.hypervisor.Hypervisor.GuestDefinition;

/**
 * How this host starts a guest it is told to start; the command names only the guest. The hypervisor
 * adapter says it ({@link io.guestguard.host.hypervisor.HypervisorAdapter.Connector#definition}): for
 * libvirt, a domain's XML or its memory and CPUs.
 */
@FunctionalInterface
public interface GuestCatalog {

    GuestDefinition definition(String guest);
}
