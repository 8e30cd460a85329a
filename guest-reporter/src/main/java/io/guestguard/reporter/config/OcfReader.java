package io.guestguard.reporter.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.guestguard.protocol.files.FieldReader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks an OCF application's {@code agent} and {@code params} against the installed agent when the
 * file is loaded, so {@code --check} finds a missing required parameter or a misspelt one before
 * anything is started. Asks each agent for its meta-data once per file.
 */
final class OcfReader {

    private static final Pattern AGENT = Pattern.compile("(?:ocf:)?([A-Za-z0-9_.+-]+):([A-Za-z0-9_.+-]+)");

    private final FieldReader fields;
    private final Path ocfRoot;
    private final Map<OcfAgent, Lookup> metadata = new HashMap<>();

    /** An agent's declared parameters, or why they could not be had. */
    private record Lookup(Map<String, OcfMetadata.Parameter> declared, String failure) {
    }

    OcfReader(FieldReader fields, Path ocfRoot) {
        this.fields = fields;
        this.ocfRoot = ocfRoot;
    }

    /** The agent named by {@code node}, or {@code null} after a problem. */
    OcfAgent agent(JsonNode node, String field) {
        String text = fields.text(node, field, "name the resource agent, e.g. ocf:heartbeat:Dummy");
        if (text == null) {
            return null;
        }
        Matcher m = AGENT.matcher(text);
        if (!m.matches() || m.group(1).matches("\\.+") || m.group(2).matches("\\.+")) {
            fields.problem(field, "'" + text + "' is not an OCF agent name; write ocf:PROVIDER:TYPE, e.g. ocf:heartbeat:Dummy");
            return null;
        }
        OcfAgent agent = new OcfAgent(ocfRoot, m.group(1), m.group(2));
        Path executable = agent.executable();
        if (!Files.isRegularFile(executable)) {
            fields.problem(field, agent + " is not installed: there is no " + executable + "; install it (Debian: "
                    + "apt-get install resource-agents), or set OCF_ROOT to where the agents are (now " + ocfRoot + ")");
            return null;
        }
        if (!Files.isExecutable(executable)) {
            fields.problem(field, executable + " is not executable; make it so (chmod +x)");
            return null;
        }
        return agent;
    }

    /**
     * The parameters as environment values, checked against what the agent declares: every required
     * one present, none the agent does not know.
     */
    Map<String, String> params(OcfAgent agent, JsonNode node, String agentField, String field) {
        Map<String, String> params = new LinkedHashMap<>();
        if (node != null && fields.mapping(node, field, "write the agent's parameters as a mapping, e.g. {state: /tmp/x.state}") == null) {
            return params;
        }
        if (node != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> param = it.next();
                JsonNode value = param.getValue();
                if (!value.isValueNode() || value.isNull()) {
                    fields.problem(field + "." + param.getKey(), (value.isNull() ? "has no value" : FieldReader.describe(value)
                            + " is not a value") + "; write text or a number, or remove the line for the agent's default");
                } else {
                    params.put(param.getKey(), value.asText());
                }
            }
        }
        if (agent == null) {
            return params;
        }
        Lookup lookup = metadata.computeIfAbsent(agent, a -> {
            try {
                return new Lookup(OcfMetadata.parameters(a), null);
            } catch (OcfMetadata.Unavailable e) {
                return new Lookup(Map.of(), e.getMessage());
            }
        });
        if (lookup.failure() != null) {
            fields.problem(agentField, agent + " cannot be checked: " + lookup.failure() + "; run 'OCF_ROOT=" + agent.root()
                    + " " + agent.executable() + " meta-data' to see why, or choose another agent");
            return params;
        }
        Map<String, OcfMetadata.Parameter> declared = lookup.declared();
        for (OcfMetadata.Parameter parameter : declared.values()) {
            if (parameter.required() && !params.containsKey(parameter.name())) {
                fields.problem(field + "." + parameter.name(), "missing; " + agent + " requires it"
                        + (parameter.description().isEmpty() ? "" : " (" + parameter.description() + ")")
                        + "; set it under params");
            }
        }
        for (String name : params.keySet()) {
            if (!declared.containsKey(name)) {
                fields.problem(field + "." + name, agent + " has no such parameter; remove it or use one of "
                        + declared.keySet().stream().toList());
            }
        }
        return params;
    }
}
