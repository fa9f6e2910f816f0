package dev.wafersim.cli.experiment;

import java.util.Objects;

/**
 * One value of an experiment and where it came from, so that an error names it the way the user wrote it.
 *
 * @param value  the value: text from the command line, or Integer, Long, Double, Boolean or String from a file
 * @param origin where it came from: empty for a command-line option, {@code --set}, {@code exp.yaml},
 *               {@code default}, {@code system spec h100-sxm:gpus=8}, {@code sweep}
 * @param name   how the user named it there: {@code --batch}, {@code workload.batch}, {@code gpus}
 */
public record Setting(Object value, String origin, String name) {
    public Setting {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(name, "name");
    }

    /** How to name the setting in a message: {@code --batch} or {@code exp.yaml: workload.batch}. */
    public String where() {
        return origin.isEmpty() ? name : origin + ": " + name;
    }

    /** The prefix for messages from elsewhere about this setting: empty or {@code exp.yaml: }. */
    public String prefix() {
        return origin.isEmpty() ? "" : origin + ": ";
    }

    /** The value as text. */
    public String text() {
        return String.valueOf(value).trim();
    }
}
