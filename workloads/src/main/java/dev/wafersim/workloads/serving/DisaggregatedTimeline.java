package dev.wafersim.workloads.serving;

import dev.wafersim.core.trace.TraceSink;
import dev.wafersim.workloads.serving.DisaggregatedResult.Phase;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.Locale;

/**
 * The timeline of a disaggregated replay, written after it from the per-request phase timestamps (nothing is
 * recorded during the replay): one process, a track per request slot with each request's five phase spans
 * ({@link Phase}), and every KV transfer as an async span on the {@code KV link} track (from its start on the link
 * to its arrival at the decode side; transfers overlap there by the latency).
 */
public final class DisaggregatedTimeline {
    /** Process id of the replay in a timeline. */
    static final int PID = 1;

    private DisaggregatedTimeline() {
    }

    /**
     * Writes {@code r}'s timeline to {@code sink} as process {@code processName}. A request takes the lowest slot
     * free at its arrival (free once the previous request on it completed).
     */
    public static void write(DisaggregatedResult r, TraceSink sink, String processName) {
        if (!sink.enabled()) {
            return;
        }
        ServingResult c = r.combined();
        sink.process(PID, processName, 0);
        LongArrayList freeAt = new LongArrayList();
        for (int i = 0; i < c.requests(); i++) {
            if (!c.completed(i)) {
                continue;
            }
            long arrival = c.queuedPs(i);
            int lane = 0;
            while (lane < freeAt.size() && freeAt.getLong(lane) > arrival) {
                lane++;
            }
            if (lane == freeAt.size()) {
                freeAt.add(0);
                sink.track(PID, lane + 1, "slot " + lane, lane + 1);
            }
            freeAt.set(lane, c.completionPs(i));
            long[] starts = {arrival, r.prefillStartPs(i), r.prefillEndPs(i), r.kvEndPs(i), r.decodeStartPs(i)};
            for (Phase p : Phase.values()) {
                long d = r.phasePs(p, i);
                if (d < 0) {
                    continue;
                }
                String name = switch (p) {
                    case PREFILL -> "prefill " + c.trace().promptTokens(i) + " tokens";
                    case KV_TRANSFER -> String.format(Locale.ROOT, "KV transfer %.1f MB", r.kvBytes(i) / 1e6);
                    case DECODE -> "decode " + (c.trace().outputTokens(i) - 1) + " tokens";
                    default -> p.words();
                };
                sink.span(PID, lane + 1, name, p.key(), starts[p.ordinal()], d, "request", i);
            }
            if (r.kvStartPs(i) >= 0) {
                sink.asyncSpan(PID, "KV link", i, String.format(Locale.ROOT, "request %d: %.1f MB", i,
                        r.kvBytes(i) / 1e6), "kvTransfer", r.kvStartPs(i), r.kvEndPs(i) - r.kvStartPs(i));
            }
        }
    }
}
