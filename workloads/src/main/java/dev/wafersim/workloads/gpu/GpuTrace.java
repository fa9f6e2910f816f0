package dev.wafersim.workloads.gpu;

import dev.wafersim.core.trace.TraceSink;
import dev.wafersim.fabric.gpu.GpuRunResult;
import dev.wafersim.fabric.gpu.GpuTimeline;
import dev.wafersim.fabric.gpu.ItemKind;
import dev.wafersim.fabric.gpu.TimeCategory;
import java.util.Locale;

/**
 * A GPU cluster's decode steps as a timeline: a process per GPU, with two tracks. {@code stream} holds what
 * the device runs, item by item (kernels named by their op, collectives and transfers), each span in the
 * latency category of its time ({@code weightReads}, {@code kvCacheReads}, {@code elementwise},
 * {@code compute}, {@code communication}); {@code waits} holds the device's gaps before an item: waiting for
 * the host to launch it ({@code launchOverhead}) or for partner GPUs at a collective or a receive
 * ({@code idle}). A step's spans
 * and gaps tile the step exactly on the critical GPU, so they sum to the step's latency.
 */
final class GpuTrace {
    private static final int STREAM = 1;
    private static final int WAITS = 2;

    private GpuTrace() {
    }

    /** Names the processes and tracks of a {@code gpus}-GPU cluster laid out as {@code layout}. */
    static void declare(TraceSink sink, GpuLayout layout) {
        for (int g = 0; g < layout.gpus(); g++) {
            int pid = pid(g);
            sink.process(pid, String.format(Locale.ROOT, "GPU %d (stage %d, tp rank %d)", g, g / layout.tp(),
                    g % layout.tp()), g);
            sink.track(pid, STREAM, "stream", 0);
            sink.track(pid, WAITS, "waits", 1);
        }
    }

    /** The spans of one step that started at {@code offsetPs}. */
    static void step(TraceSink sink, GpuRunResult r, long offsetPs, int token) {
        for (int g = 0; g < r.gpuCount(); g++) {
            GpuTimeline t = r.timeline(g);
            int pid = pid(g);
            for (int i = 0; i < t.size(); i++) {
                long free = t.freePs(i);
                long ready = Math.max(free, t.readyPs(i));
                long active = Math.max(ready, t.activePs(i));
                long end = Math.max(active, t.endPs(i));
                if (ready > free) {
                    sink.span(pid, WAITS, "launch", key(TimeCategory.LAUNCH), offsetPs + free, ready - free,
                            "token", token);
                }
                if (active > ready) {
                    sink.span(pid, WAITS, "wait for partners", key(TimeCategory.IDLE), offsetPs + ready,
                            active - ready, "token", token);
                }
                if (t.kind(i) == ItemKind.HOST_SYNC || end == active) {
                    continue;
                }
                TimeCategory c = t.category(i);
                sink.span(pid, STREAM, t.label(i), c == null ? "host" : key(c), offsetPs + active, end - active,
                        "token", token);
            }
        }
    }

    private static String key(TimeCategory c) {
        return GpuDecodeSimulator.latencyCategory(c).key();
    }

    private static int pid(int gpu) {
        return 1000 + gpu;
    }
}
