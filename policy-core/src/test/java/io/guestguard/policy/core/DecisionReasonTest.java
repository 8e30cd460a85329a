package io.guestguard.policy.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every reason's sentence reads as {@code String.format} would have written it, with no format parsed per decision. */
class DecisionReasonTest {

    @ParameterizedTest
    @EnumSource(DecisionReason.class)
    void fillsItsTemplateAsStringFormatDoes(DecisionReason reason) {
        List<Object> args = new ArrayList<>();
        Matcher placeholder = Pattern.compile("%([sd])").matcher(reason.template());
        while (placeholder.find()) {
            args.add(placeholder.group(1).equals("d") ? (Object) (-7L + args.size()) : args.size() % 3 == 2 ? null : "x" + args.size());
        }
        Object[] values = args.toArray();

        assertThat(reason.toReason(values).text()).isEqualTo(String.format(Locale.ROOT, reason.template(), values));
        assertThat(reason.toReason(values).code()).isEqualTo(reason.name());
    }

    @Test
    void refusesTheWrongNumberOfArguments() {
        assertThatThrownBy(() -> DecisionReason.OPERATOR_HALT.toReason("ops", "g1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes 3 arguments, not 2");
    }
}
