package dev.wafersim.workloads.wafer;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.wafer.WseParams;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The layer-regions strategies: every layer in its own rectangular region, all regions of one size
 * (a slot), slots arranged in columns (stacks) across the wafer and visited in a snake: down the
 * first stack, up the second, and so on, so that consecutive layers are neighbours and the hidden
 * state moves one hop between them. Regions in stacks that run upwards are flipped (input edge at
 * the bottom). The LM head and an untied embedding table take as many stacked slots as their table
 * needs. Layers are split evenly across wafers; the first wafer holds the embedding table, the last
 * the LM head (with a tied table, the first wafer keeps its own copy for lookups).
 *
 * <pre>
 *   stack 0      stack 1      stack 2
 *  +--------+   +--------+   +--------+
 *  | embed  |   | L 9  ^ |   | L 10 | |
 *  | L 0  | |   | L 8  | |   | L 11 v |
 *  | L 1  v |   | L 7  | |   | ...    |
 *  | ...    |   | ...    |   |        |
 *  | L 4  --+-->| L 5    |   | head   |
 *  +--------+   +--------+   +--------+
 * </pre>
 *
 * <p>Slot size: the default ({@code layer-regions}) picks the largest slot that still leaves room
 * for every segment, so the whole wafer works on each token (more PEs per layer: less local work per
 * PE, longer broadcasts and reductions); {@code layer-regions-packed} picks the smallest slot that
 * holds a layer, leaving the rest of the wafer idle. A layer fits a slot when the largest per-PE share
 * of its weights, KV cache (for the whole run) and buffers fits a PE's SRAM after the code reserve.
 */
final class LayerRegions implements MappingStrategy {
    private static final int MAX_STACKS = 128;
    private static final int MAX_PER_STACK = 256;
    private final boolean spread;

    LayerRegions(boolean spread) {
        this.spread = spread;
    }

    @Override
    public String name() {
        return spread ? "layer-regions" : "layer-regions-packed";
    }

    @Override
    public String description() {
        return spread ? "one region per layer, regions as large as the wafer allows (default)"
                : "one region per layer, regions as small as their data allows";
    }

    /**
     * Places the model; with {@code wafers == 0} on the fewest wafers that hold it. Tile columns are
     * first padded as configured ({@code mapping.tilePadElements}); when that layout does not fit, the
     * columns are packed densely (padding 2) before giving up: capacity first, the bank conflicts of
     * dense columns then cost cycles in the simulation.
     */
    @Override
    public Placement place(ModelSpec model, DecodeWorkload workload, WaferDecodeConfig cfg, int wafers) {
        int pad = cfg.mapping().tilePadElements();
        int[] pads = pad > 2 ? new int[] {pad, 2} : new int[] {pad};
        if (wafers > model.numLayers()) {
            throw new ConfigException(String.format(Locale.ROOT, "--wafers=%d is not allowed for %s: layers are split"
                    + " across wafers and it has %d, so at most %d wafers", wafers, model.name(), model.numLayers(),
                    model.numLayers()));
        }
        if (wafers > 0) {
            for (int pd : pads) {
                Placement p = tryPlace(model, workload, cfg, wafers, pd);
                if (p != null) {
                    return p;
                }
            }
            if (splitLayers(model, workload, wafers) == null) {
                throw tooManyWafers(model, workload, cfg, wafers);
            }
            throw doesNotFit(model, workload, cfg, wafers, true);
        }
        for (int n = 1; n <= 64; n++) {
            for (int pd : pads) {
                Placement p = tryPlace(model, workload, cfg, n, pd);
                if (p != null) {
                    return p;
                }
            }
        }
        throw doesNotFit(model, workload, cfg, 64, false);
    }

