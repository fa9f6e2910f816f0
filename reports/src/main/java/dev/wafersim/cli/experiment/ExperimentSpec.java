package dev.wafersim.cli.experiment;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.EditDistance;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.fabric.gpu.DataType;
import dev.wafersim.fabric.gpu.GpuStack;
import dev.wafersim.fabric.gpu.GpuStacks;
import dev.wafersim.workloads.client.ClientParams;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ExpertRouting;
import dev.wafersim.workloads.model.HfConfigReader;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.NumberFormat;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.GpuOptions;
import dev.wafersim.workloads.run.MachineOptions;
import dev.wafersim.workloads.run.SystemCatalog;
import dev.wafersim.workloads.run.SystemKind;
import dev.wafersim.workloads.run.WaferOptions;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An experiment as the user wrote it, before validation: a setting (value and origin) per
 * {@link ExperimentKey} and an ordered map of system-parameter overrides. Immutable; every change
 * returns a new spec.
 *
 * <p>Layers give the precedence: {@code defaults().overlay(file).overlay(commandLine).overlay(sets)} —
 * a setting of an upper layer replaces the one below. {@code model} and {@code modelFile} replace each
 * other. {@link #resolve} validates everything and builds the {@link Experiment}; every error is a
 * {@link ConfigException} that names the setting the way its origin wrote it ({@code --batch=0},
 * {@code exp.yaml: workload.batch=0}), the value and what is allowed.
 */
public final class ExperimentSpec {
    /** Defaults of the workload keys: batch 1, context 4096 tokens, 128 tokens, bf16. */
    public static final int DEFAULT_BATCH = 1;
    public static final long DEFAULT_CONTEXT = 4096;
    public static final int DEFAULT_TOKENS = 128;
    public static final String DEFAULT_PRECISION = "bf16";
    /** Largest accepted token count: every token is a simulated step. */
    public static final int MAX_TOKENS = 1 << 20;

    private final Map<ExperimentKey, Setting> fields;
    private final Map<String, Setting> params;

    private ExperimentSpec(Map<ExperimentKey, Setting> fields, Map<String, Setting> params) {
        EnumMap<ExperimentKey, Setting> f = new EnumMap<>(ExperimentKey.class);
        f.putAll(fields);
        this.fields = Collections.unmodifiableMap(f);
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** A spec with nothing set. */
    public static ExperimentSpec empty() {
        return new ExperimentSpec(Map.of(), Map.of());
    }

    /** The workload defaults (batch, context, tokens, precision), origin {@code default}. */
    public static ExperimentSpec defaults() {
        return empty()
                .with(ExperimentKey.BATCH, DEFAULT_BATCH, "default", "workload.batch")
                .with(ExperimentKey.CONTEXT, DEFAULT_CONTEXT, "default", "workload.context")
                .with(ExperimentKey.TOKENS, DEFAULT_TOKENS, "default", "workload.tokens")
                .with(ExperimentKey.PRECISION, DEFAULT_PRECISION, "default", "workload.precision");
    }

    /** This spec with {@code key} set; {@code model} and {@code modelFile} replace each other. */
    public ExperimentSpec with(ExperimentKey key, Object value, String origin, String name) {
        Map<ExperimentKey, Setting> f = new EnumMap<>(ExperimentKey.class);
        f.putAll(fields);
        if (key == ExperimentKey.MODEL) {
            f.remove(ExperimentKey.MODEL_FILE);
        } else if (key == ExperimentKey.MODEL_FILE) {
            f.remove(ExperimentKey.MODEL);
        }
        f.put(key, new Setting(value, origin, name));
        return new ExperimentSpec(f, params);
    }

    /** This spec with system parameter {@code key} overridden. */
    public ExperimentSpec withParam(String key, Object value, String origin) {
        Map<String, Setting> p = new LinkedHashMap<>(params);
        p.remove(key);
        p.put(key, new Setting(value, origin, key));
        return new ExperimentSpec(fields, p);
    }

    /**
     * This spec with the setting named by a dotted key: an {@link ExperimentKey} (by key or short name,
     * so {@code gpus} is {@code workload.gpus}), {@code set.PARAM} or a dotted system parameter.
     *
     * @throws ConfigException for an undotted name that is not an experiment key, or an unknown
     *                         {@code workload.} key, with suggestions
     */
    public ExperimentSpec assign(String key, Object value, String origin) {
        ExperimentKey k = ExperimentKey.find(key);
        if (k != null) {
            return with(k, value, origin, key);
        }
        checkParamKey(key, origin);
        String param = key.startsWith("set.") ? key.substring(4) : key;
        return withParam(param, value, origin);
    }

    /**
     * Checks that {@code key}, which is not an experiment key, can name a system parameter: it has a dot
     * and is not under {@code workload.}.
     */
    public static void checkParamKey(String key, String origin) {
        String where = origin.isEmpty() ? "" : origin + ": ";
        if (key.startsWith("workload.")) {
            List<String> known = new ArrayList<>();
            for (ExperimentKey e : ExperimentKey.values()) {
                if (e.isWorkload()) {
                    known.add(e.key());
                }
            }
            throw new ConfigException(where + "unknown key '" + key + "'" + EditDistance.didYouMean(key, known)
                    + "; workload keys are " + String.join(", ", known));
        }
        if (!key.contains(".") || key.equals("set.")) {
            List<String> known = new ArrayList<>(ExperimentKey.keys());
            known.addAll(ExperimentKey.workloadNames());
            throw new ConfigException(where + "unknown key '" + key + "'" + EditDistance.didYouMean(key, known)
                    + "; expected one of " + String.join(", ", ExperimentKey.keys())
                    + " or a system parameter (a dotted key such as hbm.peakBandwidthGBps; see wafersim describe SYSTEM)");
        }
    }

    /** This spec with every setting of {@code top} applied over it. */
    public ExperimentSpec overlay(ExperimentSpec top) {
        ExperimentSpec s = this;
        for (Map.Entry<ExperimentKey, Setting> e : top.fields.entrySet()) {
            Setting v = e.getValue();
            s = s.with(e.getKey(), v.value(), v.origin(), v.name());
        }
        for (Map.Entry<String, Setting> e : top.params.entrySet()) {
            s = s.withParam(e.getKey(), e.getValue().value(), e.getValue().origin());
        }
        return s;
    }

    /** The setting of {@code key}, or null. */
    public Setting get(ExperimentKey key) {
        return fields.get(key);
    }

    /** The parameter overrides, in order. */
    public Map<String, Setting> params() {
        return params;
    }

    /**
     * Validates the spec and builds the experiment.
     *
     * @param strictKinds true to reject options of the other kind of machine ({@code --wafers} for a GPU
     *                    system); false to drop them with a note (compare and sweep share one workload
     *                    between systems of both kinds)
     * @throws ConfigException naming the setting, the value and what is allowed
     */
    public Experiment resolve(boolean strictKinds) {
        return resolve(strictKinds, Set.of());
    }

    /**
     * Validates the spec and builds the experiment, dropping (with a note) the parameter overrides in
     * {@code elsewhere} that this system does not have: parameters shared by a comparison or sweep whose
     * other systems have them (a GPU's {@code hbm.*} on a wafer). A parameter no system has is still an error.
     *
     * @param strictKinds see {@link #resolve(boolean)}
     * @param elsewhere   parameter keys some other system of the comparison or sweep has
     */
    public Experiment resolve(boolean strictKinds, Set<String> elsewhere) {
        Setting sys = fields.get(ExperimentKey.SYSTEM);
        if (sys == null) {
            throw new ConfigException("no system given; use --system SYSTEM or 'system:' in the experiment file"
                    + " (one of " + String.join(", ", SystemCatalog.names()) + ")");
        }
        SystemCatalog.Entry entry;
        try {
            entry = SystemCatalog.get(sys.text());
        } catch (ConfigException e) {
            throw new ConfigException(sys.prefix() + e.getMessage(), e);
        }
        List<String> notes = new ArrayList<>();
        Map<ExperimentKey, Setting> applicable = new EnumMap<>(ExperimentKey.class);
        for (Map.Entry<ExperimentKey, Setting> e : fields.entrySet()) {
            SystemKind k = e.getKey().kind();
            if (k != null && k != entry.kind()) {
                String msg = e.getValue().where() + " applies to " + k.word() + " systems; " + entry.name() + " is a "
                        + entry.kind().word() + " system";
                if (strictKinds) {
                    throw new ConfigException(msg);
                }
                notes.add(msg + " (ignored)");
                continue;
            }
            applicable.put(e.getKey(), e.getValue());
        }

        ParamSet p = entry.load();
        // A GPU software stack replaces every stack parameter before the overrides apply. --set stack.name=X
        // selects a stack the same way (a bare label change would contradict the mechanics) and, like every
        // --set, beats the stack option.
        Setting stack = entry.kind() == SystemKind.GPU && params.get(GpuStacks.NAME_KEY) != null
                ? params.get(GpuStacks.NAME_KEY) : applicable.get(ExperimentKey.STACK);
        if (stack != null) {
            try {
                p = GpuStacks.select(p, stack.text(), stack.origin().isEmpty() ? stack.name() : stack.origin());
            } catch (ConfigException e) {
                throw new ConfigException(stack.where() + "=" + stack.text() + " is not allowed; expected one of "
                        + String.join(", ", GpuStack.NAMES), e);
            }
        }
        // A client-path preset, like a stack, replaces every client.* value before the other overrides apply.
        Setting client = params.get(ClientParams.NAME_KEY);
        if (client != null && p.schema().has(ClientParams.NAME_KEY)) {
            try {
                p = ClientParams.select(p, client.text(), client.origin().isEmpty() ? "--set" : client.origin());
            } catch (ConfigException e) {
                throw new ConfigException(client.where() + "=" + client.text() + " is not allowed; expected one of "
                        + String.join(", ", ClientParams.PRESETS), e);
            }
        }
        Map<String, Object> overrides = new LinkedHashMap<>();
        for (Map.Entry<String, Setting> e : params.entrySet()) {
            Setting s = e.getValue();
            if (e.getKey().equals(GpuStacks.NAME_KEY) && entry.kind() == SystemKind.GPU) {
                continue;
            }
            if (e.getKey().equals(ClientParams.NAME_KEY) && client != null) {
                overrides.put(e.getKey(), p.values().get(e.getKey()).value());
                continue;
            }
            if (!p.schema().has(e.getKey()) && elsewhere.contains(e.getKey())) {
                notes.add(s.where() + "=" + s.text() + " is not a parameter of " + entry.name() + " (ignored)");
                continue;
            }
            String origin = s.origin().isEmpty() ? "--set" : s.origin();
            p = s.value() instanceof String text ? p.with(e.getKey(), text, origin)
                    : p.withValue(e.getKey(), s.value(), origin);
            overrides.put(e.getKey(), p.values().get(e.getKey()).value());
        }
        Setting graphs = applicable.get(ExperimentKey.CUDA_GRAPHS);
        if (graphs != null) {
            boolean on = onOff(graphs);
            String key = "kernel.cudaGraphs";
            p = p.with(key, Boolean.toString(on), graphs.origin().isEmpty() ? graphs.name() : graphs.origin());
            overrides.remove(key);
            overrides.put(key, on);
        }

        HfConfigReader.Report report = modelReport();
        ModelSpec model = report != null ? report.spec() : model();
        Setting precision = applicable.get(ExperimentKey.PRECISION);
        String prec = precision == null ? DEFAULT_PRECISION : precision.text().toLowerCase(Locale.ROOT);
        Precision parsed;
        try {
            parsed = Precision.parse(prec, "bf16");
        } catch (ConfigException e) {
            throw new ConfigException(precision.where() + "=" + precision.text() + " is not allowed; expected "
                    + ExperimentKey.PRECISION.meaning());
        }
        int batch = (int) integer(applicable.get(ExperimentKey.BATCH), DEFAULT_BATCH, 1, DecodeWorkload.MAX_BATCH, false, "");
        long context = integer(applicable.get(ExperimentKey.CONTEXT), DEFAULT_CONTEXT, 1, DecodeWorkload.MAX_CONTEXT, false,
                " (tokens)");
        int tokens = (int) integer(applicable.get(ExperimentKey.TOKENS), DEFAULT_TOKENS, 1, MAX_TOKENS, false, "");
        Setting beyond = applicable.get(ExperimentKey.BEYOND_MAX_POSITIONS);
        checkPositions(model, applicable, context, tokens, beyond != null && bool(beyond), notes);
        DecodeWorkload workload = new DecodeWorkload(batch, context, tokens, parsed,
                ExpertRouting.UNIFORM_EXPECTED);
        Setting promptSetting = applicable.get(ExperimentKey.PROMPT_TOKENS);
        Long prompt = promptSetting == null ? null
                : integer(promptSetting, 0, 1, DecodeWorkload.MAX_CONTEXT, false, " (tokens)");
        if (prompt != null) {
            checkPrompt(model, promptSetting, prompt, beyond != null && bool(beyond), notes);
        }

        MachineOptions options;
        if (entry.kind() == SystemKind.GPU) {
            DataType compute = parsed.weights() == NumberFormat.FP8 ? DataType.FP8 : DataType.BF16;
            Setting gpus = applicable.get(ExperimentKey.GPUS);
            boolean search = gpus != null && gpus.text().equalsIgnoreCase("auto");
            Setting maxGpus = applicable.get(ExperimentKey.MAX_GPUS);
            if (maxGpus != null && !search) {
                throw new ConfigException(maxGpus.where() + "=" + maxGpus.text() + " applies to the layout search;"
                        + " expected it with gpus=auto (--gpus auto)");
            }
            int tp = count(applicable.get(ExperimentKey.TP));
            int pp = count(applicable.get(ExperimentKey.PP));
            if (search && (tp != GpuOptions.AUTO || pp != GpuOptions.AUTO)) {
                throw new ConfigException(gpus.where() + "=auto searches the layout and is not allowed with tp or pp;"
                        + " expected gpus=auto alone, or a GPU count with tp/pp");
            }
            options = new GpuOptions(search ? GpuOptions.AUTO : count(gpus), tp, pp, compute, false, search,
                    count(maxGpus));
        } else {
            Setting w = applicable.get(ExperimentKey.WAFERS);
            int wafers = (int) integer(w, WaferOptions.AUTO, 1, WaferOptions.MAX_WAFERS, true, "");
            Setting ex = applicable.get(ExperimentKey.EXACT);
            options = new WaferOptions(wafers, ex != null && bool(ex));
        }
        Setting modelSetting = fields.get(ExperimentKey.MODEL) != null ? fields.get(ExperimentKey.MODEL)
                : fields.get(ExperimentKey.MODEL_FILE);
        boolean fromFile = fields.get(ExperimentKey.MODEL) == null;
        return new Experiment(entry, p, model, fromFile ? null : modelSetting.text(),
                fromFile ? modelSetting.text() : null, workload, options, overrides, notes, report,
                beyond != null && bool(beyond), prompt);
    }

    /**
     * Refuses a prompt whose first output token lies beyond the model's {@code max_position_embeddings}
     * ({@code prompt + 1} positions), unless {@code allowed}, which adds a warning to {@code notes} instead.
     */
    private static void checkPrompt(ModelSpec model, Setting s, long prompt, boolean allowed, List<String> notes) {
        if (model.maxPositions() <= 0 || prompt + 1 <= model.maxPositions()) {
            return;
        }
        String beyond = String.format(Locale.ROOT, "%s=%,d and its first output token make %,d positions, beyond %s's"
                + " max_position_embeddings of %,d", s.where(), prompt, prompt + 1, model.name(), model.maxPositions());
        if (allowed) {
            notes.add(beyond + ": the model was not trained for them; simulated as asked ("
                    + ExperimentKey.BEYOND_MAX_POSITIONS.option() + ")");
            return;
        }
        throw new ConfigException(beyond + "; expected a prompt of at most " + String.format(Locale.ROOT, "%,d",
                model.maxPositions() - 1) + " tokens, or " + ExperimentKey.BEYOND_MAX_POSITIONS.option()
                + " (workload.beyondMaxPositions: true) to simulate it anyway");
    }

    /**
     * Refuses context + tokens beyond the model's {@code max_position_embeddings} (positions it was never
     * trained for; a long context also makes a long simulation), unless {@code allowed}, which adds a
     * warning to {@code notes} instead.
     */
    private static void checkPositions(ModelSpec model, Map<ExperimentKey, Setting> applicable, long context, int tokens,
                                       boolean allowed, List<String> notes) {
        long positions = context + tokens;
        if (model.maxPositions() <= 0 || positions <= model.maxPositions()) {
            return;
        }
        Setting c = applicable.get(ExperimentKey.CONTEXT);
        Setting t = applicable.get(ExperimentKey.TOKENS);
        String given = named(c, ExperimentKey.CONTEXT, context) + " with " + named(t, ExperimentKey.TOKENS, tokens);
        String beyond = String.format(Locale.ROOT, "%,d positions, beyond %s's max_position_embeddings of %,d", positions,
                model.name(), model.maxPositions());
        if (allowed) {
            notes.add(given + " makes " + beyond + ": the model was not trained for them; simulated as asked ("
                    + ExperimentKey.BEYOND_MAX_POSITIONS.option() + ")");
            return;
        }
        throw new ConfigException(given + " makes " + beyond + "; expected context + tokens <= "
                + String.format(Locale.ROOT, "%,d", model.maxPositions()) + ", or "
                + ExperimentKey.BEYOND_MAX_POSITIONS.option() + " (workload.beyondMaxPositions: true) to simulate it anyway");
    }

    /** {@code --tokens=128 (the default)}, or the setting as its origin named it. */
    private static String named(Setting s, ExperimentKey k, long value) {
        if (s == null || s.origin().equals("default")) {
            return k.option() + "=" + value + " (the default)";
        }
        return s.where() + "=" + value;
    }

    /** The config file's report when the model comes from a file (also for a {@code model:} that is a path); else null. */
    private HfConfigReader.Report modelReport() {
        Setting m = fields.get(ExperimentKey.MODEL);
        Setting f = fields.get(ExperimentKey.MODEL_FILE);
        if (f == null && (m == null || ModelCatalog.find(m.text()).isPresent())) {
            return null;
        }
        Setting s = f != null ? f : m;
        Path path;
        try {
            path = Path.of(s.text());
        } catch (InvalidPathException e) {
            if (f == null) {
                return null;
            }
            throw new ConfigException(f.where() + "=" + f.text() + " is not a valid path; expected a config.json file");
        }
        if (f == null && !(s.text().endsWith(".json") || java.nio.file.Files.isRegularFile(path))) {
            return null;
        }
        try {
            return HfConfigReader.readReport(path);
        } catch (ConfigException e) {
            throw new ConfigException((f != null ? f.where() + ": " : m.prefix()) + e.getMessage(), e);
        }
    }

    private ModelSpec model() {
        Setting m = fields.get(ExperimentKey.MODEL);
        Setting f = fields.get(ExperimentKey.MODEL_FILE);
        if (m == null && f == null) {
            throw new ConfigException("no model given; use --model (a preset: " + String.join(", ", ModelCatalog.names())
                    + "), --model-file (a Hugging Face config.json) or 'model:' in the experiment file");
        }
        if (m != null) {
            try {
                return ModelCatalog.resolve(m.text());
            } catch (ConfigException e) {
                throw new ConfigException(m.prefix() + e.getMessage(), e);
            }
        }
        Path path;
        try {
            path = Path.of(f.text());
        } catch (InvalidPathException e) {
            throw new ConfigException(f.where() + "=" + f.text() + " is not a valid path; expected a config.json file");
        }
        try {
            return HfConfigReader.read(path);
        } catch (ConfigException e) {
            throw new ConfigException(f.where() + ": " + e.getMessage(), e);
        }
    }

    private static int count(Setting s) {
        return (int) integer(s, GpuOptions.AUTO, 1, GpuOptions.MAX_GPUS, true, "");
    }

    /** An integer setting in [min, max] ({@code auto} gives {@code absent} when allowed); absent gives {@code absent}. */
    private static long integer(Setting s, long absent, long min, long max, boolean auto, String unit) {
        if (s == null) {
            return absent;
        }
        Object v = s.value();
        Long n = null;
        if (v instanceof Integer || v instanceof Long) {
            n = ((Number) v).longValue();
        } else if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9e15) {
            n = d.longValue();
        } else if (v instanceof String text) {
            String t = text.trim().replace("_", "");
            if (auto && t.equalsIgnoreCase("auto")) {
                return absent;
            }
            try {
                n = Long.parseLong(t);
            } catch (NumberFormatException e) {
                n = null;
            }
        }
        if (n == null || n < min || n > max) {
            throw new ConfigException(s.where() + "=" + s.text() + " is not allowed; expected an integer in [" + min + ", "
                    + max + "]" + unit + (auto ? " or auto" : ""));
        }
        return n;
    }

    private static boolean bool(Setting s) {
        Object v = s.value();
        if (v instanceof Boolean b) {
            return b;
        }
        String t = s.text().toLowerCase(Locale.ROOT);
        if (t.equals("true")) {
            return true;
        }
        if (t.equals("false")) {
            return false;
        }
        throw new ConfigException(s.where() + "=" + s.text() + " is not allowed; expected true or false");
    }

    private static boolean onOff(Setting s) {
        Object v = s.value();
        if (v instanceof Boolean b) {
            return b;
        }
        String t = s.text().toLowerCase(Locale.ROOT);
        if (t.equals("on") || t.equals("true")) {
            return true;
        }
        if (t.equals("off") || t.equals("false")) {
            return false;
        }
        throw new ConfigException(s.where() + "=" + s.text() + " is not allowed; expected on or off");
    }
}
