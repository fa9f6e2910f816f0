package dev.wafersim.fabric.validation;

import java.util.Locale;
import java.util.Objects;

/**
 * One published measurement and the model's value for it.
 *
 * @param id        short stable identifier (e.g. {@code AR-A100-4x-16KB})
 * @param preset    the GPU preset the model value comes from
 * @param quantity  what was measured, with its conditions
 * @param unit      unit of {@code measured} and {@code model} ({@code us} or {@code GB/s})
 * @param measured  the published value
 * @param model     the model's value
 * @param fitted    true when the point was used to fit a parameter; false for an independent check
 * @param bandPct   the band in percent the point's regime is held to (stated per regime, before the fit)
 * @param knownMiss true when the model is known to miss the band for this point; {@code note} says why.
 *                  The tests hold every point to {@code withinBand() == !knownMiss}, so a miss cannot
 *                  hide and a fixed miss must be relabelled.
 * @param source    where the measured value comes from
 * @param note      why the point misses or what it depends on; empty when nothing to add
 */
public record CalibrationPoint(String id, String preset, String quantity, String unit, double measured,
                               double model, boolean fitted, double bandPct, boolean knownMiss, String source,
                               String note) {
    public CalibrationPoint {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(note, "note");
        if (!(measured > 0)) {
            throw new IllegalArgumentException(id + ": measured value must be positive");
        }
        if (!(bandPct > 0)) {
            throw new IllegalArgumentException(id + ": band must be positive");
        }
        if (knownMiss && note.isEmpty()) {
            throw new IllegalArgumentException(id + ": a known miss needs a note saying why");
        }
    }

    /** Relative error of the model, in percent: {@code 100 (model - measured) / measured}. */
    public double errorPct() {
        return 100 * (model - measured) / measured;
    }

    /** True when |error| is within the band. */
    public boolean withinBand() {
        return Math.abs(errorPct()) <= bandPct;
    }

    /** One table row: id, measured, model, unit, error, band, ok/MISS, fit/check. */
    public String row() {
        return String.format(Locale.ROOT, "%-34s %10.1f %10.1f %-5s %+7.1f%%  ±%-4.0f %-4s %s", id, measured, model,
                unit, errorPct(), bandPct, withinBand() ? "ok" : "MISS", fitted ? "fit" : "check");
    }
}
