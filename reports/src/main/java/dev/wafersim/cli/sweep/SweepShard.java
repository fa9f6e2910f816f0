package dev.wafersim.cli.sweep;

import dev.wafersim.core.config.ConfigException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One shard of a sweep split over several processes: {@code --shard I/N} runs the points of shard {@code index}
 * of {@code count} ({@link ShardPartition} says which).
 *
 * @param index the shard, from 0 to {@code count - 1}
 * @param count the number of shards, at least 1
 */
public record SweepShard(int index, int count) {
    /** Most shards a sweep may be split into. */
    public static final int MAX_SHARDS = 100_000;

    private static final Pattern FORM = Pattern.compile("\\s*(\\d{1,9})\\s*/\\s*(\\d{1,9})\\s*");

    public SweepShard {
        if (count < 1 || count > MAX_SHARDS || index < 0 || index >= count) {
            throw new IllegalArgumentException("shard " + index + "/" + count);
        }
    }

    /**
     * Parses {@code I/N}.
     *
     * @param option how to name the value in a message ({@code --shard})
     * @throws ConfigException naming the value and what is allowed
     */
    public static SweepShard parse(String text, String option) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new ConfigException(option + "=" + text + " is not allowed; expected I/N, shard I (0 to N-1) of N"
                    + " shards, e.g. " + option + " 0/4");
        }
        long i = Long.parseLong(m.group(1));
        long n = Long.parseLong(m.group(2));
        if (n < 1 || n > MAX_SHARDS) {
            throw new ConfigException(option + "=" + text + " is not allowed; expected a shard count N from 1 to "
                    + MAX_SHARDS);
        }
        if (i >= n) {
            throw new ConfigException(option + "=" + text + " is not allowed: shard index " + i + " is out of range;"
                    + " expected I from 0 to " + (n - 1) + " for " + n + " shards");
        }
        return new SweepShard((int) i, (int) n);
    }

    /** {@code I/N}, as {@code --shard} takes it and the {@code shard} column holds it. */
    public String label() {
        return index + "/" + count;
    }

    @Override
    public String toString() {
        return label();
    }
}
