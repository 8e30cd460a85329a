/**
 * The decider's golden scenarios as data: one folder of files ({@code facts.json},
 * {@code expected.json}, {@code summary.txt}, optionally {@code view.json}) read into a
 * {@link io.guestguard.policy.core.scenario.Scenario}, run through the real decider and compared
 * with what it should do ({@link io.guestguard.policy.core.scenario.ScenarioRun}). One reader for
 * policy-core's {@code ScenarioTest} and for {@code guestguard replay --scenario}, as Pacemaker's
 * {@code crm_simulate} reads the saved inputs its scheduler tests run.
 *
 * <p>Pure like the rest of the core: the caller reads the files and hands their text in; nothing
 * here touches a file, a clock or a framework ({@code CorePurityTest} checks this package too).
 * The format is described in policy-core's {@code src/test/resources/scenarios/README.md}.
 */
package io.guestguard.policy.core.scenario;
