package dev.wafersim.workloads.serving;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writes a {@link RequestTrace} in any {@link TraceFormat} ({@code wafersim serve --save-trace}): how the
 * fixtures under {@code traces/} were made, and a way to replay a synthetic workload elsewhere.
 *
 * <p>Azure timestamps start at {@link #AZURE_EPOCH} and have 7 fractional digits (100 ns, as the public
 * traces have), so arrivals are rounded to 100 ns; the other formats keep every picosecond.
 */
public final class TraceWriter {
    /** The date-time the first request of an Azure-format trace gets (the traces' arrivals are relative to it). */
    public static final LocalDateTime AZURE_EPOCH = LocalDateTime.of(2024, 5, 10, 0, 0, 0);
    private static final DateTimeFormatter AZURE = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSS", Locale.ROOT);

    private TraceWriter() {
    }

    /**
     * The trace as text in {@code format}, every line ending in a newline.
     *
     * @throws dev.wafersim.core.config.ConfigException for a trace of sessions in a format without sessions
     */
    public static String text(RequestTrace t, TraceFormat format) {
        if (t.hasSessions() && format != TraceFormat.WAFERSIM_SESSIONS) {
            throw new dev.wafersim.core.config.ConfigException("--trace-format=" + format.word() + " cannot hold sessions"
                    + " (a turn is sent after the previous answer, not at a time of its own); expected "
                    + TraceFormat.WAFERSIM_SESSIONS.word());
        }
        StringBuilder sb = new StringBuilder(t.size() * 40);
        switch (format) {
            case WAFERSIM_SESSIONS -> {
                sb.append(String.join(",", format.fields())).append('\n');
                int[] session = new int[t.size()];
                int sessions = 0;
                for (int i = 0; i < t.size(); i++) {
                    int prev = t.previous(i);
                    session[i] = prev < 0 ? sessions++ : session[prev];
                    sb.append(session[i]).append(',');
                    if (prev < 0) {
                        sb.append(decimal(t.arrivalPs(i), 12)).append(",,");
                    } else {
                        sb.append(',').append(decimal(t.thinkPs(i), 12)).append(',');
                    }
                    sb.append(t.promptTokens(i)).append(',').append(t.outputTokens(i)).append('\n');
                }
            }
            case WAFERSIM -> {
                sb.append(String.join(",", format.fields())).append('\n');
                for (int i = 0; i < t.size(); i++) {
                    sb.append(decimal(t.arrivalPs(i), 12)).append(',').append(t.promptTokens(i)).append(',')
                            .append(t.outputTokens(i)).append('\n');
                }
            }
            case AZURE -> {
                sb.append(String.join(",", format.fields())).append('\n');
                long t0 = t.arrivalPs(0);
                for (int i = 0; i < t.size(); i++) {
                    long hundredNs = Math.round((t.arrivalPs(i) - t0) / 100_000.0);
                    LocalDateTime at = AZURE_EPOCH.plusNanos(hundredNs * 100);
                    sb.append(AZURE.format(at)).append(',').append(t.promptTokens(i)).append(',')
                            .append(t.outputTokens(i)).append('\n');
                }
            }
            case MOONCAKE -> {
                for (int i = 0; i < t.size(); i++) {
                    sb.append("{\"timestamp\": ").append(decimal(t.arrivalPs(i), 9)).append(", \"input_length\": ")
                            .append(t.promptTokens(i)).append(", \"output_length\": ").append(t.outputTokens(i))
                            .append("}\n");
                }
            }
        }
        return sb.toString();
    }

    /** {@code ps} divided by 10^digits, as a plain decimal without trailing zeros. */
    private static String decimal(long ps, int digits) {
        BigDecimal v = BigDecimal.valueOf(ps).movePointLeft(digits).stripTrailingZeros();
        return v.scale() < 0 ? v.setScale(0).toPlainString() : v.toPlainString();
    }
}
