package dev.wafersim.cli.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wafersim.core.trace.TraceRecorder;
import java.util.Arrays;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.junit.jupiter.api.Test;

/** The Gantt chart's rows: a wafer's many regions folded, async spans drawn on their track's row. */
class TimelineChartTest {
    /**
     * A process of 34 tracks (a table, 32 layers, a head, one after another as on a wafer) keeps 3 tracks at
     * each end on rows of their own and draws the 28 between on one row: 3 + 1 + 3 = 7 rows.
     */
    @Test
    void of_processWithManyTracks_middleTracksShareOneRow() {
        TraceRecorder rec = wafer(false);
        JFreeChart chart = TimelineChart.of("t", "s", List.of(new TimelineChart.Step("wse3", rec)));
        String[] rows = ((SymbolAxis) ((XYPlot) chart.getPlot()).getDomainAxis()).getSymbols();
        assertEquals(List.of("wafer 0 / embedding (1 x 1 PEs)", "wafer 0 / layer 0 (1 x 1 PEs)",
                "wafer 0 / layer 1 (1 x 1 PEs)", "wafer 0 / layer 2 ... layer 29 (28 tracks on one row)",
                "wafer 0 / layer 30 (1 x 1 PEs)", "wafer 0 / layer 31 (1 x 1 PEs)", "wafer 0 / LM head (1 x 1 PEs)"),
                Arrays.asList(rows));
        // 34 spans of one category, all drawn: on 7 rows, none dropped.
        XYIntervalSeriesCollection data = (XYIntervalSeriesCollection) ((XYPlot) chart.getPlot()).getDataset();
        assertEquals(1, data.getSeriesCount());
        assertEquals(34, data.getItemCount(0));
        assertEquals(400, TimelineChart.preferredHeight(List.of(new TimelineChart.Step("wse3", rec))));
    }

    /** An async track named "layer 5 passes" is drawn on the row of track "layer 5 (...)", first (underneath). */
    @Test
    void of_asyncSpansOfATrack_drawnOnItsRowBeforeTheSpans() {
        TraceRecorder rec = wafer(true);
        JFreeChart chart = TimelineChart.of("t", "s", List.of(new TimelineChart.Step("wse3", rec)));
        XYIntervalSeriesCollection data = (XYIntervalSeriesCollection) ((XYPlot) chart.getPlot()).getDataset();
        assertEquals(TimelineChart.IN_FLIGHT, data.getSeriesKey(0));
        assertEquals(2, data.getItemCount(0));
        // Layer 5 is in the middle group: row 3. Layer 31 is row 5.
        assertEquals(3.0, data.getXValue(0, 0));
        assertEquals(5.0, data.getXValue(0, 1));
    }

    /** Spans of 1 us one after another on 34 tracks: table, layers 0-31, head. */
    private static TraceRecorder wafer(boolean async) {
        TraceRecorder rec = new TraceRecorder(1000);
        rec.process(2000, "wafer 0", 0);
        for (int k = 0; k < 34; k++) {
            String name = k == 0 ? "embedding" : k == 33 ? "LM head" : "layer " + (k - 1);
            rec.track(2000, k + 1, name + " (1 x 1 PEs)", k + 1);
            rec.span(2000, k + 1, "work", "compute", k * 1_000_000L, 1_000_000L, null, 0);
        }
        if (async) {
            rec.asyncSpan(2000, "layer 5 passes", 1, "pass 0", "compute", 0, 3_000_000L);
            rec.asyncSpan(2000, "layer 31 passes", 2, "pass 0", "compute", 0, 3_000_000L);
        }
        return rec;
    }
}
