package dev.wafersim.workloads.speculative;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.EditDistance;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.ModelSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Speculative decoding as {@code --speculative draft=MODEL,k=K,acceptance=A[,placement=same|separate]} gives
 * it: a draft model (a preset or a Hugging Face {@code config.json}) proposes K tokens by K passes of its own,
 * the target verifies them, K + 1 positions, in one pass, and an {@link AcceptanceProcess} decides how many
 * are kept.
 *
 * <p>{@code acceptance} is a constant rate A in [0, 1] or K per-position rates {@code a1/a2/.../aK} (then
 * {@code k} may be left out). {@code placement}: {@code same} (default) runs the draft on the target's
 * devices, its passes adding to each iteration and its weights and KV cache taking memory from the target's
 * KV cache; {@code separate} runs it on devices of its own, a pipeline stage ahead of the target
 * ({@link SpeculativeStepModel}).
 *
 * @param text      the option as written
 * @param draftName the draft as written (a preset name or a path)
 * @param draft     the draft model
 * @param k         drafts per verify step, >= 1
 * @param rates     acceptance rate of each draft position, K of them, each in [0, 1]
 * @param placement where the draft runs
 */
public record SpeculativeSpec(String text, String draftName, ModelSpec draft, int k, double[] rates,
                              Placement placement) {
    /** Most drafts per verify step. */
    public static final int MAX_K = 64;
    private static final List<String> KEYS = List.of("draft", "k", "acceptance", "placement");

    /** Where the draft model runs. */
    public enum Placement {
        /** On the target's devices: the draft's passes add to each iteration, its memory to the target's. */
        SAME("same"),
        /** On devices of its own, a pipeline stage ahead of the target. */
        SEPARATE("separate");

        private final String word;

        Placement(String word) {
            this.word = word;
        }

        /** The name the option takes. */
        public String word() {
            return word;
        }
    }

    public SpeculativeSpec {
        Objects.requireNonNull(draft, "draft");
        Objects.requireNonNull(placement, "placement");
        rates = rates.clone();
    }

    @Override
    public double[] rates() {
        return rates.clone();
    }

    /** The acceptance process of these rates with {@code seed}. */
    public AcceptanceProcess acceptance(long seed) {
        return new AcceptanceProcess(rates, seed);
    }

    /**
     * Parses {@code --speculative} (named {@code option} in messages) for a target model.
     *
     * @throws ConfigException for an unknown key or model, K below 1, a rate outside [0, 1], a draft larger than
     *                         the target or with another vocabulary size; the message names the key and value
     */
    public static SpeculativeSpec parse(String text, String option, ModelSpec target) {
        Objects.requireNonNull(target, "target");
        String t = text == null ? "" : text.trim();
        Map<String, String> kv = new LinkedHashMap<>();
        for (String raw : t.split(",")) {
            String part = raw.trim();
            int eq = part.indexOf('=');
            if (eq <= 0 || eq == part.length() - 1) {
                throw new ConfigException(option + "=" + text + " is not allowed; expected draft=MODEL,k=K,acceptance=A"
                        + "[,placement=same|separate]");
            }
            String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!KEYS.contains(key)) {
                throw new ConfigException(option + ": unknown key '" + key + "'" + EditDistance.didYouMean(key, KEYS)
                        + "; expected draft, k, acceptance and placement");
            }
            if (kv.put(key, part.substring(eq + 1).trim()) != null) {
                throw new ConfigException(option + ": " + key + " is given twice");
            }
        }
        String draftName = kv.get("draft");
        if (draftName == null || draftName.isEmpty()) {
            throw new ConfigException(option + "=" + text + " has no draft; expected draft=MODEL (a preset such as"
                    + " llama-3.2-1b, or a config.json)");
        }
        ModelSpec draft;
        try {
            draft = ModelCatalog.resolve(draftName);
        } catch (ConfigException e) {
            throw new ConfigException(option + ": draft=" + draftName + ": " + e.getMessage(), e);
        }
        String acc = kv.get("acceptance");
        if (acc == null) {
            throw new ConfigException(option + "=" + text + " has no acceptance; expected acceptance=A (a rate in [0, 1])"
                    + " or acceptance=a1/a2/... (one rate per draft position)");
        }
        String[] parts = acc.split("/");
        double[] given = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            double a;
            try {
                a = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                a = Double.NaN;
            }
            if (!(a >= 0 && a <= 1)) {
                throw new ConfigException(option + ": acceptance=" + acc + " is not allowed; expected a rate in [0, 1] or"
                        + " K rates a1/a2/... each in [0, 1]");
            }
            given[i] = a;
        }
        int k;
        String kText = kv.get("k");
        if (kText == null) {
            if (given.length == 1) {
                throw new ConfigException(option + "=" + text + " has no k; expected k=K (drafts per verify step, 1 to "
                        + MAX_K + "), or one acceptance rate per position");
            }
            k = given.length;
        } else {
            try {
                k = Integer.parseInt(kText);
            } catch (NumberFormatException e) {
                k = -1;
            }
            if (k < 1 || k > MAX_K) {
                throw new ConfigException(option + ": k=" + kText + " is not allowed; expected an integer in [1, " + MAX_K
                        + "] (drafts per verify step)");
            }
        }
        double[] rates = new double[k];
        if (given.length == 1) {
            java.util.Arrays.fill(rates, given[0]);
        } else if (given.length == k) {
            rates = given;
        } else {
            throw new ConfigException(option + ": acceptance=" + acc + " gives " + given.length + " rates for k=" + k
                    + "; expected one rate, or one per draft position");
        }
        String pl = kv.getOrDefault("placement", "same").toLowerCase(Locale.ROOT);
        Placement placement = switch (pl) {
            case "same" -> Placement.SAME;
            case "separate" -> Placement.SEPARATE;
            default -> throw new ConfigException(option + ": placement=" + kv.get("placement") + " is not allowed;"
                    + " expected same (the draft on the target's devices) or separate (on devices of its own)");
        };
        if (draft.vocabSize() != target.vocabSize()) {
            throw new ConfigException(String.format(Locale.ROOT, "%s: draft=%s has a vocabulary of %,d tokens and the"
                            + " target %s one of %,d; expected a draft with the target's vocabulary (its tokens are the"
                            + " target's)", option, draftName, draft.vocabSize(), target.name(), target.vocabSize()));
        }
        if (draft.totalParameters() >= target.totalParameters()) {
            throw new ConfigException(String.format(Locale.ROOT, "%s: draft=%s has %.2fB parameters, not fewer than the"
                            + " target %s's %.2fB; expected a smaller draft", option, draftName,
                    draft.totalParameters() / 1e9, target.name(), target.totalParameters() / 1e9));
        }
        return new SpeculativeSpec(t, draftName, draft, k, rates, placement);
    }

    /** One line: the draft, K, the acceptance and the placement. */
    public String describe() {
        return draftName + ", k=" + k + ", acceptance=" + new AcceptanceProcess(rates, 0) + ", placement="
                + placement.word();
    }
}
