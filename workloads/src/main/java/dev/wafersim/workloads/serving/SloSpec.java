package dev.wafersim.workloads.serving;

import dev.wafersim.core.config.ConfigException;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * A latency target of a serving run, parsed from {@code --slo ttft=500ms,tpot=20ms}: a target on the
 * time to first token, on the time per output token, or both (units {@code us}, {@code ms}, {@code s}).
 * A request meets it when it completed and each of its metrics that has a target is at or below it; a
 * request with one output token has no TPOT and meets a TPOT target; a rejected request meets nothing.
 *
 * @param ttftPs TTFT target, ps; -1 for none
 * @param tpotPs TPOT target, ps; -1 for none
 */
public record SloSpec(long ttftPs, long tpotPs) {
    public SloSpec {
        if (ttftPs < -1 || tpotPs < -1 || ttftPs == 0 || tpotPs == 0 || (ttftPs < 0 && tpotPs < 0)) {
            throw new IllegalArgumentException("targets " + ttftPs + ", " + tpotPs);
        }
    }

    /**
     * Parses {@code ttft=T,tpot=T} (either or both).
     *
     * @throws ConfigException naming {@code --slo}, the value and the form expected
     */
    public static SloSpec parse(String text) {
        long ttft = -1;
        long tpot = -1;
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw bad(text);
        }
        for (String part : t.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw bad(text);
            }
            String key = part.substring(0, eq).trim();
            long ps = duration(part.substring(eq + 1).trim(), text);
            if (key.equals("ttft") && ttft < 0) {
                ttft = ps;
            } else if (key.equals("tpot") && tpot < 0) {
                tpot = ps;
            } else {
                throw bad(text);
            }
        }
        return new SloSpec(ttft, tpot);
    }

    private static long duration(String v, String text) {
        int split = 0;
        while (split < v.length() && (Character.isDigit(v.charAt(split)) || v.charAt(split) == '.')) {
            split++;
        }
        String unit = v.substring(split).trim();
        long psPerUnit = switch (unit) {
            case "us" -> 1_000_000L;
            case "ms" -> 1_000_000_000L;
            case "s" -> 1_000_000_000_000L;
            default -> throw bad(text);
        };
        BigDecimal n;
        try {
            n = new BigDecimal(v.substring(0, split));
        } catch (NumberFormatException e) {
            throw bad(text);
        }
        BigDecimal ps = n.multiply(BigDecimal.valueOf(psPerUnit));
        if (ps.signum() <= 0 || ps.compareTo(BigDecimal.valueOf(86_400L * 1_000_000_000_000L)) > 0) {
            throw new ConfigException("--slo=" + text + " is not allowed: each target must be above 0 and at most a day");
        }
        return ps.setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
    }

    private static ConfigException bad(String text) {
        return new ConfigException("--slo=" + text + " is not allowed; expected ttft=T and/or tpot=T with T in us, ms"
                + " or s, e.g. ttft=500ms,tpot=20ms");
    }

    /** True when request {@code i} of {@code r} meets the target. */
    public boolean met(ServingResult r, int i) {
        if (!r.completed(i)) {
            return false;
        }
        if (ttftPs >= 0 && r.ttftPs(i) > ttftPs) {
            return false;
        }
        double tpot = r.tpotPs(i);
        return tpotPs < 0 || Double.isNaN(tpot) || tpot <= tpotPs;
    }

    /** Share of all requests of {@code r} (rejected ones included) that meet the target, in [0, 1]. */
    public double attainment(ServingResult r) {
        int met = 0;
        for (int i = 0; i < r.requests(); i++) {
            if (met(r, i)) {
                met++;
            }
        }
        return met / (double) r.requests();
    }

    /** The target as written: {@code ttft=500ms,tpot=20ms}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (ttftPs >= 0) {
            sb.append("ttft=").append(ms(ttftPs)).append("ms");
        }
        if (tpotPs >= 0) {
            sb.append(sb.length() > 0 ? "," : "").append("tpot=").append(ms(tpotPs)).append("ms");
        }
        return sb.toString();
    }

    private static String ms(long ps) {
        return BigDecimal.valueOf(ps).movePointLeft(9).stripTrailingZeros().toPlainString();
    }
}
