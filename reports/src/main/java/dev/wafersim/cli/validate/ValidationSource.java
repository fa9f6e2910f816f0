package dev.wafersim.cli.validate;

import dev.wafersim.fabric.validation.CalibrationPoint;
import dev.wafersim.workloads.run.SystemKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A set of validation points {@code wafersim validate} runs: a name, the kind of machine they validate
 * and a way to compute them. Computing runs the simulations, so it may take seconds; it must be
 * deterministic. The table of sources is {@link ValidationSources#table()}.
 */
public interface ValidationSource {
    /** Short name, e.g. {@code gpu-decode}; {@code --source} selects by it. */
    String name();

    /** The machine the points validate. */
    SystemKind machine();

    /** One line: what the points are and where they come from. */
    String description();

    /** Runs the simulations and returns the points, in a stable order. */
    List<ValidationPoint> points();

    /**
     * A source whose points come as {@link CalibrationPoint}s (the project's format for published-versus-
     * simulated tables, with band and documented misses).
     */
    static ValidationSource ofCalibrationPoints(String name, SystemKind machine, String description,
                                                Supplier<List<CalibrationPoint>> points) {
        Objects.requireNonNull(points, "points");
        return of(name, machine, description, () -> {
            List<ValidationPoint> out = new ArrayList<>();
            for (CalibrationPoint p : points.get()) {
                out.add(ValidationPoint.of(p));
            }
            return out;
        });
    }

    /** A source from its parts. */
    static ValidationSource of(String name, SystemKind machine, String description,
                               Supplier<List<ValidationPoint>> points) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(points, "points");
        return new ValidationSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public SystemKind machine() {
                return machine;
            }

            @Override
            public String description() {
                return description;
            }

            @Override
            public List<ValidationPoint> points() {
                return List.copyOf(points.get());
            }
        };
    }
}
