package dev.wafersim.cli;

import dev.wafersim.cli.chart.ChartFiles;
import dev.wafersim.cli.chart.TimelineChart;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.trace.ChromeTraceWriter;
import dev.wafersim.core.trace.TraceRecorder;
import dev.wafersim.core.trace.TraceSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The timeline options {@code run} and {@code compare} share (a picocli mixin): {@code --timeline} writes
 * a Chrome trace-event JSON file that the Perfetto UI (ui.perfetto.dev) and chrome://tracing open;
 * {@code --chart-timeline} draws the first decode step of each system as a Gantt chart.
 */
public final class TimelineOptions {
    /** Spans a chart keeps per system: one step of a large GPU cluster has a few thousand. */
    private static final int CHART_SPANS = 200_000;

    @Option(names = "--timeline", paramLabel = "FILE.json",
            description = "Write a timeline of the run (Chrome trace-event JSON: open it in ui.perfetto.dev or"
                    + " chrome://tracing): a process per device, a track per layer region or stream, a span per phase or"
                    + " kernel. Written whole or not at all.")
    Path timeline;

    @Option(names = "--timeline-tokens", paramLabel = "N",
            description = "Decode steps the timeline holds, from the first; 0 for all (default: ${DEFAULT-VALUE}).")
    int timelineTokens = 1;

    @Option(names = "--chart-timeline", paramLabel = "FILE.png",
            description = "Draw the first decode step of each system as a Gantt chart (a row per track, time in us; the"
                    + " middle tracks of a process with more than 10, a wafer's layer regions, share one row; overlapping"
                    + " work, a region's pipelined passes, as a pale band behind its row).")
    Path chart;

    /** An open timeline: the file being written and the steps being recorded for the chart. */
    public final class Session implements AutoCloseable {
        private final ChromeTraceWriter writer;
        private final List<TraceRecorder> recorders = new ArrayList<>();

        private Session() {
            if (timelineTokens < 0) {
                throw new ConfigException("--timeline-tokens=" + timelineTokens
                        + " is not allowed; expected an integer >= 0 (0: every step)");
            }
            this.writer = timeline == null ? null : new ChromeTraceWriter(timeline);
        }

        /** True when a timeline or its chart was asked for. */
        public boolean enabled() {
            return writer != null || chart != null;
        }

        /** Steps to record (0: all). */
        public int tokens() {
            return chart != null && writer == null ? 1 : timelineTokens;
        }

        /** The sink of system {@code i} of a command (its processes numbered apart from the others'). */
        public TraceSink sink(int i, String label) {
            TraceSink file = writer == null ? TraceSink.NONE : TraceSink.offset(writer, i * 100_000, label);
            TraceRecorder rec = chart == null ? null : new TraceRecorder(CHART_SPANS);
            while (recorders.size() <= i) {
                recorders.add(null);
            }
            recorders.set(i, rec);
            return TraceSink.tee(file, rec == null ? TraceSink.NONE : rec);
        }

        /**
         * Commits the timeline file and draws the chart; call once every system ran.
         *
         * @param labels        the systems' labels
         * @param firstStepPs   each system's first step latency, ps (the chart shows that step)
         * @param title         the chart's title
         * @param subtitle      the chart's subtitle
         */
        public void finish(List<String> labels, List<Long> firstStepPs, String title, String subtitle) {
            if (chart != null) {
                List<TimelineChart.Step> steps = new ArrayList<>();
                for (int i = 0; i < labels.size(); i++) {
                    TraceRecorder r = recorders.get(i);
                    TraceRecorder first = new TraceRecorder(CHART_SPANS);
                    r.processes().forEach((pid, name) -> first.process(pid, name, 0));
                    for (TraceRecorder.Span s : r.spans()) {
                        if (s.startPs() < firstStepPs.get(i)) {
                            first.track(s.pid(), s.tid(), r.trackName(s.pid(), s.tid()), 0);
                            first.span(s.pid(), s.tid(), s.name(), s.category(), s.startPs(), s.durationPs(), null, 0);
                        }
                    }
                    for (TraceRecorder.AsyncSpan s : r.asyncSpans()) {
                        if (s.startPs() < firstStepPs.get(i)) {
                            first.asyncSpan(s.pid(), s.trackName(), 0, s.name(), s.category(), s.startPs(),
                                    s.durationPs());
                        }
                    }
                    steps.add(new TimelineChart.Step(labels.get(i), first));
                }
                ChartFiles.save(TimelineChart.of(title, subtitle, steps), chart, false, 1200,
                        TimelineChart.preferredHeight(steps));
            }
            if (writer != null) {
                writer.commit();
            }
        }

        @Override
        public void close() {
            if (writer != null) {
                writer.close();
            }
        }
    }

    /** Opens the timeline of a command. */
    public Session open() {
        return new Session();
    }
}
