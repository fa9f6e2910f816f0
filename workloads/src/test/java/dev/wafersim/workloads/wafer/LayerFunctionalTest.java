package dev.wafersim.workloads.wafer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.random.Rng;
import dev.wafersim.fabric.wafer.Fabric;
import dev.wafersim.fabric.wafer.WsePresets;
import dev.wafersim.fabric.wafer.collective.CodeMap;
import dev.wafersim.fabric.wafer.collective.RouteBook;
import dev.wafersim.fabric.wafer.program.DType;
import dev.wafersim.workloads.model.AttentionPattern;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One decode step of one Llama-style layer computed by the wafer program itself (functional
 * fabric simulation: every PE computes real fp16 values) and by a direct double-precision
 * reference of the same layer (RMSNorm, grouped-query attention with rotary embedding over the KV
 * cache plus the new token, SwiGLU FFN, residuals). Every output element must agree within fp16
 * accuracy. This checks the whole mapping: tile placement, the row/column splits, the head bands
 * and rotary pairs, the KV-cache layout, every broadcast and reduction.
 */
class LayerFunctionalTest {

    static final ModelSpec TINY = ModelSpec.builder("tiny").layers(2).hidden(48).heads(4, 2).headDim(16).ffn(80)
            .vocab(256).attention(AttentionPattern.full(2)).build();

    @ParameterizedTest(name = "{0} x {1} PEs, {2} cached tokens, {3} reductions, batch {4} in passes of {5}")
    @CsvSource({"4,4,5,chain,1,1", "6,5,11,chain,1,1", "3,8,2,chain,1,1", "9,5,7,two-phase,1,1",
        "16,4,3,two-phase,1,1", "4,4,5,chain,2,2", "6,5,11,chain,3,3", "9,5,7,two-phase,2,2", "6,5,11,chain,3,2",
        "4,4,5,chain,4,1"})
    void layerStep_functional_matchesDoubleReference(int cols, int rows, int cached, String reduction, int batch,
                                                     int perPass) {
        ModelSpec m = TINY;
        ParamSet ps = ParamSet.combine("wse3", WsePresets.load("wse3"), MappingParams.defaults())
                .with(MappingParams.REDUCTION, reduction, "test");
        WaferDecodeConfig cfg = WaferDecodeConfig.from(ps);
        int capacity = 16;
        LayerPlan p = new LayerPlan(m, 0, cols, rows, batch, perPass, capacity, Precision.DEFAULT, DType.FP16,
                cfg.wse(), 8);
        int hid = m.hiddenSize();
        int hd = m.headDim();
        int nh = m.numHeads();
        int nkv = m.numKvHeads();
        int f = m.ffnHiddenSize();
        int group = nh / nkv;
        Rng rng = new Rng(cols * 1000 + rows * 10 + cached);
        Weights w = Weights.draw(rng, m);
        double theta = cfg.mapping().ropeTheta();
        double eps = cfg.mapping().rmsNormEpsilon();
        // Every sequence of the batch has its own input and its own KV cache.
        double[][] x = new double[batch][];
        double[][][][] kc = new double[batch][cached + 1][nkv][hd];
        double[][][][] vc = new double[batch][cached + 1][nkv][hd];
        double[][] out = new double[batch][];
        for (int b = 0; b < batch; b++) {
            x[b] = gauss(rng, hid, 1.0);
            for (int t = 0; t < cached; t++) {
                for (int g = 0; g < nkv; g++) {
                    kc[b][t][g] = gauss(rng, hd, 1.0);
                    vc[b][t][g] = gauss(rng, hd, 1.0);
                }
            }
            out[b] = reference(x[b], kc[b], vc[b], cached, w, m, theta, eps);
        }

        // ---- the wafer program ----
        Fabric fab = new Fabric(cfg.wse().withGrid(cols, rows), Fabric.Options.FUNCTIONAL);
        CodeMap code = new CodeMap("layer", cfg.wse().sram());
        LayerProgram.build(p, new Region(0, 0, cols, rows, false), new RouteBook(fab), code, cfg, cached + 1, 1);
        code.install(fab);
        fab.prepare();
        loadWeights(fab, p, m, w);
        int tStride = LayerPlan.pad(p.tMax);
        for (int u = 0; u < cols; u++) {
            int h0 = p.hStart(u);
            int hl = p.hLen(u);
            for (int b = 0; b < batch; b++) {
                write(fab, u, 0, p.xIn + b * hl * 2, slice(x[b], h0, hl));
            }
            for (int r = 0; r < rows; r++) {
                int g = p.band(r);
                int np = p.pairs(r);
                int ps0 = p.pairStart(r);
                int dims = 2 * np;
                // KV cache of the cached positions held by this column, for this row's dims.
                for (int t = 0; t < cached; t++) {
                    if (p.columnOf(t) != u) {
                        continue;
                    }
                    int slot = p.slotInColumn(t);
                    for (int b = 0; b < batch; b++) {
                        int seq = b * p.dimsMax * tStride;
                        for (int dl = 0; dl < dims; dl++) {
                            int dim = dimOf(dl, np, ps0, hd);
                            write(fab, u, r, p.kcache + (seq + dl * tStride + slot) * 2, new double[] {kc[b][t][g][dim]});
                            write(fab, u, r, p.vcache + (seq + dl * tStride + slot) * 2, new double[] {vc[b][t][g][dim]});
                        }
                    }
                }
                // Rotary cos/sin of the new position for this row's pairs (west edge).
                if (u == 0 && np > 0) {
                    double[] cos = new double[np];
                    double[] sin = new double[np];
                    for (int i = 0; i < np; i++) {
                        double ang = cached * Math.pow(theta, -2.0 * (ps0 + i) / hd);
                        cos[i] = Math.cos(ang);
                        sin[i] = Math.sin(ang);
                    }
                    write(fab, 0, r, p.rope, cos);
                    write(fab, 0, r, p.rope + p.pairsMax * 2, sin);
                }
            }
        }
        fab.run(10_000_000);
        double worst = 0;
        for (int b = 0; b < batch; b++) {
            for (int u = 0; u < cols; u++) {
                float[] got = fab.readMemory(u, rows - 1, p.xIn + b * p.hLen(u) * 2, p.hLen(u), DType.FP16);
                for (int i = 0; i < got.length; i++) {
                    double want = out[b][p.hStart(u) + i];
                    double err = Math.abs(got[i] - want) / Math.max(1.0, Math.abs(want));
                    worst = Math.max(worst, err);
                    assertTrue(err < 0.03, "sequence " + b + ", column " + u + " element " + i + ": wafer " + got[i]
                            + " vs reference " + want);
                }
            }
        }
        assertTrue(worst > 0, "outputs cannot all be exact after fp16 arithmetic");
    }

