package dev.wafersim.cli.sweep;

import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.core.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * The points of a sweep: the Cartesian product of its axes, numbered from 0 with the last axis varying
 * fastest (like nested loops written in axis order). Point {@code i}'s experiment is the base experiment
 * with each axis's value assigned in axis order.
 */
public final class SweepPlan {
    /** Most points a sweep may hold. */
    public static final long MAX_POINTS = 1_000_000;

    private final List<SweepAxis> axes;
    private final int points;

    /** A plan over {@code axes} (at least one). */
    public SweepPlan(List<SweepAxis> axes) {
        if (axes.isEmpty()) {
            throw new ConfigException("nothing to sweep; give --set KEY=V1,V2,... or a 'sweep:' section in --spec");
        }
        this.axes = List.copyOf(axes);
        long n = 1;
        for (SweepAxis a : axes) {
            n *= a.values().size();
            if (n > MAX_POINTS) {
                throw new ConfigException("the sweep has more than " + MAX_POINTS + " points; expected fewer (split it)");
            }
        }
        this.points = (int) n;
    }

    /** The axes, in order. */
    public List<SweepAxis> axes() {
        return axes;
    }

    /** The axes with more than one value. */
    public List<SweepAxis> varying() {
        return axes.stream().filter(SweepAxis::varies).toList();
    }

    /** Number of points. */
    public int size() {
        return points;
    }

    /** The values of point {@code i}, one per axis. */
    public List<String> values(int i) {
        List<String> out = new ArrayList<>(axes.size());
        int rest = i;
        for (int a = axes.size() - 1; a >= 0; a--) {
            List<String> vs = axes.get(a).values();
            out.add(0, vs.get(rest % vs.size()));
            rest /= vs.size();
        }
        return out;
    }

    /** Point {@code i}'s experiment: {@code base} with the point's values assigned. */
    public ExperimentSpec spec(ExperimentSpec base, int i) {
        List<String> v = values(i);
        ExperimentSpec s = base;
        for (int a = 0; a < axes.size(); a++) {
            s = s.assign(axes.get(a).key(), v.get(a), axes.get(a).origin());
        }
        return s;
    }
}
