package dev.wafersim.cli.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.experiment.ExperimentSpec;
import dev.wafersim.cli.io.Json;
import dev.wafersim.core.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A sweep's manifest hash and its definition, written and read back. */
class SweepManifestTest {
    private static final ExperimentSpec BASE = ExperimentSpec.defaults().assign("system", "h100-sxm", "")
            .assign("model", "llama-3.2-1b", "").assign("workload.tokens", "4", "--tokens")
            .assign("hbm.reservedGB", 2, "exp.yaml: set");

    private static List<SweepAxis> axes(String... contexts) {
        return List.of(SweepAxis.of("workload.context", List.of((Object[]) contexts), "--set"),
                SweepAxis.of("batch", List.of("1", "4"), "--set"));
    }

    private static List<String> hashes(SweepPlan plan, ExperimentSpec base) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            out.add(plan.spec(base, i).resolve(false).hash());
        }
        return out;
    }

    @Test
    void hash_samePlanTwice_sameHashAnotherValueOrOptionAnother() {
        SweepPlan plan = new SweepPlan(axes("512", "2048"));
        String h = SweepManifest.hash(plan, hashes(plan, BASE));
        assertEquals(h, SweepManifest.hash(new SweepPlan(axes("512", "2048")), hashes(plan, BASE)));
        SweepPlan other = new SweepPlan(axes("512", "4096"));
        assertNotEquals(h, SweepManifest.hash(other, hashes(other, BASE)), "an axis value changed");
        ExperimentSpec moreTokens = BASE.assign("workload.tokens", "8", "--tokens");
        assertNotEquals(h, SweepManifest.hash(plan, hashes(plan, moreTokens)), "a fixed option changed");
        SweepPlan reordered = new SweepPlan(List.of(axes("512", "2048").get(1), axes("512", "2048").get(0)));
        assertNotEquals(h, SweepManifest.hash(reordered, hashes(reordered, BASE)), "the points' order changed");
    }

    /** The definition read back resolves to the same experiments: the same manifest hash. */
    @Test
    void readDefinition_ofAWrittenDefinition_resolvesToTheSameManifest() throws Exception {
        SweepPlan plan = new SweepPlan(axes("512", "2048", "8192"));
        String h = SweepManifest.hash(plan, hashes(plan, BASE));
        String text = Json.text(SweepManifest.definition(BASE, plan.axes()));
        JsonNode back = Json.mapper().readTree(text);
        SweepManifest.Definition d = SweepManifest.readDefinition(back, "m.json");
        SweepPlan again = new SweepPlan(d.axes());
        assertEquals(plan.size(), again.size());
        assertEquals(h, SweepManifest.hash(again, hashes(again, d.base())));
        Experiment e = again.spec(d.base(), 5).resolve(false);
        assertEquals(8192, e.workload().contextTokens());
        assertEquals(4, e.workload().batchSize());
        assertEquals(4, e.workload().tokensToGenerate());
        assertTrue(text.contains("\"hbm.reservedGB\" : 2"), text);
    }

    @Test
    void readDefinition_unknownKeyOrNoAxes_configExceptionNamingIt() throws Exception {
        ConfigException unknown = assertThrows(ConfigException.class, () -> SweepManifest.readDefinition(
                Json.mapper().readTree("{\"system\": \"h100-sxm\", \"sweeps\": {}}"), "m.json"));
        assertEquals("m.json: sweep.sweeps is not part of a sweep's definition; expected system, model, modelFile,"
                + " workload, set and sweep", unknown.getMessage());
        ConfigException none = assertThrows(ConfigException.class, () -> SweepManifest.readDefinition(
                Json.mapper().readTree("{\"system\": \"h100-sxm\", \"sweep\": {}}"), "m.json"));
        assertTrue(none.getMessage().contains("has no axes"), none.getMessage());
    }
}
