package dev.wafersim.fabric.wafer.collective;

import dev.wafersim.core.config.ConfigException;
import java.util.ArrayDeque;
import java.util.Deque;

/** Hands out colours to collectives; asking for more than are free is a clear error. */
public final class ColourPool {
    private final Deque<Integer> free = new ArrayDeque<>();
    private final int total;

    /** All colours 0..count-1 free. */
    public ColourPool(int count) {
        this.total = count;
        for (int c = 0; c < count; c++) {
            free.add(c);
        }
    }

    /** Colours still free. */
    public int available() {
        return free.size();
    }

    /**
     * Takes {@code n} colours for {@code who}.
     *
     * @throws ConfigException when fewer than n are free
     */
    public int[] take(int n, String who) {
        if (n > free.size()) {
            throw new ConfigException(who + " needs " + n + " colour(s) but only " + free.size() + " of the fabric's "
                    + total + " are free (fabric.colours=" + total + ")");
        }
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            c[i] = free.removeFirst();
        }
        return c;
    }

    /** Returns colours to the pool (a later phase may reuse them where routes do not overlap). */
    public void give(int... colours) {
        for (int c : colours) {
            free.addFirst(c);
        }
    }
}
