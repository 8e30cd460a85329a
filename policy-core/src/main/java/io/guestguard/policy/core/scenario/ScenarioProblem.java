package io.guestguard.policy.core.scenario;

/**
 * A scenario folder that cannot be read: its message names the file, the field and the fix, in the
 * manner of {@code guestguard check}, e.g. {@code facts.json: fact 3, field "time": '+1x' is not a
 * time; write an offset like +90s, +1m30s, +500ms, -2h or an ISO instant}.
 */
public final class ScenarioProblem extends RuntimeException {

    private final String file;

    public ScenarioProblem(String file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public ScenarioProblem(String file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The file at fault ({@code facts.json}, {@code summary.txt}, ...). */
    public String file() {
        return file;
    }
}
