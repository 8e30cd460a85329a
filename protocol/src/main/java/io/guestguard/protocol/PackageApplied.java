package io.guestguard.protocol;

/**
 * An operator applied the guest's package ({@code guestguard apply}, as {@code cmapplyconf}).
 *
 * @param spec the package as applied
 */
public record PackageApplied(PackageSpec spec) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.packageApplied(this);
    }

    @Override
    public String describe() {
        return "package applied (hosts " + String.join(", ", spec.hosts()) + ")";
    }
}
