package dev.wafersim.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamSetTest {
    static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.integer("fabric.hopLatencyCycles", "cycles", 1, 64, "Cycles per hop."),
            ParamSpec.real("fabric.clockGHz", "GHz", 0.1, 5, "Clock."),
            ParamSpec.choice("fabric.routing", "Routing.", "static", "adaptive"),
            ParamSpec.flag("fabric.multicast", "Multicast."));

    @Test
    void load_validPreset_valuesAndProvenance() {
        ParamSet p = PresetLoader.load("presets/test-fabric.yaml", SCHEMA);
        assertEquals("test-fabric", p.name());
        assertEquals(1, p.getInt("fabric.hopLatencyCycles"));
        assertEquals(0.875, p.getDouble("fabric.clockGHz"));
        assertEquals("static", p.getString("fabric.routing"));
        assertTrue(p.getBoolean("fabric.multicast"));
        ParamValue v = p.values().get("fabric.clockGHz");
        assertEquals("open", v.confidence());
        assertEquals("preset test-fabric", v.origin());
    }

    @Test
    void load_missingParameter_errorNamesIt() {
        IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> PresetLoader.load("presets/test-missing.yaml", SCHEMA));
        assertTrue(ex.getMessage().contains("fabric.clockGHz is missing"), ex.getMessage());
    }

    @Test
    void load_wrongUnit_errorNamesKeyAndUnits() {
        IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> PresetLoader.load("presets/test-badunit.yaml", SCHEMA));
        assertTrue(ex.getMessage().contains("fabric.hopLatencyCycles is in 'ns' but the model expects 'cycles'"),
                ex.getMessage());
    }

    @Test
    void with_validOverride_changesValueAndOrigin() {
        ParamSet p = PresetLoader.load("presets/test-fabric.yaml", SCHEMA)
                .with("fabric.hopLatencyCycles", "2", "--set");
        assertEquals(2, p.getInt("fabric.hopLatencyCycles"));
        assertEquals("--set", p.values().get("fabric.hopLatencyCycles").origin());
        assertEquals("vendor", p.values().get("fabric.hopLatencyCycles").confidence());
    }

    @Test
    void with_outOfRange_messageNamesKeyValueAndAllowed() {
        ParamSet p = PresetLoader.load("presets/test-fabric.yaml", SCHEMA);
        ConfigException ex = assertThrows(ConfigException.class, () -> p.with("fabric.hopLatencyCycles", "0", "--set"));
        assertEquals("--set: fabric.hopLatencyCycles=0 is not allowed; expected an integer in [1, 64] (cycles)",
                ex.getMessage());
        ex = assertThrows(ConfigException.class, () -> p.with("fabric.hopLatencyCycles", "two", "--set"));
        assertTrue(ex.getMessage().contains("fabric.hopLatencyCycles=two"), ex.getMessage());
        ex = assertThrows(ConfigException.class, () -> p.with("fabric.routing", "random", "exp.yaml"));
        assertEquals("exp.yaml: fabric.routing=random is not allowed; expected one of static, adaptive", ex.getMessage());
        ex = assertThrows(ConfigException.class, () -> p.with("fabric.multicast", "yes", "--set"));
        assertTrue(ex.getMessage().endsWith("expected true or false"), ex.getMessage());
    }

    @Test
    void with_unknownKey_suggestsClosest() {
        ParamSet p = PresetLoader.load("presets/test-fabric.yaml", SCHEMA);
        ConfigException ex = assertThrows(ConfigException.class, () -> p.with("fabric.hopLatencyCycle", "2", "--set"));
        assertTrue(ex.getMessage().contains("unknown parameter 'fabric.hopLatencyCycle'"), ex.getMessage());
        assertTrue(ex.getMessage().contains("did you mean fabric.hopLatencyCycles?"), ex.getMessage());
    }

    @Test
    void withAll_yamlValues_coercedAndValidated() {
        ParamSet p = PresetLoader.load("presets/test-fabric.yaml", SCHEMA);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("fabric.clockGHz", 1.1);
        o.put("fabric.hopLatencyCycles", 3L);
        ParamSet q = p.withAll(o, "experiment file e.yaml");
        assertEquals(1.1, q.getDouble("fabric.clockGHz"));
        assertEquals(3, q.getInt("fabric.hopLatencyCycles"));
        assertThrows(ConfigException.class, () -> p.withValue("fabric.hopLatencyCycles", 2.5, "e.yaml"));
        assertThrows(ConfigException.class, () -> p.withValue("fabric.clockGHz", "fast", "e.yaml"));
    }

    @Test
    void hash_equalConfigsEqual_changedConfigsDiffer() {
        ParamSet a = PresetLoader.load("presets/test-fabric.yaml", SCHEMA);
        ParamSet b = PresetLoader.load("presets/test-fabric.yaml", SCHEMA);
        assertEquals(a.hash(), b.hash());
        assertNotEquals(a.hash(), a.with("fabric.hopLatencyCycles", "2", "--set").hash());
        // Setting a value to what it already is changes provenance, not the configuration.
        assertEquals(a.hash(), a.with("fabric.hopLatencyCycles", "1", "--set").hash());
        assertEquals(1, a.toJson().get("fabric.hopLatencyCycles").asInt());
    }
}
