package dev.wafersim.fabric.wafer;

import dev.wafersim.core.config.ParamSet;

/** Small fabrics with chosen parameters for tests. */
final class FabricTestSupport {
    private FabricTestSupport() {
    }

    /** The WSE-2 preset on a {@code w} x {@code h} grid with the given overrides (key, value pairs). */
    static WseParams wse2(int w, int h, String... overrides) {
        return preset("wse2", w, h, overrides);
    }

    /** The WSE-3 preset on a {@code w} x {@code h} grid with the given overrides (key, value pairs). */
    static WseParams wse3(int w, int h, String... overrides) {
        return preset("wse3", w, h, overrides);
    }

    private static WseParams preset(String name, int w, int h, String... overrides) {
        ParamSet ps = WsePresets.load(name);
        for (int i = 0; i < overrides.length; i += 2) {
            ps = ps.with(overrides[i], overrides[i + 1], "test");
        }
        return WseParams.from(ps).withGrid(w, h);
    }
}
