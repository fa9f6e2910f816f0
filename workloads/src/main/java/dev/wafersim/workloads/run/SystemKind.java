package dev.wafersim.workloads.run;

import java.util.Locale;

/** The two kinds of machine wafersim compares. */
public enum SystemKind {
    /** A Cerebras wafer-scale engine (weights in on-chip SRAM). */
    WAFER,
    /** A cluster of HBM GPUs. */
    GPU;

    /** Lower-case name for JSON and messages ({@code wafer}, {@code gpu}). */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
