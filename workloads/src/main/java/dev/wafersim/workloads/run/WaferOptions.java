package dev.wafersim.workloads.run;

import dev.wafersim.core.config.ConfigException;

/**
 * How a decode run is laid out on wafers.
 *
 * @param wafers wafers joined into one system, or {@link #AUTO} for the simulator to choose
 * @param exact  true to simulate every PE and wavelet instead of the faster reduced model (the wafer
 *               simulator defines what "exact" covers)
 */
public record WaferOptions(int wafers, boolean exact) implements MachineOptions {

    /** A wafer count left for the simulator to choose. */
    public static final int AUTO = 0;

    /** Largest accepted wafer count. */
    public static final int MAX_WAFERS = 1024;

    public WaferOptions {
        if (wafers < 0 || wafers > MAX_WAFERS) {
            throw new ConfigException("--wafers=" + wafers + " is not allowed; expected an integer in [1, "
                    + MAX_WAFERS + "]");
        }
    }

    @Override
    public SystemKind kind() {
        return SystemKind.WAFER;
    }
}
