package dev.wafersim.memory.sram;

import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.ParamSpec;

/**
 * The SRAM of one processing element: capacity, banking and ports.
 *
 * @param bytesPerPe           capacity in bytes (48 KB on WSE-2 and WSE-3)
 * @param banks                number of banks (8)
 * @param interleaveBytes      consecutive {@code interleaveBytes}-byte words sit in consecutive
 *                             banks (2: "consecutive 16-bit words in consecutive banks")
 * @param readPortsPerCycle    read accesses per cycle (2); two reads in one cycle must hit
 *                             different banks or one of them waits a cycle
 * @param writePortsPerCycle   write accesses per cycle (1)
 * @param portWidthBits        bits one port moves per access (open: 32 per the SDK text, 64 per
 *                             the 2022 talk; only 64 matches the aggregate bandwidth)
 * @param codeReserveBytes     bytes kept for code, stack and runtime, unavailable to data
 */
public record SramParams(int bytesPerPe, int banks, int interleaveBytes, int readPortsPerCycle,
                         int writePortsPerCycle, int portWidthBits, int codeReserveBytes) {

    public static final String BYTES_PER_PE = "sram.bytesPerPe";
    public static final String BANKS = "sram.banks";
    public static final String INTERLEAVE = "sram.bankInterleaveBytes";
    public static final String READ_PORTS = "sram.readPortsPerCycle";
    public static final String WRITE_PORTS = "sram.writePortsPerCycle";
    public static final String PORT_WIDTH = "sram.portWidthBits";
    public static final String CODE_RESERVE = "sram.codeReserveBytes";

    /** The parameters this record is built from. */
    public static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.integer(BYTES_PER_PE, "bytes", 1024, 1 << 24, "SRAM capacity of one PE."),
            ParamSpec.integer(BANKS, "banks", 1, 64, "SRAM banks per PE."),
            ParamSpec.integer(INTERLEAVE, "bytes", 1, 64,
                    "Bank interleaving granule: consecutive granules sit in consecutive banks."),
            ParamSpec.integer(READ_PORTS, "accesses/cycle", 1, 8, "Read accesses per cycle (to different banks)."),
            ParamSpec.integer(WRITE_PORTS, "accesses/cycle", 1, 8, "Write accesses per cycle."),
            ParamSpec.integer(PORT_WIDTH, "bits", 16, 512, "Bits moved by one port access."),
            ParamSpec.integer(CODE_RESERVE, "bytes", 0, 1 << 24,
                    "Bytes per PE reserved for code, stack and runtime; the rest holds data."));

    public SramParams {
        if (banks < 1 || interleaveBytes < 1 || readPortsPerCycle < 1 || writePortsPerCycle < 1) {
            throw new IllegalArgumentException("SRAM banks, interleave and ports must be >= 1");
        }
        if (portWidthBits % 8 != 0) {
            throw new IllegalArgumentException("sram.portWidthBits must be a multiple of 8, got " + portWidthBits);
        }
        if (codeReserveBytes >= bytesPerPe) {
            throw new IllegalArgumentException("sram.codeReserveBytes (" + codeReserveBytes
                    + ") must be smaller than sram.bytesPerPe (" + bytesPerPe + ")");
        }
    }

    /** Builds the record from a validated parameter set. */
    public static SramParams from(ParamSet p) {
        return new SramParams(p.getInt(BYTES_PER_PE), p.getInt(BANKS), p.getInt(INTERLEAVE), p.getInt(READ_PORTS),
                p.getInt(WRITE_PORTS), p.getInt(PORT_WIDTH), p.getInt(CODE_RESERVE));
    }

    /** Bytes one port moves per access. */
    public int portBytes() {
        return portWidthBits / 8;
    }

    /** Bytes available to data after the code reserve. */
    public int dataBytesPerPe() {
        return bytesPerPe - codeReserveBytes;
    }
}
