package io.guestguard.cli;

import java.util.List;

/**
 * A package file that cannot be applied, with every problem found in it, each as
 * {@code FILE: FIELD: what is wrong; the fix}. All of them at once, so an operator fixes the file
 * in one pass instead of one error per run.
 */
public final class InvalidPackageException extends RuntimeException {

    private final List<String> problems;

    public InvalidPackageException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem, in the order of the file's fields. */
    public List<String> problems() {
        return problems;
    }
}
