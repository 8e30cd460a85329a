package io.guestguard.console;

import io.guestguard.protocol.AppCommand;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.Rebind;
import io.guestguard.protocol.history.CommandOutcome;
import io.guestguard.protocol.history.DecisionChain;
import io.guestguard.protocol.history.GuestChain;
import io.guestguard.protocol.history.GuestRecords;
import io.guestguard.protocol.history.LoggedEvent;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A guest's chain as its history page shows it, newest fact first: each fact with the decisions it
 * caused, their causes (a link to each one shown here), the commands each sent with what became of
 * them (a link to the fact that says so), the commands the fact led to itself (rebinds) and the
 * placements it led to. Every row's id is its event id, the anchor a cause link lands on. Each fact,
 * decision and command also names its W3C trace id (the {@code traceparent} a decision and its commands
 * carry from their fact), so the page can mark one trace's whole chain.
 *
 * @param guest the guest
 * @param facts its facts, newest first
 * @param uncaused decisions whose causes are older than what was read, newest first
 * @param earlier whether its log holds records before those read
 * @param undecodable its records passed over because they did not decode
 */
public record HistoryView(String guest, List<FactRow> facts, List<DecisionRow> uncaused, boolean earlier, long undecodable) {

    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /**
     * @param id the fact's event id
     * @param at its decision time (the broker's time of its record), UTC
     * @param type its type, short ({@code app.failed})
     * @param subject the guest, or {@code guest/app}
     * @param text what happened
     * @param source who wrote it
     * @param where {@code topic-partition@offset}
     * @param refused why the policy engine dead-lettered it, or {@code null}
     */
    public record FactRow(String id, String at, String type, String subject, String text, String source, String where, String refused,
                          String trace, List<DecisionRow> decisions, List<CommandRow> commands, List<PlacementRow> placements) {
    }

    public record DecisionRow(String id, String at, String action, String subject, String reason, String trace, List<CauseRow> causes,
                              List<CommandRow> commands) {
    }

    /** A cause: {@code type} (short) when it is among the facts shown, so that its link lands on it; else {@code null}. */
    public record CauseRow(String id, String type) {
    }

    /**
     * @param id the command's id
     * @param what what it asks, as far as its record was read ({@code restart-app app1}, {@code start-guest on standby})
     * @param outcome {@code refused}, {@code applied}, {@code acknowledged} or {@code pending}
     * @param said the fact's words that say so, or {@code null}
     * @param saidBy the id of that fact, or {@code null}
     * @param trace the command's trace id, or {@code null} (not read, or written before traces)
     */
    public record CommandRow(String id, String what, String outcome, String said, String saidBy, String trace) {
    }

    public record PlacementRow(String id, String at, String text) {
    }

    static HistoryView of(String guest, GuestRecords.Read read) {
        GuestChain chain = read.chain();
        Map<String, String> shown = new HashMap<>(); // fact id -> its short type
        chain.steps().forEach(s -> shown.put(s.fact().event().id(), shortType(s.fact().event().type())));
        List<FactRow> facts = new ArrayList<>();
        for (GuestChain.Step step : chain.steps()) {
            CloudEvent<?> e = step.fact().event();
            Fact fact = (Fact) e.data();
            facts.add(0, new FactRow(e.id(), at(step.fact().decisionTime()), shortType(e.type()),
                    fact.appName() == null ? guest : guest + "/" + fact.appName(), fact.describe(), e.source(), step.fact().where(),
                    step.refused(), trace(e), step.decisions().stream().map(d -> decision(guest, d, shown)).toList(),
                    step.commands().stream().map(HistoryView::command).toList(),
                    step.placements().stream().map(HistoryView::placement).toList()));
        }
        List<DecisionRow> uncaused = new ArrayList<>();
        chain.uncaused().forEach(d -> uncaused.add(0, decision(guest, d, shown)));
        return new HistoryView(guest, facts, uncaused, read.earlier(), read.undecodable());
    }

    /** {@code app.failed} for {@code io.guestguard.app.failed.v1}: what a person reads. */
    static String shortType(String type) {
        String s = type.startsWith("io.guestguard.") ? type.substring("io.guestguard.".length()) : type;
        return s.replaceFirst("\\.v\\d+$", "");
    }

    private static DecisionRow decision(String guest, DecisionChain chain, Map<String, String> shown) {
        Decision d = chain.decision().data();
        return new DecisionRow(chain.decision().id(), at(chain.decision().time()), d.action().name().toLowerCase(Locale.ROOT),
                d.app() == null ? guest : guest + "/" + d.app(), d.reason().text(), trace(chain.decision()),
                chain.causes().stream().map(c -> new CauseRow(c.id(), shown.get(c.id()))).toList(),
                chain.commands().stream().map(HistoryView::command).toList());
    }

    private static CommandRow command(DecisionChain.Sent sent) {
        CommandOutcome outcome = sent.outcome();
        return new CommandRow(sent.id(), sent.command() == null ? null : what((Command) sent.command().event().data()),
                outcome.name(), outcome.describe(), outcome.fact() == null ? null : outcome.fact().event().id(),
                sent.command() == null ? null : trace(sent.command().event()));
    }

    private static String what(Command command) {
        String kind = command.kind().wireName();
        if (command instanceof AppCommand app) {
            return kind + " " + app.app();
        }
        if (command instanceof HostCommand host) {
            return kind + " on " + host.host();
        }
        if (command instanceof Rebind rebind) {
            return kind + " to " + rebind.host() + " (epoch " + rebind.epoch() + ")";
        }
        return kind;
    }

    private static PlacementRow placement(LoggedEvent logged) {
        GuestPlacement p = (GuestPlacement) logged.event().data();
        return new PlacementRow(logged.event().id(), at(logged.decisionTime()),
                "epoch " + p.epoch() + ": " + p.phase() + (p.host() == null ? "" : " on " + p.host()));
    }

    /** The event's trace id, or {@code null} when it carries none (written before traces existed). */
    private static String trace(CloudEvent<?> event) {
        return event.traceparent() == null ? null : event.traceparent().traceId();
    }

    private static String at(Instant time) {
        return AT.format(time);
    }
}
