/**
 * Whether a host may carry out a command, as pure rules over what the host knows
 * ({@link io.guestguard.protocol.admission.StartAdmission}): shared by the host supervisor, which
 * does the I/O around them, and by policy-core's simulated fleet. Imports only the protocol's types;
 * no I/O, no clock, no framework.
 */
package io.guestguard.protocol.admission;
