package dev.wafersim.core.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link TraceSink} that keeps what it is given in memory, for a chart of one step or a test. Holds at
 * most {@code maxSpans} spans and as many async spans, and ignores the rest ({@link #truncated()} says so):
 * a chart of one decode step needs thousands, not millions. Counters are not kept.
 */
public final class TraceRecorder implements TraceSink {
    /**
     * A recorded span.
     *
     * @param pid      its process
     * @param tid      its track
     * @param name     what ran
     * @param category its category (a latency category, a phase)
     * @param startPs  start, ps
     * @param durationPs length, ps
     */
    public record Span(int pid, int tid, String name, String category, long startPs, long durationPs) {
        /** End, ps. */
        public long endPs() {
            return startPs + durationPs;
        }
    }

    /**
     * A recorded async span (one that may overlap others of its track).
     *
     * @param pid        its process
     * @param trackName  the track it groups under
     * @param name       what ran
     * @param category   its category
     * @param startPs    start, ps
     * @param durationPs length, ps
     */
    public record AsyncSpan(int pid, String trackName, String name, String category, long startPs, long durationPs) {
        /** End, ps. */
        public long endPs() {
            return startPs + durationPs;
        }
    }

    private final int maxSpans;
    private final List<AsyncSpan> asyncSpans = new ArrayList<>();
    private final Map<Integer, String> processes = new LinkedHashMap<>();
    private final Map<Long, String> tracks = new LinkedHashMap<>();
    private final List<Span> spans = new ArrayList<>();
    private boolean truncated;

    /** A recorder of at most {@code maxSpans} spans. */
    public TraceRecorder(int maxSpans) {
        this.maxSpans = maxSpans;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public void process(int pid, String name, int sortIndex) {
        processes.put(pid, name);
    }

    @Override
    public void track(int pid, int tid, String name, int sortIndex) {
        tracks.put(((long) pid << 32) | (tid & 0xffffffffL), name);
    }

    @Override
    public void span(int pid, int tid, String name, String category, long startPs, long durationPs, String argKey,
                     double argValue) {
        if (spans.size() >= maxSpans) {
            truncated = true;
            return;
        }
        spans.add(new Span(pid, tid, name, category, startPs, durationPs));
    }

    @Override
    public void asyncSpan(int pid, String trackName, long id, String name, String category, long startPs,
                          long durationPs) {
        if (asyncSpans.size() >= maxSpans) {
            truncated = true;
            return;
        }
        asyncSpans.add(new AsyncSpan(pid, trackName, name, category, startPs, durationPs));
    }

    @Override
    public void counter(int pid, String name, long timePs, String[] series, double[] values) {
        // Counters are not part of a step's chart.
    }

    /** Process names by pid, in declaration order. */
    public Map<Integer, String> processes() {
        return Collections.unmodifiableMap(processes);
    }

    /** The name of track {@code tid} of process {@code pid}, or null. */
    public String trackName(int pid, int tid) {
        return tracks.get(((long) pid << 32) | (tid & 0xffffffffL));
    }

    /** The spans, in the order given. */
    public List<Span> spans() {
        return Collections.unmodifiableList(spans);
    }

    /** The async spans, in the order given. */
    public List<AsyncSpan> asyncSpans() {
        return Collections.unmodifiableList(asyncSpans);
    }

    /** True when spans were dropped for the bound. */
    public boolean truncated() {
        return truncated;
    }
}
