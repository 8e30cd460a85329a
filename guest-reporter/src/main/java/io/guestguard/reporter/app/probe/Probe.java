package io.guestguard.reporter.app.probe;

import io.guestguard.reporter.config.ProbeSpec;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.Supplier;

/** One health check of an application from outside; blocks for at most its timeout. */
public interface Probe {

    /**
     * What one check found.
     *
     * @param detail what failed, e.g. {@code tcp 127.0.0.1:8080: connection refused}; {@code null} when healthy
     * @param pid the process the check is about, when it has one (a pid file's)
     */
    record Result(boolean healthy, String detail, Long pid) {

        static Result healthy(Long pid) {
            return new Result(true, null, pid);
        }

        static Result failed(String detail, Long pid) {
            return new Result(false, detail, pid);
        }
    }

    Result check(Duration timeout);

    /** The probe for {@code target}; HTTP probes share {@code http}'s client, made when first needed. */
    static Probe of(ProbeSpec.Target target, Supplier<HttpClient> http) {
        if (target instanceof ProbeSpec.Tcp tcp) {
            return new TcpProbe(tcp);
        }
        if (target instanceof ProbeSpec.Http get) {
            return new HttpProbe(get, http);
        }
        return new PidfileProbe((ProbeSpec.Pidfile) target);
    }
}
