package io.guestguard.reporter.config;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The parameters an OCF resource agent declares, from its own {@code meta-data} action: asking the
 * agent is the only source that cannot drift from the installed version.
 */
final class OcfMetadata {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** One declared parameter; {@code description} is the agent's short description, possibly empty. */
    record Parameter(String name, boolean required, String description) {
    }

    /** Why the meta-data could not be had, in words for the operator. */
    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private OcfMetadata() {
    }

    /** Runs {@code AGENT meta-data} with {@code OCF_ROOT} set and returns its parameters by name, in declared order. */
    static Map<String, Parameter> parameters(OcfAgent agent) throws Unavailable {
        Path out = null;
        try {
            out = Files.createTempFile("ocf-meta-data", ".xml");
            ProcessBuilder builder = new ProcessBuilder(agent.executable().toString(), "meta-data")
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("OCF_ROOT", agent.root().toString());
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new Unavailable("its meta-data action did not finish within " + TIMEOUT.toSeconds() + "s");
            }
            if (process.exitValue() != 0) {
                throw new Unavailable("its meta-data action exited with " + process.exitValue());
            }
            return parse(Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Unavailable("its meta-data action could not be run (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while reading its meta-data");
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    static Map<String, Parameter> parse(String xml) throws Unavailable {
        Document document;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // agents name ra-api-1.dtd, which is not installed; nothing may be fetched either
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            document = builder.parse(new InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new Unavailable("its meta-data is not valid XML (" + e.getMessage() + ")");
        }
        if (!"resource-agent".equals(document.getDocumentElement().getTagName())) {
            throw new Unavailable("its meta-data is not a <resource-agent> document");
        }
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        NodeList nodes = document.getElementsByTagName("parameter");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element parameter = (Element) nodes.item(i);
            String name = parameter.getAttribute("name");
            if (!name.isEmpty()) {
                String required = parameter.getAttribute("required");
                parameters.put(name, new Parameter(name, "1".equals(required) || "true".equalsIgnoreCase(required),
                        shortDescription(parameter)));
            }
        }
        return parameters;
    }

    private static String shortDescription(Element parameter) {
        NodeList shortdesc = parameter.getElementsByTagName("shortdesc");
        return shortdesc.getLength() == 0 ? "" : shortdesc.item(0).getTextContent().strip();
    }
}