    /** A layer's weights drawn at random: norm gains uniform in [0.5, 1.5], matrix entries N(0, 0.15^2). */
    record Weights(double[] g1, double[] g2, double[][] wq, double[][] wk, double[][] wv, double[][] wo,
                   double[][] wg, double[][] wu, double[][] wd) {
        static Weights draw(Rng rng, ModelSpec m) {
            int hid = m.hiddenSize();
            int hd = m.headDim();
            int nh = m.numHeads();
            int nkv = m.numKvHeads();
            int f = m.ffnHiddenSize();
            double[] g1 = uniform(rng, hid, 0.5, 1.5);
            double[] g2 = uniform(rng, hid, 0.5, 1.5);
            double[][] wq = gauss(rng, nh * hd, hid, 0.15);
            double[][] wk = gauss(rng, nkv * hd, hid, 0.15);
            double[][] wv = gauss(rng, nkv * hd, hid, 0.15);
            double[][] wo = gauss(rng, hid, nh * hd, 0.15);
            double[][] wg = gauss(rng, f, hid, 0.15);
            double[][] wu = gauss(rng, f, hid, 0.15);
            double[][] wd = gauss(rng, hid, f, 0.15);
            return new Weights(g1, g2, wq, wk, wv, wo, wg, wu, wd);
        }
    }

    /** {@link #loadWeights(Fabric, LayerPlan, ModelSpec, double[], double[], double[][], double[][], double[][],
     * double[][], double[][], double[][], double[][])} of {@code w}. */
    static void loadWeights(Fabric fab, LayerPlan p, ModelSpec m, Weights w) {
        loadWeights(fab, p, m, w.g1(), w.g2(), w.wq(), w.wk(), w.wv(), w.wo(), w.wg(), w.wu(), w.wd());
    }

