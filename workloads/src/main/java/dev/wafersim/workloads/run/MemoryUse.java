package dev.wafersim.workloads.run;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a run keeps in the memory that limits it: HBM of the fullest GPU, or SRAM of a wafer.
 *
 * @param store       what is measured, e.g. {@code HBM per GPU} or {@code SRAM per wafer}
 * @param usedBytes   bytes in use (the sum of the parts)
 * @param usableBytes bytes available to the model (capacity minus what the runtime keeps)
 * @param partsBytes  the parts, in display order, e.g. weights, kvCache, activations; in JSON each is a key
 *                    of its own, the part's name followed by {@code Bytes}
 */
@JsonPropertyOrder({"store", "usedBytes", "usableBytes"})
public record MemoryUse(String store, long usedBytes, long usableBytes, @JsonIgnore Map<String, Long> partsBytes) {
    public MemoryUse {
        Objects.requireNonNull(store, "store");
        partsBytes = Collections.unmodifiableMap(new LinkedHashMap<>(partsBytes));
        long sum = 0;
        for (long v : partsBytes.values()) {
            sum += v;
        }
        if (sum != usedBytes) {
            throw new IllegalArgumentException("memory parts sum to " + sum + " bytes, not usedBytes=" + usedBytes);
        }
        if (usableBytes <= 0) {
            throw new IllegalArgumentException("usableBytes must be positive, got " + usableBytes);
        }
    }

    /** The parts as JSON keys: {@code weightsBytes}, {@code kvCacheBytes}, ... */
    @JsonAnyGetter
    Map<String, Long> partsAsKeys() {
        Map<String, Long> m = new LinkedHashMap<>();
        partsBytes.forEach((k, v) -> m.put(k + "Bytes", v));
        return m;
    }

    /** Fraction of the usable bytes in use. */
    @JsonIgnore
    public double fractionUsed() {
        return (double) usedBytes / usableBytes;
    }
}
