package dev.wafersim.workloads.serving;

import java.util.List;
import java.util.Locale;

/**
 * The request-trace file formats {@link TraceReader} reads and {@link TraceWriter} writes.
 * <ul>
 *   <li>{@link #WAFERSIM}: CSV with the header {@code arrival_s,prompt_tokens,output_tokens} (arrival in
 *       seconds, as given; other columns are ignored);</li>
 *   <li>{@link #AZURE}: CSV of the Azure LLM inference traces (Azure/AzurePublicDataset, 2023 and 2024):
 *       {@code TIMESTAMP} (a date-time such as {@code 2023-11-16 18:15:46.6805900}, optionally with a
 *       {@code T} and a UTC offset; taken as UTC without one), {@code ContextTokens},
 *       {@code GeneratedTokens}; arrival = seconds since the first row's timestamp;</li>
 *   <li>{@link #MOONCAKE}: JSON Lines in the style of the Mooncake traces (FAST 2025): one object per line
 *       with {@code timestamp} (ms, as given), {@code input_length}, {@code output_length} and optionally
 *       {@code hash_ids} (the prompt's prefix-block hashes: validated, not used, since prefix caching is
 *       not modelled); other fields are ignored.</li>
 *   <li>{@link #WAFERSIM_SESSIONS}: CSV of sessions with the header
 *       {@code session,arrival_s,think_s,prompt_tokens,output_tokens}: one row per turn, a session's turns in
 *       order; a session's first row gives its arrival (s) and no think time, every later row a think time
 *       (s, after the previous answer reached the client) and no arrival; a later turn's prompt must hold
 *       the previous prompt and answer plus at least one new token.</li>
 * </ul>
 */
public enum TraceFormat {
    WAFERSIM("wafersim", List.of("arrival_s", "prompt_tokens", "output_tokens")),
    AZURE("azure", List.of("TIMESTAMP", "ContextTokens", "GeneratedTokens")),
    MOONCAKE("mooncake", List.of("timestamp", "input_length", "output_length")),
    WAFERSIM_SESSIONS("wafersim-sessions", List.of("session", "arrival_s", "think_s", "prompt_tokens", "output_tokens"));

    private final String word;
    private final List<String> fields;

    TraceFormat(String word, List<String> fields) {
        this.word = word;
        this.fields = fields;
    }

    /** The name options and messages use. */
    public String word() {
        return word;
    }

    /** The fields: arrival, prompt and output, in that order (sessions: session, arrival, think, prompt, output). */
    public List<String> fields() {
        return fields;
    }

    /** The format named {@code word}, or null. */
    public static TraceFormat find(String word) {
        String w = word == null ? "" : word.trim().toLowerCase(Locale.ROOT);
        for (TraceFormat f : values()) {
            if (f.word.equals(w)) {
                return f;
            }
        }
        return null;
    }
}
