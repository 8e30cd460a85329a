package io.guestguard.deploy.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell commands of docs/pipelines.md, run as a reader of that page runs them: each {@code sh}
 * block after a {@code <!-- run: NAME -->} line, in bash, with the page's variables set. So the page
 * shows what a test ran, not what once worked.
 */
final class PipelineCommands {

    private static final Pattern BLOCK = Pattern.compile("<!-- run: (\\S+) -->\\s*```sh\\n(.*?)```", Pattern.DOTALL);

    private PipelineCommands() {
    }

    /** The page's runnable blocks, by name, in order. */
    static Map<String, String> of(Path page) throws IOException {
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = BLOCK.matcher(Files.readString(page));
        while (m.find()) {
            blocks.put(m.group(1), m.group(2));
        }
        return blocks;
    }

    /** Whether {@code tool} is on the PATH. */
    static boolean installed(String tool) throws IOException, InterruptedException {
        return new ProcessBuilder("bash", "-c", "command -v " + tool).start().waitFor() == 0;
    }

    /** Runs {@code script} in bash with {@code env}; returns its standard output, or fails with its error output. */
    static String run(String script, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script);
        builder.environment().putAll(env);
        Path err = Files.createTempFile("pipelines", ".err");
        builder.redirectError(err.toFile());
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not finish within 60 s:\n" + script);
        }
        String errors = Files.readString(err);
        Files.delete(err);
        if (process.exitValue() != 0) {
            throw new AssertionError("exit " + process.exitValue() + " of\n" + script + "\n" + errors);
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
