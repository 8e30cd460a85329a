package io.guestguard.host.supervisor;

import io.guestguard.host.hypervisor.Hypervisor;
import io.guestguard.host.hypervisor.HypervisorException;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real hypervisor whose look-ups of one guest fail a given number of times first, as a libvirt
 * connection that drops does: fault injection around the real thing, which does everything else.
 */
final class FlakyHypervisor implements Hypervisor {

    private final Hypervisor real;
    private final String guest;
    private final AtomicInteger failuresLeft;
    final AtomicInteger lookups = new AtomicInteger();

    FlakyHypervisor(Hypervisor real, String guest, int failures) {
        this.real = real;
        this.guest = guest;
        this.failuresLeft = new AtomicInteger(failures);
    }

    @Override
    public Optional<Domain> find(String name) throws HypervisorException {
        if (name.equals(guest)) {
            lookups.incrementAndGet();
            if (failuresLeft.getAndDecrement() > 0) {
                throw new HypervisorException("connection to the hypervisor lost (injected)");
            }
        }
        return real.find(name);
    }

    @Override
    public List<Domain> list() throws HypervisorException {
        return real.list();
    }

    @Override
    public void start(GuestDefinition definition) throws HypervisorException {
        real.start(definition);
    }

    @Override
    public void shutdown(String name, Duration grace) throws HypervisorException {
        real.shutdown(name, grace);
    }

    @Override
    public void destroy(String name) throws HypervisorException {
        real.destroy(name);
    }

    @Override
    public void suspend(String name) throws HypervisorException {
        real.suspend(name);
    }

    @Override
    public void resume(String name) throws HypervisorException {
        real.resume(name);
    }

    @Override
    public void migrate(String name, Hypervisor target) throws HypervisorException {
        real.migrate(name, target);
    }

    @Override
    public AutoCloseable onEvent(Consumer<DomainEvent> listener) throws HypervisorException {
        return real.onEvent(listener);
    }

    @Override
    public void close() {
        real.close();
    }
}
