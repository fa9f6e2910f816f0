package dev.wafersim.cli;

import dev.wafersim.cli.io.Json;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.fabric.wafer.WseParams;
import dev.wafersim.fabric.wafer.WsePresets;
import dev.wafersim.fabric.wafer.collective.Algorithm;
import dev.wafersim.fabric.wafer.collective.CollectiveRun;
import dev.wafersim.fabric.wafer.program.DType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wafersim collective}: one fabric collective from a cold start, cycle by cycle. */
@Command(name = "collective", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Run one broadcast or reduction on the wafer fabric and print its cycles.",
            "",
            "Runs from a cold start and counts the cycles from the first wavelet put on the fabric to the end of",
            "the last result written to SRAM, next to the cycle model of Luczynski et al. (HPDC 2024).",
            "",
            "Algorithms: broadcast-row, broadcast-col, broadcast-2d, reduce-chain, reduce-star, reduce-tree,",
            "reduce-two-phase, allreduce-ring, reduce-2d. Row algorithms run on --pes P PEs in a row; 2D ones",
            "on --rows M x --cols N (or a square of --pes P)."})
public final class CollectiveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--system", paramLabel = "SYSTEM", description = "wse2 or wse3 (default: ${DEFAULT-VALUE}).")
    String system = "wse3";

    @Option(names = "--algorithm", required = true, paramLabel = "NAME", description = "The collective (see above).")
    String algorithm;

    @Option(names = "--pes", paramLabel = "P", description = "PEs in the row (or a square of P PEs for 2D algorithms).")
    Integer pes;

    @Option(names = "--rows", paramLabel = "M", description = "Rows of a 2D region.")
    Integer rows;

    @Option(names = "--cols", paramLabel = "N", description = "Columns of a 2D region.")
    Integer cols;

    @Option(names = "--wavelets", required = true, paramLabel = "B", description = "Vector length per PE, in wavelets.")
    int wavelets;

    @Option(names = "--dtype", paramLabel = "TYPE",
            description = "fp32 (one element per wavelet) or fp16 (two packed) (default: ${DEFAULT-VALUE}).")
    String dtype = "fp32";

    @Option(names = "--functional",
            description = "Also compute the values and check the result (slower; small regions).")
    boolean functional;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a parameter, e.g. fabric.rampLatencyCycles=3.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Write the result as JSON to FILE.")
    Path json;

    @Override
    public Integer call() {
        Algorithm alg = Algorithm.byName(algorithm);
        ParamSet ps = Overrides.apply(WsePresets.load(system.toLowerCase(Locale.ROOT)), sets);
        WseParams p = WseParams.from(ps);
        DType type = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "fp32" -> DType.FP32;
            case "fp16" -> DType.FP16;
            default -> throw new ConfigException("--dtype=" + dtype + " is not allowed; expected fp32 or fp16");
        };
        int r;
        int c;
        if (alg.twoDimensional()) {
            if (rows != null || cols != null) {
                if (rows == null || cols == null) {
                    throw new ConfigException(alg.cliName() + " needs both --rows and --cols (or --pes for a square)");
                }
                r = rows;
                c = cols;
            } else if (pes != null) {
                int side = (int) Math.round(Math.sqrt(pes));
                if (side * side != pes) {
                    throw new ConfigException("--pes=" + pes + " is not a square; give --rows and --cols for "
                            + alg.cliName());
                }
                r = side;
                c = side;
            } else {
                throw new ConfigException(alg.cliName() + " needs --rows and --cols (or --pes for a square)");
            }
        } else {
            if (pes == null) {
                throw new ConfigException(alg.cliName() + " needs --pes P (the PEs in the row)");
            }
            r = 1;
            c = pes;
        }
        if (r < 1 || c < 1) {
            throw new ConfigException("the region must have at least one PE; got " + r + " x " + c);
        }
        CollectiveRun.Result res = CollectiveRun.run(p, new CollectiveRun.Spec(alg, r, c, wavelets, type, functional));
        PrintWriter out = spec.commandLine().getOut();
        double err = res.expectedCycles() == 0 ? 0 : 100.0 * (res.cycles() - res.expectedCycles()) / res.expectedCycles();
        out.printf(Locale.ROOT, "%s on %s: %d x %d PEs (rows x columns), B = %d %s wavelets per PE%n", alg.cliName(),
                system, r, c, wavelets, type.name().toLowerCase(Locale.ROOT));
        out.printf(Locale.ROOT, "model:  %d cycles (%s), simulated %+.1f%%%n", res.expectedCycles(),
                alg.closedForm() ? "closed form, Luczynski et al. HPDC 2024" : "general model, derived estimate", err);
        out.printf(Locale.ROOT, "wavelet-hops: %d, ramp deliveries: %d, colours: %d, distinct PE programs: %d%s%n",
                res.waveletHops(), res.rampDeliveries(), res.coloursUsed(), res.programs(),
                res.verified() ? ", values checked" : "");
        out.printf(Locale.ROOT, "wall: %.3f s%n", res.wallSeconds());
        out.printf(Locale.ROOT, "cycles: %d (%.3f us at %.4f GHz)%n", res.cycles(), res.micros(), p.clock().effectiveGHz());
        out.flush();
        if (json != null) {
            Json.write(json, new CollectiveFile(WafersimCommand.version(), system, alg.cliName(), r, c, r * c, wavelets,
                    type.name().toLowerCase(Locale.ROOT), res.cycles(), res.micros(), res.expectedCycles(),
                    alg.closedForm() ? "closed form (Luczynski et al., HPDC 2024)"
                            : "general model of Luczynski et al., derived for this implementation",
                    res.waveletHops(), res.rampDeliveries(), res.coloursUsed(), res.programs(), res.verified(),
                    res.wallSeconds(), ps.toJson(), ps.hash()));
        }
        return Main.EXIT_OK;
    }

    /** The JSON of one collective run: the pattern, the simulated and expected cycles, the counters, the configuration. */
    record CollectiveFile(String wafersimVersion, String system, String algorithm, int rows, int cols, int pes,
                          int wavelets, String dtype, long cycles, double microseconds, long expectedCycles,
                          String expectedSource, long waveletHops, long rampDeliveries, int coloursUsed, int programs,
                          boolean verified, double wallSeconds, com.fasterxml.jackson.databind.JsonNode config,
                          String configHash) {
    }
}
