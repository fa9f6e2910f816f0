package dev.wafersim.workloads.serving;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.ParamSpec;
import dev.wafersim.core.config.PresetLoader;
import java.util.Locale;

/**
 * The link a request's KV cache crosses in disaggregated serving, from the prefill system to the decode
 * system ({@link DisaggregatedReplay}), with defaults, units, confidence and sources in
 * {@code presets/serving/kvlink.yaml}; {@code serve --set kvlink.KEY=VALUE} overrides them.
 *
 * <p>Figures copied from the project's reference notes (nothing reads them at run time): a GPU server's
 * network is one ConnectX-7 InfiniBand NDR port of 400 Gb/s per GPU, 8 x 400 Gb/s = 3.2 Tb/s per DGX H100
 * (NVIDIA DGX H100 datasheet); a CS-3's system I/O is 12 x 100 GbE = 1.2 Tb/s (Cerebras CS-3 datasheet).
 * The per-transfer latency is open (a few to tens of microseconds; 10 us by default).
 *
 * @param bandwidthGbps        the link's bandwidth, Gb/s (10^9 bit/s); NaN for {@code auto}: the slower side's
 *                             NICs ({@link #bandwidthGbps(int, boolean, int, boolean)})
 * @param gpuNicGbpsPerGpu     NIC bandwidth per GPU, Gb/s (default 400, DGX H100 datasheet)
 * @param waferNicGbpsPerWafer system I/O per wafer (CS-3), Gb/s (default 1200, CS-3 datasheet)
 * @param latencyPs            per-transfer latency, ps (default 10 us, open)
 * @param overlapFraction      share of a transfer's serialization that may run during the request's prefill
 *                             (layer-wise streaming), 0..1 (default 0: the transfer starts after the prefill)
 */
public record KvLinkParams(double bandwidthGbps, double gpuNicGbpsPerGpu, double waferNicGbpsPerWafer, long latencyPs,
                           double overlapFraction) {
    public static final String BANDWIDTH = "kvlink.bandwidthGbps";
    public static final String GPU_NIC = "kvlink.gpuNicGbpsPerGpu";
    public static final String WAFER_NIC = "kvlink.waferNicGbpsPerWafer";
    public static final String LATENCY = "kvlink.latencyUs";
    public static final String OVERLAP = "kvlink.overlapFraction";

    /** The key prefix of the link's parameters. */
    public static final String PREFIX = "kvlink.";

    /** Highest bandwidth accepted, Gb/s (10 Pb/s: beyond any link). */
    public static final double MAX_GBPS = 1e7;

    /** The link's parameters. */
    public static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.text(BANDWIDTH, "The KV link's bandwidth in Gb/s, or auto: the slower side's NIC bandwidth."),
            ParamSpec.real(GPU_NIC, "Gb/s", 1e-3, MAX_GBPS, "NIC bandwidth per GPU of a GPU system."),
            ParamSpec.real(WAFER_NIC, "Gb/s", 1e-3, MAX_GBPS, "System I/O bandwidth per wafer of a wafer system."),
            ParamSpec.real(LATENCY, "us", 0, 1e6, "Latency of one KV transfer (set-up, NICs, switches)."),
            ParamSpec.real(OVERLAP, "-", 0, 1, "Share of a KV transfer layer-wise streaming hides behind its prefill."));

    public KvLinkParams {
        if (!Double.isNaN(bandwidthGbps) && !(bandwidthGbps > 0 && bandwidthGbps <= MAX_GBPS)) {
            throw badBandwidth(Double.toString(bandwidthGbps));
        }
        if (latencyPs < 0 || !(overlapFraction >= 0 && overlapFraction <= 1)) {
            throw new IllegalArgumentException("latency " + latencyPs + " ps, overlap " + overlapFraction);
        }
    }

    /** The defaults. */
    public static ParamSet defaults() {
        return PresetLoader.load("presets/serving/kvlink.yaml", SCHEMA);
    }

    /** The defaults as a record. */
    public static KvLinkParams defaultParams() {
        return from(defaults());
    }

    /**
     * Builds the record from a parameter set holding the link's keys.
     *
     * @throws ConfigException when {@code kvlink.bandwidthGbps} is neither auto nor a number in (0, 1e7]
     */
    public static KvLinkParams from(ParamSet p) {
        String bw = p.getString(BANDWIDTH).trim();
        double gbps;
        if (bw.equalsIgnoreCase("auto")) {
            gbps = Double.NaN;
        } else {
            try {
                gbps = Double.parseDouble(bw);
            } catch (NumberFormatException e) {
                throw badBandwidth(bw);
            }
            if (!(gbps > 0 && gbps <= MAX_GBPS)) {
                throw badBandwidth(bw);
            }
        }
        return new KvLinkParams(gbps, p.getDouble(GPU_NIC), p.getDouble(WAFER_NIC),
                Math.round(p.getDouble(LATENCY) * 1e6), p.getDouble(OVERLAP));
    }

    private static ConfigException badBandwidth(String value) {
        return new ConfigException(BANDWIDTH + "=" + value + " is not allowed; expected auto (the slower side's NIC"
                + " bandwidth) or a number of Gb/s in (0, " + String.format(Locale.ROOT, "%.0e", MAX_GBPS) + "]");
    }

    /** A link of {@code gbps} Gb/s, {@code latencyPs} and {@code overlap} (tests, fixed links). */
    public static KvLinkParams fixed(double gbps, long latencyPs, double overlap) {
        KvLinkParams d = defaultParams();
        return new KvLinkParams(gbps, d.gpuNicGbpsPerGpu, d.waferNicGbpsPerWafer, latencyPs, overlap);
    }

    /** True when the bandwidth comes from the sides' NICs. */
    public boolean automatic() {
        return Double.isNaN(bandwidthGbps);
    }

    /**
     * The link's bandwidth between a prefill side of {@code prefillDevices} devices and a decode side of
     * {@code decodeDevices}, Gb/s: {@link #bandwidthGbps} when set, else the slower side's NICs (per device
     * times devices; a wafer side when {@code ...Wafer} is true).
     */
    public double bandwidthGbps(int prefillDevices, boolean prefillWafer, int decodeDevices, boolean decodeWafer) {
        if (!automatic()) {
            return bandwidthGbps;
        }
        return Math.min(sideGbps(prefillDevices, prefillWafer), sideGbps(decodeDevices, decodeWafer));
    }

    /** One side's NIC bandwidth, Gb/s. */
    public double sideGbps(int devices, boolean wafer) {
        return devices * (wafer ? waferNicGbpsPerWafer : gpuNicGbpsPerGpu);
    }
}
