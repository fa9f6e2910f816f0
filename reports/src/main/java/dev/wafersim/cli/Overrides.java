package dev.wafersim.cli;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSet;
import java.util.List;

/** The {@code --set KEY=VALUE} overrides of a command, applied to a system's parameter set. */
final class Overrides {
    private Overrides() {
    }

    /**
     * Applies each {@code KEY=VALUE} in order; a malformed entry, an unknown key or a bad value is a
     * {@link ConfigException} naming it.
     */
    static ParamSet apply(ParamSet base, List<String> sets) {
        ParamSet p = base;
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0 || eq == s.length() - 1) {
                throw new ConfigException("--set " + s + " is not allowed; expected KEY=VALUE, e.g. --set "
                        + "fabric.hopLatencyCycles=2");
            }
            p = p.with(s.substring(0, eq).trim(), s.substring(eq + 1).trim(), "--set");
        }
        return p;
    }
}
