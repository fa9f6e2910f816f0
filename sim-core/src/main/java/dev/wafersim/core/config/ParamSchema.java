package dev.wafersim.core.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The set of parameters a system kind understands, in a stable order. Looking up an unknown key is a
 * {@link ConfigException} that suggests the closest known keys.
 */
public final class ParamSchema {
    private final Map<String, ParamSpec> specs;

    private ParamSchema(Map<String, ParamSpec> specs) {
        this.specs = Collections.unmodifiableMap(specs);
    }

    /** A schema of the given specs; keys must be unique. */
    public static ParamSchema of(Collection<ParamSpec> list) {
        Map<String, ParamSpec> m = new LinkedHashMap<>();
        for (ParamSpec s : list) {
            if (m.put(s.key(), s) != null) {
                throw new IllegalArgumentException("parameter " + s.key() + " is declared twice");
            }
        }
        return new ParamSchema(m);
    }

    /** A schema of the given specs. */
    public static ParamSchema of(ParamSpec... list) {
        return of(List.of(list));
    }

    /** This schema followed by the specs of {@code other}. */
    public ParamSchema plus(ParamSchema other) {
        List<ParamSpec> all = new ArrayList<>(specs.values());
        all.addAll(other.specs.values());
        return of(all);
    }

    /** True when the key is declared. */
    public boolean has(String key) {
        return specs.containsKey(key);
    }

    /** The spec of {@code key}; an unknown key is a {@link ConfigException} naming close matches. */
    public ParamSpec spec(String key, String origin) {
        ParamSpec s = specs.get(key);
        if (s == null) {
            throw new ConfigException(origin + ": unknown parameter '" + key + "'" + suggest(key));
        }
        return s;
    }

    /** All specs in declaration order. */
    public Collection<ParamSpec> specs() {
        return specs.values();
    }

    /** All keys in declaration order. */
    public Collection<String> keys() {
        return specs.keySet();
    }

    private String suggest(String key) {
        List<String> close = EditDistance.closest(key, specs.keySet());
        if (close.isEmpty()) {
            String prefix = key.contains(".") ? key.substring(0, key.indexOf('.') + 1) : "";
            List<String> same = new ArrayList<>();
            for (String k : specs.keySet()) {
                if (!prefix.isEmpty() && k.startsWith(prefix)) {
                    same.add(k);
                }
            }
            return same.isEmpty() ? " (see 'wafersim describe' for the parameters)"
                    : "; parameters under '" + prefix + "' are: " + String.join(", ", same);
        }
        return "; did you mean " + String.join(" or ", close) + "?";
    }
}
