package dev.wafersim.workloads.run;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.trace.TraceSink;
import dev.wafersim.fabric.gpu.GpuPresets;
import dev.wafersim.fabric.gpu.GpuStacks;
import dev.wafersim.workloads.client.ClientParams;
import dev.wafersim.workloads.energy.EnergyParams;
import dev.wafersim.workloads.energy.PowerModel;
import dev.wafersim.workloads.gpu.GpuDecodeSimulator;
import dev.wafersim.workloads.serving.ServingParams;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelFactory;
import dev.wafersim.workloads.step.StepModelRequest;
import dev.wafersim.workloads.wafer.WaferDecodeSimulator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Every system {@code wafersim run} knows: its name, its kind, where its default parameters come from,
 * its parameter schema and the simulator that runs decode on it. The table is fixed at class
 * initialization ({@link #TABLE}); there is no registration at run time.
 *
 * <p>Adding a system is one line in {@link #table()}: an {@link Entry} with its name, kind, a
 * description, a supplier of its preset {@link ParamSet}, its {@link ParamSchema} and its
 * {@link DecodeSimulator}. GPU systems come from {@link GpuPresets#NAMES}; the wafer systems {@code wse2}
 * and {@code wse3} run on {@link WaferDecodeSimulator}. Every system's parameters also hold its power and
 * price ({@link EnergyParams}, {@code presets/energy/<system>.yaml}), and every result leaves the catalog with
 * its energy and cost ({@link PowerModel}). An entry may still be listed as unavailable (with its reason,
 * {@link Entry#unavailable}); asking for one is a {@link ConfigException} naming the reason.
 */
public final class SystemCatalog {
    private static final Map<String, Entry> TABLE = index(table());

    private SystemCatalog() {
    }

    /** The systems, in the order {@code wafersim describe} lists them. */
    private static List<Entry> table() {
        List<Entry> t = new ArrayList<>();
        for (String gpu : GpuPresets.NAMES) {
            String description = "GPU cluster of " + gpu + " (presets/gpu/" + gpu + ".yaml with software stack "
                    + GpuStacks.DEFAULT + ", presets/gpu/stack/; --stack)";
            t.add(new Entry(gpu, SystemKind.GPU, description,
                    () -> ParamSet.combine(gpu, GpuPresets.load(gpu), ServingParams.defaults(),
                            ClientParams.defaults(), EnergyParams.defaults(gpu, SystemKind.GPU)),
                    GpuPresets.schema().plus(ServingParams.SCHEMA).plus(ClientParams.SCHEMA).plus(EnergyParams.GPU),
                    GpuDecodeSimulator.INSTANCE,
                    null));
        }
        for (String wse : List.of("wse2", "wse3")) {
            String what = wse.equals("wse2") ? "Cerebras WSE-2 (CS-2)" : "Cerebras WSE-3 (CS-3)";
            t.add(new Entry(wse, SystemKind.WAFER, what + " wafer (presets/wse/" + wse + ".yaml + mapping)",
                    () -> ParamSet.combine(wse, WaferDecodeSimulator.load(wse), ServingParams.defaults(),
                            ClientParams.defaults(), EnergyParams.defaults(wse, SystemKind.WAFER)),
                    WaferDecodeSimulator.schema().plus(ServingParams.SCHEMA).plus(ClientParams.SCHEMA)
                            .plus(EnergyParams.WAFER),
                    WaferDecodeSimulator.INSTANCE, null));
        }
        return t;
    }

    private static Map<String, Entry> index(List<Entry> entries) {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (m.put(e.name(), e) != null) {
                throw new IllegalStateException("system " + e.name() + " is listed twice");
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** Every system name, available or not, in table order. */
    public static List<String> names() {
        return List.copyOf(TABLE.keySet());
    }

    /** Every entry, available or not, in table order. */
    public static List<Entry> entries() {
        return List.copyOf(TABLE.values());
    }

    /**
     * The entry named {@code name} (case-insensitive), which must be available.
     *
     * @throws ConfigException for an unknown name (listing the known ones) or a system that cannot run in
     *                         this build (saying why)
     */
    public static Entry get(String name) {
        Entry e = lookup(name);
        if (!e.available()) {
            throw new ConfigException("system=" + e.name() + ": " + e.unavailableReason());
        }
        return e;
    }

    /** The kind of the system named {@code name}, available or not. */
    public static SystemKind kind(String name) {
        return lookup(name).kind();
    }

    /** The parameter schema of the system named {@code name} (for {@code wafersim describe}). */
    public static ParamSchema schema(String name) {
        return get(name).schema();
    }

    private static Entry lookup(String name) {
        Entry e = name == null ? null : TABLE.get(name.trim().toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new ConfigException("system=" + name + " is not a known system; expected one of "
                    + String.join(", ", TABLE.keySet()));
        }
        return e;
    }

    /**
     * One system.
     *
     * @param name              the name users type ({@code h100-sxm}, {@code wse3})
     * @param kind              wafer or GPU
     * @param description       one line for listings
     * @param defaults          loads the system's preset parameters; null when unavailable
     * @param schema            the parameters the system takes; null when unavailable
     * @param simulator         runs decode on the system; null when unavailable
     * @param unavailableReason why the system cannot run in this build; null when it can
     */
    public record Entry(String name, SystemKind kind, String description, Supplier<ParamSet> defaults,
                        ParamSchema schema, DecodeSimulator simulator, String unavailableReason) {
        public Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(description, "description");
            if ((unavailableReason == null) != (defaults != null && schema != null && simulator != null)) {
                throw new IllegalArgumentException("system " + name
                        + ": give defaults, schema and simulator, or an unavailable reason");
            }
        }

        /** A system that is listed but cannot run in this build. */
        public static Entry unavailable(String name, SystemKind kind, String description, String reason) {
            return new Entry(name, kind, description, null, null, null, Objects.requireNonNull(reason, "reason"));
        }

        /** True when the system can run. */
        public boolean available() {
            return unavailableReason == null;
        }

        /** The preset parameters (a fresh set; refine it with {@code with} for {@code --set}). */
        public ParamSet load() {
            requireAvailable();
            return defaults.get();
        }

        /**
         * Runs {@code request} on this system's simulator and records the wall time of the simulation.
         *
         * @throws ConfigException when the request is for another system or the simulator rejects it
         */
        public DecodeResult simulate(DecodeRequest request) {
            return simulate(request, Progress.NONE);
        }

        /** Runs {@code request}, reporting to {@code progress}; see {@link #simulate(DecodeRequest)}. */
        public DecodeResult simulate(DecodeRequest request, Progress progress) {
            return simulate(request, progress, TraceSink.NONE, 0);
        }

        /**
         * Runs {@code request}, reporting to {@code progress} and writing the timeline of the first
         * {@code timelineTokens} steps (all when 0) to {@code trace}.
         */
        public DecodeResult simulate(DecodeRequest request, Progress progress, TraceSink trace, int timelineTokens) {
            requireAvailable();
            if (!request.system().equals(name)) {
                throw new IllegalArgumentException("request for " + request.system() + " sent to " + name);
            }
            if (request.options().kind() != kind) {
                throw new ConfigException("system " + name + " is a " + kind.word() + " system but the options are for a "
                        + request.options().kind().word() + " system");
            }
            long t0 = System.nanoTime();
            DecodeResult r = simulator.simulate(request, progress, trace, timelineTokens);
            EnergyCost e = PowerModel.of(kind, request.params(), r.activity(), (long) r.batch() * r.tokens());
            return r.withEnergy(e).withWallSeconds((System.nanoTime() - t0) / 1e9);
        }

        /**
         * The step model of this system for a serving replay or a time-to-first-token estimate: any forward
         * pass's time and the KV cache the machine holds. Systems whose simulator is a
         * {@link StepModelFactory} have one.
         *
         * @throws ConfigException when the system has no step model in this build, or the request is for another
         *                         system or does not fit
         */
        public StepModel stepModel(StepModelRequest request) {
            requireAvailable();
            if (!request.system().equals(name)) {
                throw new IllegalArgumentException("request for " + request.system() + " sent to " + name);
            }
            if (!(simulator instanceof StepModelFactory factory)) {
                throw new ConfigException("system " + name + " has no step model in this build: prefill, time to first"
                        + " token, serving replay and speculative decoding need one");
            }
            return factory.stepModel(request);
        }

        private void requireAvailable() {
            if (!available()) {
                throw new ConfigException("system=" + name + ": " + unavailableReason);
            }
        }
    }
}