    /** {@link #reference(double[], double[][][], double[][][], int, double[], double[], double[][], double[][],
     * double[][], double[][], double[][], double[][], double[][], ModelSpec, double, double)} with {@code w}. */
    static double[] reference(double[] x, double[][][] kc, double[][][] vc, int cached, Weights w, ModelSpec m,
                              double theta, double eps) {
        return reference(x, kc, vc, cached, w.g1(), w.g2(), w.wq(), w.wk(), w.wv(), w.wo(), w.wg(), w.wu(), w.wd(), m,
                theta, eps);
    }

    /** Writes the layer's norm weights and every PE's weight tiles (QKV, output, gate/up, down). */
    static void loadWeights(Fabric fab, LayerPlan p, ModelSpec m, double[] g1, double[] g2, double[][] wq,
                            double[][] wk, double[][] wv, double[][] wo, double[][] wg, double[][] wu, double[][] wd) {
        int rows = p.rows;
        int hd = m.headDim();
        int group = m.numHeads() / m.numKvHeads();
        for (int u = 0; u < p.cols; u++) {
            int h0 = p.hStart(u);
            int hl = p.hLen(u);
            write(fab, u, 0, p.gamma1, slice(g1, h0, hl));
            write(fab, u, 0, p.gamma2, slice(g2, h0, hl));
            for (int r = 0; r < rows; r++) {
                int g = p.band(r);
                int np = p.pairs(r);
                int ps0 = p.pairStart(r);
                int dims = 2 * np;
                // QKV tile: output j of row r -> (matrix, row of that matrix).
                int qkvOut = p.qkvRows(r);
                if (qkvOut > 0) {
                    for (int kk = 0; kk < hl; kk++) {
                        double[] col = new double[qkvOut];
                        for (int j = 0; j < qkvOut; j++) {
                            int blk = j / dims;
                            int dim = dimOf(j % dims, np, ps0, hd);
                            double[][] w = blk < group ? wq : blk == group ? wk : wv;
                            int row = blk < group ? (g * group + blk) * hd + dim : g * hd + dim;
                            col[j] = w[row][h0 + kk];
                        }
                        write(fab, u, r, p.wqkv(u, r) + kk * p.colPad(qkvOut) * 2, col);
                    }
                }
                // Output projection tile: input j of row r is (query head, dim) of the band.
                int oin = p.oRows(r);
                for (int j = 0; j < oin; j++) {
                    double[] col = new double[hl];
                    int head = g * group + j / dims;
                    int dim = dimOf(j % dims, np, ps0, hd);
                    for (int i = 0; i < hl; i++) {
                        col[i] = wo[h0 + i][head * hd + dim];
                    }
                    write(fab, u, r, p.wo(u, r) + j * p.colPad(hl) * 2, col);
                }
                // Gate/up tile and down tile.
                int fl = p.fLen(r);
                int f0 = p.fStart(r);
                for (int kk = 0; kk < hl && fl > 0; kk++) {
                    double[] col = new double[2 * fl];
                    for (int j = 0; j < fl; j++) {
                        col[j] = wg[f0 + j][h0 + kk];
                        col[fl + j] = wu[f0 + j][h0 + kk];
                    }
                    write(fab, u, r, p.wgu(u, r) + kk * p.colPad(2 * fl) * 2, col);
                }
                for (int j = 0; j < fl; j++) {
                    double[] col = new double[hl];
                    for (int i = 0; i < hl; i++) {
                        col[i] = wd[h0 + i][f0 + j];
                    }
                    write(fab, u, r, p.wdown(u, r) + j * p.colPad(hl) * 2, col);
                }
            }
        }
    }

