package dev.wafersim.workloads.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * The JSON file of one decode result, as {@code run --json} writes it and {@code compare --json} lists
 * it: the program version, then every key of the {@link DecodeResult} at the top level, then (when
 * given) the label the result had in a comparison, the experiment that produced it (in the experiment-file
 * format, so {@code --config result.json} reruns it) and the experiment's hash.
 *
 * @param wafersimVersion the version of the program that produced it
 * @param result          the result
 * @param label           the system's label in a comparison, or null
 * @param experiment      the experiment in the experiment-file format, or null
 * @param experimentHash  SHA-256 of everything that determines the simulation, or null
 * @param ttft            the time to first token of a prompt ({@code run --prompt-tokens}), unwrapped; or null
 */
@JsonPropertyOrder({"wafersimVersion", "result", "ttft", "label", "experiment", "experimentHash"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultFile(String wafersimVersion, @JsonUnwrapped DecodeResult result, String label,
                         JsonNode experiment, String experimentHash, @JsonUnwrapped TtftFields ttft) {
    public ResultFile {
        Objects.requireNonNull(wafersimVersion, "wafersimVersion");
        Objects.requireNonNull(result, "result");
    }

    /** This file with the result's label in a comparison. */
    public ResultFile withLabel(String l) {
        return new ResultFile(wafersimVersion, result, l, experiment, experimentHash, ttft);
    }

    /** This file with the time to first token of a prompt. */
    public ResultFile withTtft(TtftFields t) {
        return new ResultFile(wafersimVersion, result, label, experiment, experimentHash, t);
    }
}
