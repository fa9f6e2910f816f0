package dev.wafersim.workloads.wafer;

import static dev.wafersim.workloads.wafer.LayerFunctionalTest.dimOf;
import static dev.wafersim.workloads.wafer.LayerFunctionalTest.gauss;
import static dev.wafersim.workloads.wafer.LayerFunctionalTest.slice;
import static dev.wafersim.workloads.wafer.LayerFunctionalTest.uniform;
import static dev.wafersim.workloads.wafer.LayerFunctionalTest.write;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.random.Rng;
import dev.wafersim.fabric.wafer.Fabric;
import dev.wafersim.fabric.wafer.WsePresets;
import dev.wafersim.fabric.wafer.collective.CodeMap;
import dev.wafersim.fabric.wafer.collective.RouteBook;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A prefill chunk of one Llama-style layer computed by the wafer program itself (functional fabric
 * simulation: every PE computes real fp16 values): C prompt tokens of one sequence after a non-empty
 * KV cache, in passes (sub-chunks) of S tokens, against a double-precision reference of causal
 * attention: token j of the chunk (position cached + j) attends positions 0 .. cached + j. Checks every
 * token's output and the K and V the chunk wrote into the shared, striped KV cache (each token's slot
 * in its own column), i.e. the per-token rotary positions, the multi-column KV append and the causal
 * lengths per token of the scores, softmax and values loops.
 */
class PrefillFunctionalTest {