    /**
     * The error for a wafer count the split cannot use: the layers go to wafers in proportion, the first
     * wafer's embedding table and the last wafer's LM head counting as layers of their bytes, so with too
     * many wafers one of them gets no layer. Names the largest count the split can use and the smallest
     * that holds the model.
     */
    private ConfigException tooManyWafers(ModelSpec model, DecodeWorkload w, WaferDecodeConfig cfg, int wafers) {
        int largest = 0;
        for (int n = 1; n <= model.numLayers(); n++) {
            if (splitLayers(model, w, n) != null) {
                largest = n;
            }
        }
        double layerBytes = model.layerWeightBytes(w.precision());
        double table = model.embeddingTableBytes(w.precision()) / layerBytes;
        double head = (model.tiedEmbeddings() ? model.embeddingTableBytes(w.precision())
                : model.lmHeadWeightBytes(w.precision())) / layerBytes;
        int min = smallestThatHolds(model, w, cfg, wafers, true);
        return new ConfigException(String.format(Locale.ROOT,
                "--wafers=%d is more than the %s mapping can use for %s: its %d layers are split across the wafers in"
                + " proportion to their bytes, the embedding table counting as %.1f layers on the first wafer and the"
                + " LM head as %.1f on the last, so with %d wafers one of them would get no layer; expected at most %d"
                + " wafers; %s", wafers, name(), model.name(), model.numLayers(), table, head, wafers, largest,
                min > 0 ? "the smallest number of wafers that holds it is " + min + " (use --wafers " + min + ")"
                        : "no wafer count up to " + largest + " holds it"));
    }

    /**
     * The smallest wafer count other than {@code except} that holds the model, or -1; counts up to
     * {@code except} are tried only when {@code except} was asked for (an automatic search has tried them).
     */
    private int smallestThatHolds(ModelSpec model, DecodeWorkload w, WaferDecodeConfig cfg, int except, boolean asked) {
        long need = w.weightBytes(model) + w.peakKvCacheBytes(model);
        long perWafer = cfg.wse().dataBytesPerWafer();
        for (int n = asked ? 1 : except + 1; n <= model.numLayers(); n++) {
            if (n == except || (double) need / n > perWafer) {
                continue;
            }
            if (tryPlace(model, w, cfg, n, 2) != null) {
                return n;
            }
        }
        return -1;
    }

    private ConfigException doesNotFit(ModelSpec model, DecodeWorkload w, WaferDecodeConfig cfg, int wafers,
                                       boolean asked) {
        WseParams wp = cfg.wse();
        long weights = w.weightBytes(model);
        long kv = w.peakKvCacheBytes(model);
        long perWafer = wp.dataBytesPerWafer();
        int min = smallestThatHolds(model, w, cfg, wafers, asked);
        long need = weights + kv;
        long have = perWafer * wafers;
        return new ConfigException(String.format(Locale.ROOT,
                "%s (%s, batch %d, %d + %d tokens) does not fit on %d %s wafer(s): it needs %.2f GB of SRAM for"
                + " weights and %.2f GB for the KV cache, plus per-PE buffers; %d wafer(s) hold %.2f GB of data"
                + " (%,d PEs x %,d B after the code reserve)%s; %s",
                model.name(), w.precision().label(), w.batchSize(), w.contextTokens(), w.tokensToGenerate(), wafers,
                wp.clock().name(), weights / 1e9, kv / 1e9, wafers, have / 1e9, (long) wp.peCount() * wafers,
                wp.sram().dataBytesPerPe(), need > have ? String.format(Locale.ROOT, ", short by %.2f GB",
                        (need - have) / 1e9) : ", but no layout of equal regions holds every layer",
                min > 0 ? "the smallest number of wafers that holds it is " + min + " (use --wafers " + min + ")"
                        : "no wafer count up to " + model.numLayers() + " (one layer per wafer) holds it"));
    }

