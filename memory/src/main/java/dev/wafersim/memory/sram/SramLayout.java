package dev.wafersim.memory.sram;

import dev.wafersim.core.config.ConfigException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The placement of named buffers in one PE's SRAM (or in every PE of a role, which share a layout).
 * Buffers are placed one after another, each aligned; the code reserve is kept free. Asking for
 * more than the PE holds fails with a message naming the PE, what was placed and the shortfall.
 */
public final class SramLayout {
    /** One placed buffer. */
    public record Buffer(String name, int address, int bytes) {
    }

    private final SramParams params;
    private final String owner;
    private final List<Buffer> buffers = new ArrayList<>();
    private int next;

    /**
     * @param params the SRAM parameters
     * @param owner  who the layout is for, for messages (e.g. {@code PE (3,7)} or a role name)
     */
    public SramLayout(SramParams params, String owner) {
        this.params = params;
        this.owner = owner;
    }

    /**
     * Places a buffer of {@code bytes} bytes aligned to {@code align} bytes and returns its address.
     *
     * @throws ConfigException when the PE's data capacity would be exceeded
     */
    public int place(String name, long bytes, int align) {
        if (bytes < 0) {
            throw new IllegalArgumentException("buffer " + name + " has negative size " + bytes);
        }
        if (align < 1 || Integer.bitCount(align) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two, got " + align);
        }
        long addr = (next + align - 1L) & -(long) align;
        long end = addr + bytes;
        if (end > params.dataBytesPerPe()) {
            long used = next;
            throw new ConfigException(String.format(Locale.ROOT,
                    "%s: placing %s (%,d bytes) needs %,d bytes of SRAM but the PE holds %,d bytes of data"
                    + " (%,d bytes minus %,d reserved for code); already placed %,d bytes in %s; short by %,d bytes",
                    owner, name, bytes, end, params.dataBytesPerPe(), params.bytesPerPe(),
                    params.codeReserveBytes(), used, describe(), end - params.dataBytesPerPe()));
        }
        buffers.add(new Buffer(name, (int) addr, (int) bytes));
        next = (int) end;
        return (int) addr;
    }

    /** Bytes used by data, including alignment padding. */
    public int usedBytes() {
        return next;
    }

    /** The buffers placed so far, in address order. */
    public List<Buffer> buffers() {
        return Collections.unmodifiableList(buffers);
    }

    private String describe() {
        if (buffers.isEmpty()) {
            return "no buffers";
        }
        StringBuilder sb = new StringBuilder();
        for (Buffer b : buffers) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(b.name()).append(' ').append(String.format(Locale.ROOT, "%,d B", b.bytes()));
        }
        return sb.toString();
    }
}
