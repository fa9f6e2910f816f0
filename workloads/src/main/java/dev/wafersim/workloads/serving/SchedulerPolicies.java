package dev.wafersim.workloads.serving;

import dev.wafersim.core.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The scheduling policies {@code serving.scheduler} names: a fixed registry, first entry the default. */
public final class SchedulerPolicies {
    private static final Map<String, SchedulerPolicy> TABLE = table();

    private SchedulerPolicies() {
    }

    private static Map<String, SchedulerPolicy> table() {
        Map<String, SchedulerPolicy> m = new LinkedHashMap<>();
        for (SchedulerPolicy p : List.of(new ChunkedPrefillPolicy(), new PrefillFirstPolicy())) {
            m.put(p.name(), p);
        }
        return m;
    }

    /** Every policy name, the default first. */
    public static List<String> names() {
        return new ArrayList<>(TABLE.keySet());
    }

    /** The policy named {@code name}. */
    public static SchedulerPolicy get(String name) {
        SchedulerPolicy p = TABLE.get(name);
        if (p == null) {
            throw new ConfigException(ServingParams.SCHEDULER + "=" + name + " is not allowed; expected one of "
                    + String.join(", ", TABLE.keySet()));
        }
        return p;
    }
}
