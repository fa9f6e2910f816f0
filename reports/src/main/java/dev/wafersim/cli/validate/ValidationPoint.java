package dev.wafersim.cli.validate;

import dev.wafersim.fabric.validation.CalibrationPoint;
import java.util.Objects;

/**
 * One validation point: a published value, the simulator's value for the same setup, and the band the
 * point is held to.
 *
 * @param id        stable identifier, e.g. {@code G2}
 * @param what      what was measured, with its conditions
 * @param unit      unit of both values
 * @param published the published (measured) value
 * @param simulated the simulator's value
 * @param bandPct   allowed |error|, percent, stated before the model was run on the point
 * @param fitted    true when the point was used to fit a parameter (a calibration point), false for an
 *                  independent check
 * @param knownMiss true when the point is documented to fall outside its band; {@code reason} says why
 * @param reason    why the point misses, or what it depends on; may be empty
 * @param reference where the published value comes from
 */
public record ValidationPoint(String id, String what, String unit, double published, double simulated,
                              double bandPct, boolean fitted, boolean knownMiss, String reason, String reference) {
    public ValidationPoint {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(reference, "reference");
        if (knownMiss && reason.isBlank()) {
            throw new IllegalArgumentException(id + ": a known miss needs a reason");
        }
    }

    /** The verdict of a point. */
    public enum Status {
        /** Within its band. */
        PASS,
        /** Outside its band, as documented (a known miss with its reason): does not fail validation. */
        MISS,
        /** Outside its band without being a documented miss: fails validation. */
        FAIL
    }

    /** The point of a calibration table ({@code fabric.gpu.CalibrationPoint}). */
    public static ValidationPoint of(CalibrationPoint p) {
        return new ValidationPoint(p.id(), p.quantity(), p.unit(), p.measured(), p.model(), p.bandPct(), p.fitted(),
                p.knownMiss(), p.note(), p.source());
    }

    /** Relative error of the simulated value, percent: {@code 100 (simulated - published) / published}. */
    public double errorPct() {
        return 100 * (simulated - published) / published;
    }

    /** True when |error| is within the band. */
    public boolean withinBand() {
        return Math.abs(errorPct()) <= bandPct;
    }

    /** PASS within the band; outside it MISS for a documented miss, FAIL otherwise. */
    public Status status() {
        return withinBand() ? Status.PASS : knownMiss ? Status.MISS : Status.FAIL;
    }

    /** True for a documented miss that is now within its band (the documentation should be updated). */
    public boolean missNowPasses() {
        return knownMiss && withinBand();
    }
}