    private Placement tryPlace(ModelSpec model, DecodeWorkload w, WaferDecodeConfig cfg, int n, int pad) {
        int layers = model.numLayers();
        if (n > layers) {
            return null;
        }
        List<Placement.WaferLayout> out = new ArrayList<>();
        int[] split = splitLayers(model, w, n);
        if (split == null) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            int from = split[i];
            int to = split[i + 1];
            boolean emb = i == 0 && (!model.tiedEmbeddings() || n > 1);
            boolean head = i == n - 1;
            Placement.WaferLayout wl = layoutWafer(model, w, cfg, i, from, to, emb, head, pad);
            if (wl == null) {
                return null;
            }
            out.add(wl);
        }
        return new Placement(name(), List.copyOf(out), pad);
    }

    /**
     * Splits the layers over n wafers so that each wafer needs about the same number of layer-sized
     * regions: the first wafer also holds the embedding table and the last the LM head, each worth
     * (table bytes / layer bytes) layers, so they get fewer layers. Returns the first layer of each
     * wafer and the layer count at the end, or null when a wafer would get no layer.
     */
    static int[] splitLayers(ModelSpec model, DecodeWorkload w, int n) {
        int layers = model.numLayers();
        double layerBytes = (double) model.layerWeightBytes(w.precision());
        double table = (double) model.embeddingTableBytes(w.precision());
        double headBytes = model.tiedEmbeddings() ? table : (double) model.lmHeadWeightBytes(w.precision());
        double extraFirst = (!model.tiedEmbeddings() || n > 1) ? table / layerBytes : 0;
        double extraLast = headBytes / layerBytes;
        if (n == 1) {
            return new int[] {0, layers};
        }
        double perWafer = (layers + extraFirst + extraLast) / n;
        int[] split = new int[n + 1];
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += perWafer - (i == 0 ? extraFirst : 0) - (i == n - 1 ? extraLast : 0);
            split[i + 1] = i == n - 1 ? layers : (int) Math.round(acc);
        }
        for (int i = 0; i < n; i++) {
            if (split[i + 1] <= split[i]) {
                return null;
            }
        }
        return split;
    }

    private Placement.WaferLayout layoutWafer(ModelSpec model, DecodeWorkload w, WaferDecodeConfig cfg, int index,
                                              int from, int to, boolean emb, boolean head, int pad) {
        WseParams wp = cfg.wse();
        int width = wp.gridWidthPes();
        int height = wp.gridHeightPes();
        long finalPositions = w.finalPositions();
        // Layers of distinct shapes (e.g. sliding and full attention) must each fit a slot.
        Set<Integer> probe = new LinkedHashSet<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int l = from; l < to; l++) {
            if (seen.add(model.layerShape(l).key())) {
                probe.add(l);
            }
        }
        int nLayers = to - from;
        int bestC = -1;
        int bestR = -1;
        int bestNc = 0;
        int bestNr = 0;
        int bestKh = 0;
        int bestKe = 0;
        for (int nc = 1; nc <= Math.min(width / 2, MAX_STACKS); nc++) {
            int cols = width / nc;
            boolean anyRow = false;
            for (int nr = 1; nr <= Math.min(height / 2, MAX_PER_STACK); nr++) {
                int rows = height / nr;
                if (!layersFit(model, probe, cols, rows, w, finalPositions, cfg, pad)) {
                    break;
                }
                anyRow = true;
                int kh = head ? minSlots(model, cols, rows, nr, w, cfg, false, pad) : 0;
                int ke = emb ? minSlots(model, cols, rows, nr, w, cfg, true, pad) : 0;
                if (kh < 0 || ke < 0) {
                    continue;
                }
                if (!packs(counts(ke, nLayers, kh), nc, nr)) {
                    continue;
                }
                long area = (long) cols * rows;
                long bestArea = (long) bestC * bestR;
                boolean better;
                if (bestC < 0) {
                    better = true;
                } else if (spread) {
                    better = estimate(model, cols, rows, wp) < estimate(model, bestC, bestR, wp);
                } else {
                    better = area < bestArea || (area == bestArea && Math.abs(cols - rows) < Math.abs(bestC - bestR));
                }
                if (better) {
                    bestC = cols;
                    bestR = rows;
                    bestNc = nc;
                    bestNr = nr;
                    bestKh = kh;
                    bestKe = ke;
                }

            }
            if (!anyRow) {
                break;
            }
        }
        if (bestC < 0) {
            return null;
        }
        // Assign slots in snake order.
        List<Segment> segs = new ArrayList<>();
        int[] counts = counts(bestKe, nLayers, bestKh);
        int stack = 0;
        int used = 0;
        for (int i = 0; i < counts.length; i++) {
            int k = counts[i];
            if (used + k > bestNr) {
                stack++;
                used = 0;
            }
            boolean up = (stack & 1) == 1;
            int x0 = stack * bestC;
            int y0 = up ? (bestNr - used - k) * bestR : used * bestR;
            Region region = new Region(x0, y0, bestC, k * bestR, up);
            used += k;
            Segment seg;
            if (emb && i == 0) {
                seg = new Segment(Segment.Kind.EMBEDDING, -1, region, LayerPlan.embedding(model, bestC, k * bestR,
                        w.batchSize(), cfg.mapping().sequencesPerPass(), w.precision(), cfg.mapping().accumulate(), cfg.wse(), pad));
            } else if (head && i == counts.length - 1) {
                seg = new Segment(Segment.Kind.HEAD, -1, region, LayerPlan.head(model, bestC, k * bestR, w.batchSize(),
                        cfg.mapping().sequencesPerPass(), w.precision(), cfg.mapping().accumulate(), cfg.wse(), pad));
            } else {
                int layer = from + i - (emb ? 1 : 0);
                seg = new Segment(Segment.Kind.LAYER, layer, region, new LayerPlan(model, layer, bestC, bestR,
                        w.batchSize(), cfg.mapping().sequencesPerPass(), finalPositions, w.precision(), cfg.mapping().accumulate(), cfg.wse(), pad));
            }
            segs.add(seg);
        }
        return new Placement.WaferLayout(index, List.copyOf(segs), bestC, bestR, bestNc, bestNr);
    }

    /**
     * A rough estimate, in cycles, of one layer's decode step on a cols x rows region, used only to
     * choose the slot shape: local multiply-adds (the weights a token uses, i.e. only the routed
     * experts of a mixture, spread over the region at 4 per cycle, the fp16 rate of a 64-bit-port
     * SRAM) plus its chain reductions and broadcasts, three
     * along rows and three along columns, each (2 T_R + 2) cycles per PE. The simulation, not this
     * estimate, gives the reported latency.
     */
    static double estimate(ModelSpec model, int cols, int rows, WseParams wp) {
        double idleExperts = model.isMixtureOfExperts()
                ? (double) (model.numExperts() - model.expertsPerToken()) * model.parametersPerFfn() : 0;
        double weights = model.parametersPerLayer() - idleExperts;
        double stage = 2.0 * wp.rampLatencyCycles() + 2;
        return weights / (4.0 * cols * rows) + 3 * stage * (cols + rows);
    }

    private static int[] counts(int ke, int layers, int kh) {
        int n = (ke > 0 ? 1 : 0) + layers + (kh > 0 ? 1 : 0);
        int[] c = new int[n];
        int i = 0;
        if (ke > 0) {
            c[i++] = ke;
        }
        for (int l = 0; l < layers; l++) {
            c[i++] = 1;
        }
        if (kh > 0) {
            c[i] = kh;
        }
        return c;
    }

    /** Whether segments of the given slot counts fit nc stacks of nr slots, none split across stacks. */
    static boolean packs(int[] counts, int nc, int nr) {
        int stack = 0;
        int used = 0;
        for (int k : counts) {
            if (k > nr) {
                return false;
            }
            if (used + k > nr) {
                stack++;
                used = 0;
            }
            if (stack >= nc) {
                return false;
            }
            used += k;
        }
        return true;
    }

    private static boolean layersFit(ModelSpec model, Set<Integer> layers, int cols, int rows, DecodeWorkload w,
                                     long finalPositions, WaferDecodeConfig cfg, int pad) {
        for (int l : layers) {
            try {
                new LayerPlan(model, l, cols, rows, w.batchSize(), cfg.mapping().sequencesPerPass(), finalPositions,
                        w.precision(),
                        cfg.mapping().accumulate(), cfg.wse(), pad);
            } catch (ConfigException e) {
                return false;
            }
        }
        return true;
    }

    /** Fewest stacked slots (up to nr) whose region holds the table; -1 if none. */
    private static int minSlots(ModelSpec model, int cols, int rows, int nr, DecodeWorkload w, WaferDecodeConfig cfg,
                                boolean embedding, int pad) {
        for (int k = 1; k <= nr; k++) {
            try {
                if (embedding) {
                    LayerPlan.embedding(model, cols, k * rows, w.batchSize(), cfg.mapping().sequencesPerPass(), w.precision(), cfg.mapping().accumulate(),
                            cfg.wse(), pad);
                } else {
                    LayerPlan.head(model, cols, k * rows, w.batchSize(), cfg.mapping().sequencesPerPass(), w.precision(), cfg.mapping().accumulate(),
                            cfg.wse(), pad);
                }
                return k;
            } catch (ConfigException e) {
                // Needs a taller region: try one more slot.
            }
        }
        return -1;
    }
}