    @ParameterizedTest(name = "{0} x {1} PEs, {2} cached tokens, chunk of {3} in passes of {4}, {5} reductions")
    @CsvSource({"4,4,5,6,3,chain", "6,5,11,5,5,chain", "3,8,2,4,1,chain", "9,5,7,7,4,two-phase"})
    void prefillChunk_functional_matchesCausalDoubleReference(int cols, int rows, int cached, int chunk, int perPass,
                                                              String reduction) {
        ModelSpec m = LayerFunctionalTest.TINY;
        ParamSet ps = ParamSet.combine("wse3", WsePresets.load("wse3"), MappingParams.defaults())
                .with(MappingParams.REDUCTION, reduction, "test");
        WaferDecodeConfig cfg = WaferDecodeConfig.from(ps);
        int capacity = 32;
        LayerPlan p = LayerPlan.chunk(m, 0, cols, rows, chunk, perPass, capacity, Precision.DEFAULT, DType.FP16,
                cfg.wse(), 8);
        int hid = m.hiddenSize();
        int hd = m.headDim();
        int nh = m.numHeads();
        int nkv = m.numKvHeads();
        int f = m.ffnHiddenSize();
        Rng rng = new Rng(cols * 1000 + rows * 10 + cached + 7 * chunk);
        LayerFunctionalTest.Weights w = LayerFunctionalTest.Weights.draw(rng, m);
        double theta = cfg.mapping().ropeTheta();
        double eps = cfg.mapping().rmsNormEpsilon();
        // One sequence: its cached keys and values, then the chunk's tokens one after the other; the
        // reference appends token j's K and V at position cached + j before it attends (causal).
        int total = cached + chunk;
        double[][][] kc = new double[total][nkv][hd];
        double[][][] vc = new double[total][nkv][hd];
        for (int t = 0; t < cached; t++) {
            for (int g = 0; g < nkv; g++) {
                kc[t][g] = gauss(rng, hd, 1.0);
                vc[t][g] = gauss(rng, hd, 1.0);
            }
        }
        double[][] x = new double[chunk][];
        double[][] out = new double[chunk][];
        for (int j = 0; j < chunk; j++) {
            x[j] = gauss(rng, hid, 1.0);
            out[j] = LayerFunctionalTest.reference(x[j], kc, vc, cached + j, w, m, theta, eps);
        }

        // ---- the wafer program: the chunk's first token attends cached + 1 positions ----
        Fabric fab = new Fabric(cfg.wse().withGrid(cols, rows), Fabric.Options.FUNCTIONAL);
        CodeMap code = new CodeMap("prefill", cfg.wse().sram());
        LayerProgram.build(p, new Region(0, 0, cols, rows, false), new RouteBook(fab), code, cfg, cached + 1, 1);
        code.install(fab);
        fab.prepare();
        LayerFunctionalTest.loadWeights(fab, p, m, w);
        int tStride = LayerPlan.pad(p.tMax);
        for (int u = 0; u < cols; u++) {
            int h0 = p.hStart(u);
            int hl = p.hLen(u);
            for (int j = 0; j < chunk; j++) {
                write(fab, u, 0, p.xIn + j * hl * 2, slice(x[j], h0, hl));
            }
            for (int r = 0; r < rows; r++) {
                int g = p.band(r);
                int np = p.pairs(r);
                int ps0 = p.pairStart(r);
                for (int t = 0; t < cached; t++) {
                    if (p.columnOf(t) != u) {
                        continue;
                    }
                    int slot = p.slotInColumn(t);
                    for (int dl = 0; dl < 2 * np; dl++) {
                        int dim = dimOf(dl, np, ps0, hd);
                        write(fab, u, r, p.kcache + (dl * tStride + slot) * 2, new double[] {kc[t][g][dim]});
                        write(fab, u, r, p.vcache + (dl * tStride + slot) * 2, new double[] {vc[t][g][dim]});
                    }
                }
                // Rotary cos/sin of the chunk's first position and the per-pair step (one position).
                if (u == 0 && np > 0) {
                    double[] cos = new double[np];
                    double[] sin = new double[np];
                    double[] stepCos = new double[np];
                    double[] stepSin = new double[np];
                    for (int i = 0; i < np; i++) {
                        double step = Math.pow(theta, -2.0 * (ps0 + i) / hd);
                        cos[i] = Math.cos(cached * step);
                        sin[i] = Math.sin(cached * step);
                        stepCos[i] = Math.cos(step);
                        stepSin[i] = Math.sin(step);
                    }
                    write(fab, 0, r, p.rope, cos);
                    write(fab, 0, r, p.rope + p.pairsMax * 2, sin);
                    write(fab, 0, r, p.rope + 2 * p.pairsMax * 2, stepCos);
                    write(fab, 0, r, p.rope + 3 * p.pairsMax * 2, stepSin);
                }
            }
        }
        fab.run(20_000_000);
        double worst = 0;
        for (int j = 0; j < chunk; j++) {
            for (int u = 0; u < cols; u++) {
                float[] got = fab.readMemory(u, rows - 1, p.xIn + j * p.hLen(u) * 2, p.hLen(u), DType.FP16);
                for (int i = 0; i < got.length; i++) {
                    double want = out[j][p.hStart(u) + i];
                    double err = Math.abs(got[i] - want) / Math.max(1.0, Math.abs(want));
                    worst = Math.max(worst, err);
                    assertTrue(err < 0.03, "token " + j + ", column " + u + " element " + i + ": wafer " + got[i]
                            + " vs reference " + want);
                }
            }
        }
        assertTrue(worst > 0, "outputs cannot all be exact after fp16 arithmetic");
        // The chunk's keys (rotated) and values in the shared cache: position cached + j in column
        // (cached + j) mod cols, slot (cached + j) / cols, row r's dimensions.
        for (int j = 0; j < chunk; j++) {
            int pos = cached + j;
            int u = p.columnOf(pos);
            int slot = p.slotInColumn(pos);
            for (int r = 0; r < rows; r++) {
                int g = p.band(r);
                int np = p.pairs(r);
                int ps0 = p.pairStart(r);
                for (int dl = 0; dl < 2 * np; dl++) {
                    int dim = dimOf(dl, np, ps0, hd);
                    float k = fab.readMemory(u, r, p.kcache + (dl * tStride + slot) * 2, 1, DType.FP16)[0];
                    float v = fab.readMemory(u, r, p.vcache + (dl * tStride + slot) * 2, 1, DType.FP16)[0];
                    double wantK = kc[pos][g][dim];
                    double wantV = vc[pos][g][dim];
                    assertTrue(Math.abs(k - wantK) / Math.max(1.0, Math.abs(wantK)) < 0.03, "key of token " + j
                            + " (position " + pos + "), row " + r + " dim " + dim + ": wafer " + k + " vs " + wantK);
                    assertTrue(Math.abs(v - wantV) / Math.max(1.0, Math.abs(wantV)) < 0.03, "value of token " + j
                            + " (position " + pos + "), row " + r + " dim " + dim + ": wafer " + v + " vs " + wantV);
                }
            }
        }
    }
}
