package dev.wafersim.workloads.run;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.wafersim.core.time.Ticks;
import dev.wafersim.workloads.step.TimeToFirstToken;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The time to first token of a run's prompt as result files carry it, at the top level: {@code promptTokens},
 * {@code prefillChunkTokens}, {@code ttftPrefillPasses}, {@code ttftMs} and {@code ttftBreakdownMs} (the
 * categories of the machine's kind, ms, summing to {@code ttftMs}).
 */
@JsonPropertyOrder({"promptTokens", "prefillChunkTokens", "ttftPrefillPasses", "ttftMs", "ttftBreakdownMs"})
public record TtftFields(long promptTokens, int prefillChunkTokens, int ttftPrefillPasses, double ttftMs,
                         Map<String, Double> ttftBreakdownMs) {
    /** The fields of {@code t} on a {@code kind} machine. */
    public static TtftFields of(TimeToFirstToken t, SystemKind kind) {
        Map<String, Double> bd = new LinkedHashMap<>();
        for (LatencyCategory c : LatencyCategory.values()) {
            if (c.appliesTo(kind)) {
                bd.put(c.key(), Ticks.toMillis(t.breakdownPs(c)));
            }
        }
        return new TtftFields(t.promptTokens(), t.chunkTokens(), t.passes(), Ticks.toMillis(t.latencyPs()), bd);
    }
}