    /** The layer in double precision for one sequence: its input, its KV cache of {@code cached} tokens. */
    static double[] reference(double[] x, double[][][] kc, double[][][] vc, int cached, double[] g1,
                                      double[] g2, double[][] wq, double[][] wk, double[][] wv, double[][] wo,
                                      double[][] wg, double[][] wu, double[][] wd, ModelSpec m, double theta,
                                      double eps) {
        int hd = m.headDim();
        int nh = m.numHeads();
        int nkv = m.numKvHeads();
        int f = m.ffnHiddenSize();
        double[] xn = rmsNorm(x, g1, eps);
        double[] q = matvec(wq, xn);
        double[] k = matvec(wk, xn);
        double[] v = matvec(wv, xn);
        for (int h = 0; h < nh; h++) {
            rope(q, h * hd, hd, cached, theta);
        }
        for (int g = 0; g < nkv; g++) {
            rope(k, g * hd, hd, cached, theta);
            System.arraycopy(k, g * hd, kc[cached][g], 0, hd);
            System.arraycopy(v, g * hd, vc[cached][g], 0, hd);
        }
        double[] att = new double[nh * hd];
        int group = nh / nkv;
        for (int h = 0; h < nh; h++) {
            int g = h / group;
            double[] s = new double[cached + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t <= cached; t++) {
                double dot = 0;
                for (int d = 0; d < hd; d++) {
                    dot += q[h * hd + d] * kc[t][g][d];
                }
                s[t] = dot / Math.sqrt(hd);
                max = Math.max(max, s[t]);
            }
            double sum = 0;
            for (int t = 0; t <= cached; t++) {
                s[t] = Math.exp(s[t] - max);
                sum += s[t];
            }
            for (int d = 0; d < hd; d++) {
                double o = 0;
                for (int t = 0; t <= cached; t++) {
                    o += s[t] / sum * vc[t][g][d];
                }
                att[h * hd + d] = o;
            }
        }
        double[] hres = add(x, matvec(wo, att));
        double[] hn = rmsNorm(hres, g2, eps);
        double[] gate = matvec(wg, hn);
        double[] up = matvec(wu, hn);
        double[] act = new double[f];
        for (int i = 0; i < f; i++) {
            act[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
        }
        return add(hres, matvec(wd, act));
    }

    /** Head dimension of local dimension index dl of a row with np pairs starting at pair ps0. */
    static int dimOf(int dl, int np, int ps0, int hd) {
        return dl < np ? ps0 + dl : hd / 2 + ps0 + (dl - np);
    }

    static void write(Fabric f, int u, int v, int addr, double[] vals) {
        float[] fl = new float[vals.length];
        for (int i = 0; i < vals.length; i++) {
            fl[i] = (float) vals[i];
        }
        f.writeMemory(u, v, addr, fl, DType.FP16);
    }

    static double[] slice(double[] a, int from, int n) {
        return java.util.Arrays.copyOfRange(a, from, from + n);
    }

    static double[] gauss(Rng r, int n, double sd) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            // Sum of 4 uniforms: roughly normal, bounded, deterministic.
            v[i] = (r.nextDouble() + r.nextDouble() + r.nextDouble() + r.nextDouble() - 2) * sd * Math.sqrt(3);
        }
        return v;
    }

    static double[][] gauss(Rng r, int rows, int cols, double sd) {
        double[][] m = new double[rows][];
        for (int i = 0; i < rows; i++) {
            m[i] = gauss(r, cols, sd);
        }
        return m;
    }

    static double[] uniform(Rng r, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * r.nextDouble();
        }
        return v;
    }

    static double[] rmsNorm(double[] x, double[] g, double eps) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double s = 1 / Math.sqrt(ss / x.length + eps);
        double[] o = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            o[i] = x[i] * s * g[i];
        }
        return o;
    }

    static double[] matvec(double[][] w, double[] x) {
        double[] o = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            double s = 0;
            for (int j = 0; j < x.length; j++) {
                s += w[i][j] * x[j];
            }
            o[i] = s;
        }
        return o;
    }

    static double[] add(double[] a, double[] b) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i] + b[i];
        }
        return o;
    }

    static void rope(double[] v, int off, int hd, int pos, double theta) {
        for (int i = 0; i < hd / 2; i++) {
            double ang = pos * Math.pow(theta, -2.0 * i / hd);
            double c = Math.cos(ang);
            double s = Math.sin(ang);
            double lo = v[off + i];
            double hi = v[off + i + hd / 2];
            v[off + i] = lo * c - hi * s;
            v[off + i + hd / 2] = lo * s + hi * c;
        }
    }
}
