package dev.wafersim.core.trace;

/**
 * Where a simulation reports what happened when, for a timeline viewer: processes (a machine: a wafer, a
 * GPU, a serving replay), their tracks (a layer region, a kernel stream, a request slot), spans of time on
 * a track, overlapping spans, and counters. Times are simulated picoseconds.
 *
 * <p>Contract for producers: on one track, a span starts no earlier than the previous span on that track
 * started, and either ends before the next one starts or contains it (spans nest, never cross); spans that
 * overlap without nesting go through {@link #asyncSpan}. Counter samples of one counter come in time order.
 * Implementations may reject a call that breaks the contract.
 */
public interface TraceSink {
    /** A sink that records nothing: the default when no timeline was asked for. */
    TraceSink NONE = new TraceSink() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void process(int pid, String name, int sortIndex) {
        }

        @Override
        public void track(int pid, int tid, String name, int sortIndex) {
        }

        @Override
        public void span(int pid, int tid, String name, String category, long startPs, long durationPs,
                         String argKey, double argValue) {
        }

        @Override
        public void asyncSpan(int pid, String trackName, long id, String name, String category, long startPs,
                              long durationPs) {
        }

        @Override
        public void counter(int pid, String name, long timePs, String[] series, double[] values) {
        }
    };

    /**
     * A sink that passes everything to {@code inner} with process ids shifted by {@code pidOffset} and process
     * names prefixed with {@code prefix} (to put several systems in one trace).
     */
    static TraceSink offset(TraceSink inner, int pidOffset, String prefix) {
        return new TraceSink() {
            @Override
            public boolean enabled() {
                return inner.enabled();
            }

            @Override
            public void process(int pid, String name, int sortIndex) {
                inner.process(pid + pidOffset, prefix + name, pidOffset + sortIndex);
            }

            @Override
            public void track(int pid, int tid, String name, int sortIndex) {
                inner.track(pid + pidOffset, tid, name, sortIndex);
            }

            @Override
            public void span(int pid, int tid, String name, String category, long startPs, long durationPs,
                             String argKey, double argValue) {
                inner.span(pid + pidOffset, tid, name, category, startPs, durationPs, argKey, argValue);
            }

            @Override
            public void asyncSpan(int pid, String trackName, long id, String name, String category, long startPs,
                                  long durationPs) {
                inner.asyncSpan(pid + pidOffset, trackName, id, name, category, startPs, durationPs);
            }

            @Override
            public void asyncSpan(int pid, String trackName, long id, String name, String category, long startPs,
                                  long durationPs, String argKey, double argValue) {
                inner.asyncSpan(pid + pidOffset, trackName, id, name, category, startPs, durationPs, argKey, argValue);
            }

            @Override
            public void counter(int pid, String name, long timePs, String[] series, double[] values) {
                inner.counter(pid + pidOffset, name, timePs, series, values);
            }
        };
    }

    /** A sink that passes everything to both {@code a} and {@code b}. */
    static TraceSink tee(TraceSink a, TraceSink b) {
        if (!a.enabled()) {
            return b;
        }
        if (!b.enabled()) {
            return a;
        }
        return new TraceSink() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public void process(int pid, String name, int sortIndex) {
                a.process(pid, name, sortIndex);
                b.process(pid, name, sortIndex);
            }

            @Override
            public void track(int pid, int tid, String name, int sortIndex) {
                a.track(pid, tid, name, sortIndex);
                b.track(pid, tid, name, sortIndex);
            }

            @Override
            public void span(int pid, int tid, String name, String category, long startPs, long durationPs,
                             String argKey, double argValue) {
                a.span(pid, tid, name, category, startPs, durationPs, argKey, argValue);
                b.span(pid, tid, name, category, startPs, durationPs, argKey, argValue);
            }

            @Override
            public void asyncSpan(int pid, String trackName, long id, String name, String category, long startPs,
                                  long durationPs) {
                a.asyncSpan(pid, trackName, id, name, category, startPs, durationPs);
                b.asyncSpan(pid, trackName, id, name, category, startPs, durationPs);
            }

            @Override
            public void asyncSpan(int pid, String trackName, long id, String name, String category, long startPs,
                                  long durationPs, String argKey, double argValue) {
                a.asyncSpan(pid, trackName, id, name, category, startPs, durationPs, argKey, argValue);
                b.asyncSpan(pid, trackName, id, name, category, startPs, durationPs, argKey, argValue);
            }

            @Override
            public void counter(int pid, String name, long timePs, String[] series, double[] values) {
                a.counter(pid, name, timePs, series, values);
                b.counter(pid, name, timePs, series, values);
            }
        };
    }

    /** False when nothing is recorded (a producer may then skip building its events). */
    boolean enabled();

    /** Names process {@code pid}; {@code sortIndex} orders processes in a viewer. */
    void process(int pid, String name, int sortIndex);

    /** Names track {@code tid} of process {@code pid}; {@code sortIndex} orders the tracks. */
    void track(int pid, int tid, String name, int sortIndex);

    /**
     * A span on a track, with at most one numeric argument ({@code argKey} null for none).
     *
     * @param startPs    start, simulated ps
     * @param durationPs length, ps, >= 0
     */
    void span(int pid, int tid, String name, String category, long startPs, long durationPs, String argKey,
              double argValue);

    /**
     * A span that may overlap others on the same track ({@code trackName} groups them in a viewer; {@code id}
     * pairs its begin and end).
     */
    void asyncSpan(int pid, String trackName, long id, String name, String category, long startPs, long durationPs);

    /**
     * An async span with one numeric argument on its begin event ({@code argKey} null for none). Perfetto puts
     * async spans of one name in one process on as few tracks as their overlaps need, so a producer with many
     * overlapping spans of one kind (a region's passes) names them alike and tells them apart by the argument.
     * By default the argument is dropped.
     */
    default void asyncSpan(int pid, String trackName, long id, String name, String category, long startPs,
                           long durationPs, String argKey, double argValue) {
        asyncSpan(pid, trackName, id, name, category, startPs, durationPs);
    }

    /** A sample of a counter with one or more series (e.g. running requests, batch size). */
    void counter(int pid, String name, long timePs, String[] series, double[] values);
}
