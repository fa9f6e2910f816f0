package dev.wafersim.fabric.wafer;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.ParamSpec;
import dev.wafersim.core.time.ClockDomain;
import dev.wafersim.memory.sram.SramParams;
import java.util.List;

/**
 * Every parameter of a wafer-scale engine: the fabric (grid, routers, links), the processing
 * elements and their SRAM. Built from a preset ({@code wse2}, {@code wse3}) plus overrides; the
 * preset files in {@code presets/wse/} give each value's unit, confidence and source.
 *
 * @param gridWidthPes              PEs per row (x extent)
 * @param gridHeightPes             PEs per column (y extent)
 * @param clock                     the fabric clock (periods rounded to whole ps, see ClockDomain)
 * @param colours                   routable colours (virtual channels)
 * @param routeConfigsPerColour     route configurations a router holds per colour (switch positions)
 * @param hopLatencyCycles          cycles for a wavelet to move from one router's input buffer to the
 *                                  next router's input buffer
 * @param rampLatencyCycles         cycles across the ramp between a router and its PE, each way (T_R)
 * @param routerBufferDepthWavelets input buffer of one colour in one router, in wavelets
 * @param waveletPayloadBits        payload bits of one wavelet = bits a link moves per cycle per
 *                                  direction (32; 64 as a WSE-3 what-if)
 * @param peInputQueues             fabric input queues per PE
 * @param peOutputQueues            fabric output queues per PE
 * @param peInputQueueDepthWavelets depth of one PE input queue, in wavelets
 * @param microthreads              microthreads per PE for asynchronous vector operations
 * @param taskActivationCycles      cycles between picking a task and running its first instruction
 * @param opLatencyCycles           cycles from a vector step's operands to its result (written or on
 *                                  the ramp)
 * @param dataTaskBinding           {@code colour} (WSE-2: a data task is bound to a colour) or
 *                                  {@code queue} (WSE-3: bound to an input queue)
 * @param datapathShared            true: one vector step or instruction issues per cycle across all
 *                                  threads of a PE; false: fabric steps of microthreads do not take the
 *                                  main thread's issue slot (what-if)
 * @param simdFp16Fma               fp16 FMA lanes per cycle ({@code @fmach})
 * @param simdFp16MixedFma          fp16 x fp16 + fp32 lanes per cycle ({@code @fmachs})
 * @param simdFp32AddMove           fp32 add/move lanes per cycle ({@code @fadds}, {@code @fmovs})
 * @param simdFp16AddMul            fp16 add/mul/move lanes per cycle ({@code @faddh}, {@code @fmulh})
 * @param simdFp16Max               fp16 max lanes per cycle ({@code @fmaxh})
 * @param simdFp32Fma               fp32 FMA/mul lanes per cycle ({@code @fmacs})
 * @param expPasses                 vector passes of a software exp (polynomial with range reduction)
 * @param rsqrtPasses               vector passes of a software 1/sqrt (seed and Newton steps)
 * @param recipPasses               vector passes of a software 1/x (seed and Newton steps)
 * @param waferLinkGbps             bandwidth of the link between two wafers, Gb/s
 * @param waferLinkLatencyPs        latency of that link, ps
 * @param ioEntryPointsPerEdge      fabric entry points of the system I/O on one east or west edge
 * @param sram                      the PE's SRAM
 */
public record WseParams(
        int gridWidthPes, int gridHeightPes, ClockDomain clock, int colours, int routeConfigsPerColour,
        int hopLatencyCycles, int rampLatencyCycles, int routerBufferDepthWavelets, int waveletPayloadBits,
        int peInputQueues, int peOutputQueues, int peInputQueueDepthWavelets, int microthreads,
        int taskActivationCycles, int opLatencyCycles, String dataTaskBinding, boolean datapathShared,
        int simdFp16Fma, int simdFp16MixedFma, int simdFp32AddMove, int simdFp16AddMul, int simdFp16Max,
        int simdFp32Fma, int expPasses, int rsqrtPasses, int recipPasses, double waferLinkGbps,
        long waferLinkLatencyPs, int ioEntryPointsPerEdge, SramParams sram) {

    public static final String GRID_WIDTH = "fabric.gridWidthPes";
    public static final String GRID_HEIGHT = "fabric.gridHeightPes";
    public static final String CLOCK_GHZ = "fabric.clockGHz";
    public static final String COLOURS = "fabric.colours";
    public static final String ROUTE_CONFIGS = "fabric.routeConfigsPerColour";
    public static final String HOP_LATENCY = "fabric.hopLatencyCycles";
    public static final String RAMP_LATENCY = "fabric.rampLatencyCycles";
    public static final String ROUTER_BUFFER = "fabric.routerBufferDepthWavelets";
    public static final String PAYLOAD_BITS = "fabric.waveletPayloadBits";
    public static final String INPUT_QUEUES = "pe.inputQueues";
    public static final String OUTPUT_QUEUES = "pe.outputQueues";
    public static final String INPUT_QUEUE_DEPTH = "pe.inputQueueDepthWavelets";
    public static final String MICROTHREADS = "pe.microthreads";
    public static final String TASK_ACTIVATION = "pe.taskActivationCycles";
    public static final String OP_LATENCY = "pe.opLatencyCycles";
    public static final String DATA_TASK_BINDING = "pe.dataTaskBinding";
    public static final String DATAPATH = "pe.datapath";
    public static final String SIMD_FP16_FMA = "pe.simdFp16Fma";
    public static final String SIMD_FP16_MIXED_FMA = "pe.simdFp16MixedFma";
    public static final String SIMD_FP32_ADD_MOVE = "pe.simdFp32AddMove";
    public static final String SIMD_FP16_ADD_MUL = "pe.simdFp16AddMul";
    public static final String SIMD_FP16_MAX = "pe.simdFp16Max";
    public static final String SIMD_FP32_FMA = "pe.simdFp32Fma";
    public static final String EXP_PASSES = "pe.expPasses";
    public static final String RSQRT_PASSES = "pe.rsqrtPasses";
    public static final String RECIP_PASSES = "pe.recipPasses";
    public static final String LINK_GBPS = "system.waferLinkGbps";
    public static final String LINK_LATENCY_NS = "system.waferLinkLatencyNs";
    public static final String IO_ENTRY_POINTS = "system.ioEntryPointsPerEdge";

    /**
     * Most colours the model supports: a router's set of colours is 64 bits ({@link RouterSlots}).
     * The WSE-2 and WSE-3 have 24; more is a what-if.
     */
    public static final int MAX_COLOURS = 64;
    /**
     * Most route configurations per colour the model supports. Nothing in the state layout bounds
     * it (configurations live in a list per route); the limit keeps a mistyped value from
     * allocating a huge table. The WSE-3 has 4 (an initial route and 3 switch positions).
     */
    public static final int MAX_ROUTE_CONFIGS = 64;
    /**
     * Deepest router buffer and PE input queue the model supports, in wavelets. The layouts hold
     * deeper ones (router buffers 65,535, queues 2,047); the limit keeps a buffer's state within a
     * few kilobytes per router colour.
     */
    public static final int MAX_BUFFER_DEPTH_WAVELETS = 1024;

    /** The fabric and PE parameters (the SRAM's come from {@link SramParams#SCHEMA}). */
    public static final ParamSchema FABRIC_SCHEMA = ParamSchema.of(List.of(
            ParamSpec.integer(GRID_WIDTH, "PEs", 1, 4096, "PEs per row of the usable grid (x extent)."),
            ParamSpec.integer(GRID_HEIGHT, "PEs", 1, 4096, "PEs per column of the usable grid (y extent)."),
            ParamSpec.real(CLOCK_GHZ, "GHz", 0.05, 10, "Fabric and PE clock; simulation runs in cycles and"
                    + " converts with this (period rounded to whole ps)."),
            ParamSpec.integer(COLOURS, "colours", 1, MAX_COLOURS, "Routable colours (virtual channels) per router."),
            ParamSpec.integer(ROUTE_CONFIGS, "configs", 1, MAX_ROUTE_CONFIGS,
                    "Route configurations per colour per router, switched by control wavelets."),
            ParamSpec.integer(HOP_LATENCY, "cycles", 1, 64, "Cycles per hop, router input to next router input."),
            ParamSpec.integer(RAMP_LATENCY, "cycles", 0, 64, "Ramp latency T_R between a router and its PE, each way."),
            ParamSpec.integer(ROUTER_BUFFER, "wavelets", 1, MAX_BUFFER_DEPTH_WAVELETS,
                    "Input buffer depth of one colour in one router; a full buffer stalls its senders."),
            ParamSpec.integer(PAYLOAD_BITS, "bits", 32, 64, "Payload bits per wavelet (32, or 64 as a what-if)."),
            ParamSpec.integer(INPUT_QUEUES, "queues", 1, 32, "Fabric input queues per PE."),
            ParamSpec.integer(OUTPUT_QUEUES, "queues", 1, 32, "Fabric output queues per PE."),
            ParamSpec.integer(INPUT_QUEUE_DEPTH, "wavelets", 1, MAX_BUFFER_DEPTH_WAVELETS,
                    "Depth of one PE input queue."),
            ParamSpec.integer(MICROTHREADS, "threads", 0, 16,
                    "Microthreads per PE running asynchronous vector operations."),
            ParamSpec.integer(TASK_ACTIVATION, "cycles", 0, 1000,
                    "Cycles from picking an activated task to its first instruction."),
            ParamSpec.integer(OP_LATENCY, "cycles", 1, 100,
                    "Pipeline latency of a vector step: operands in, result written or on the ramp."),
            ParamSpec.choice(DATA_TASK_BINDING, "What a data task is bound to: a colour (WSE-2) or an input"
                    + " queue (WSE-3).", "colour", "queue"),
            ParamSpec.choice(DATAPATH, "shared: one vector step or instruction per cycle across the PE's"
                    + " threads; independent: microthread fabric steps do not take the main thread's slot"
                    + " (what-if).", "shared", "independent"),
            ParamSpec.integer(SIMD_FP16_FMA, "lanes", 1, 64, "fp16 FMA lanes per cycle (@fmach)."),
            ParamSpec.integer(SIMD_FP16_MIXED_FMA, "lanes", 1, 64, "fp16 x fp16 + fp32 lanes per cycle (@fmachs)."),
            ParamSpec.integer(SIMD_FP32_ADD_MOVE, "lanes", 1, 64, "fp32 add/move lanes per cycle (@fadds, @fmovs)."),
            ParamSpec.integer(SIMD_FP16_ADD_MUL, "lanes", 1, 64, "fp16 add/mul/move lanes per cycle (@faddh, @fmulh)."),
            ParamSpec.integer(SIMD_FP16_MAX, "lanes", 1, 64, "fp16 max lanes per cycle (@fmaxh)."),
            ParamSpec.integer(SIMD_FP32_FMA, "lanes", 1, 64, "fp32 FMA/mul lanes per cycle (@fmacs)."),
            ParamSpec.integer(EXP_PASSES, "passes", 1, 100,
                    "Vector passes of a software exp (the PE has no transcendental unit)."),
            ParamSpec.integer(RSQRT_PASSES, "passes", 1, 100, "Vector passes of a software 1/sqrt."),
            ParamSpec.integer(RECIP_PASSES, "passes", 1, 100, "Vector passes of a software 1/x."),
            ParamSpec.real(LINK_GBPS, "Gb/s", 1, 1e6, "Bandwidth of the link between consecutive wafers."),
            ParamSpec.real(LINK_LATENCY_NS, "ns", 0, 1e9, "Latency of the link between consecutive wafers."),
            ParamSpec.integer(IO_ENTRY_POINTS, "entry points", 1, 4096,
                    "Fabric entry points of the system I/O on one east or west edge.")));

    /** Every parameter of a wafer system. */
    public static final ParamSchema SCHEMA = FABRIC_SCHEMA.plus(SramParams.SCHEMA);

    /** Builds the record from a validated parameter set; cross-parameter rules raise ConfigException. */
    public static WseParams from(ParamSet p) {
        int payload = p.getInt(PAYLOAD_BITS);
        if (payload != 32 && payload != 64) {
            throw new ConfigException(PAYLOAD_BITS + "=" + payload + " is not allowed; expected 32 or 64");
        }
        SramParams sram;
        try {
            sram = SramParams.from(p);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return new WseParams(p.getInt(GRID_WIDTH), p.getInt(GRID_HEIGHT),
                ClockDomain.fromGHz(p.name(), p.getDouble(CLOCK_GHZ)), p.getInt(COLOURS), p.getInt(ROUTE_CONFIGS),
                p.getInt(HOP_LATENCY), p.getInt(RAMP_LATENCY), p.getInt(ROUTER_BUFFER), payload,
                p.getInt(INPUT_QUEUES), p.getInt(OUTPUT_QUEUES), p.getInt(INPUT_QUEUE_DEPTH), p.getInt(MICROTHREADS),
                p.getInt(TASK_ACTIVATION), p.getInt(OP_LATENCY), p.getString(DATA_TASK_BINDING),
                p.getString(DATAPATH).equals("shared"),
                p.getInt(SIMD_FP16_FMA), p.getInt(SIMD_FP16_MIXED_FMA), p.getInt(SIMD_FP32_ADD_MOVE),
                p.getInt(SIMD_FP16_ADD_MUL), p.getInt(SIMD_FP16_MAX), p.getInt(SIMD_FP32_FMA), p.getInt(EXP_PASSES),
                p.getInt(RSQRT_PASSES), p.getInt(RECIP_PASSES), p.getDouble(LINK_GBPS),
                Math.round(p.getDouble(LINK_LATENCY_NS) * 1000), p.getInt(IO_ENTRY_POINTS), sram);
    }

    /** Number of PEs (= routers) in the grid. */
    public int peCount() {
        return gridWidthPes * gridHeightPes;
    }

    /** Vector passes a software operation costs (1 for hardware operations). */
    public int passes(dev.wafersim.fabric.wafer.program.VecOpCode code) {
        return switch (code) {
            case EXP -> expPasses;
            case RSQRT -> rsqrtPasses;
            case RECIP -> recipPasses;
            case SILU -> expPasses + recipPasses + 2;
            default -> 1;
        };
    }

    /** Data bytes the SRAM of the whole grid holds (after the code reserve). */
    public long dataBytesPerWafer() {
        return (long) peCount() * sram.dataBytesPerPe();
    }

    /** True when data tasks bind to colours (WSE-2) rather than input queues (WSE-3). */
    public boolean dataTasksBindColours() {
        return dataTaskBinding.equals("colour");
    }

    /** A copy with another grid size (used to simulate a region of the wafer on its own). */
    public WseParams withGrid(int width, int height) {
        return new WseParams(width, height, clock, colours, routeConfigsPerColour, hopLatencyCycles,
                rampLatencyCycles, routerBufferDepthWavelets, waveletPayloadBits, peInputQueues, peOutputQueues,
                peInputQueueDepthWavelets, microthreads, taskActivationCycles, opLatencyCycles, dataTaskBinding,
                datapathShared, simdFp16Fma, simdFp16MixedFma, simdFp32AddMove, simdFp16AddMul, simdFp16Max,
                simdFp32Fma, expPasses, rsqrtPasses, recipPasses, waferLinkGbps, waferLinkLatencyPs,
                ioEntryPointsPerEdge, sram);
    }
}
