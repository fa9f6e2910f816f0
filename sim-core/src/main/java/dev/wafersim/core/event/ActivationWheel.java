package dev.wafersim.core.event;

import java.util.Arrays;

/**
 * Schedules integer handles (a router, a PE) for activation at integer cycles: the scheduler of a
 * cycle-driven component that only touches active parts. Handles due in the same cycle come out in
 * the order they were scheduled. Near-future cycles (within {@code 2^wheelBits} of the current one)
 * sit in a ring of growable int buckets; later ones wait in an overflow heap and move onto the ring
 * as the cursor approaches. Nothing is allocated per activation once buckets have grown.
 *
 * <p>A handle may be scheduled more than once for the same cycle; {@link #scheduleOnce} drops a
 * repeat of the most recent (handle, cycle) pair cheaply, and the caller should tolerate the rare
 * remaining duplicates (e.g. by remembering the last cycle it processed each handle).
 */
public final class ActivationWheel {
    private final int mask;
    private final int[][] buckets;
    private final int[] bucketSize;
    private final HeapEventQueue overflow = new HeapEventQueue(1024);
    private final EventCursor scratch = new EventCursor();
    private long current;
    private int wheelCount;
    private long overflowSeq;
    private long[] lastScheduled;

    /**
     * @param wheelBits log2 of the ring size in cycles (1..20)
     * @param handles   number of distinct handles, for {@link #scheduleOnce} (0 if unused)
     */
    public ActivationWheel(int wheelBits, int handles) {
        if (wheelBits < 1 || wheelBits > 20) {
            throw new IllegalArgumentException("wheelBits must be in [1, 20], got " + wheelBits);
        }
        int size = 1 << wheelBits;
        this.mask = size - 1;
        this.buckets = new int[size][];
        this.bucketSize = new int[size];
        for (int i = 0; i < size; i++) {
            buckets[i] = new int[4];
        }
        this.lastScheduled = new long[Math.max(0, handles)];
        Arrays.fill(lastScheduled, -1);
    }

    /** Grows the handle space of {@link #scheduleOnce}. */
    public void ensureHandles(int handles) {
        if (handles > lastScheduled.length) {
            int old = lastScheduled.length;
            lastScheduled = Arrays.copyOf(lastScheduled, handles);
            Arrays.fill(lastScheduled, old, handles, -1);
        }
    }

    /** The cycle the cursor stands at: nothing can be scheduled before it. */
    public long current() {
        return current;
    }

    /** True when nothing is scheduled. */
    public boolean isEmpty() {
        return wheelCount == 0 && overflow.isEmpty();
    }

    /** Activations scheduled and not yet drained. */
    public int size() {
        return wheelCount + overflow.size();
    }

    /**
     * Schedules {@code handle} for {@code cycle}, which must not be before {@link #current()}.
     */
    public void schedule(long cycle, int handle) {
        if (cycle < current) {
            throw new IllegalArgumentException("cannot activate at cycle " + cycle + ", before the current cycle "
                    + current);
        }
        if (cycle - current <= mask) {
            int b = (int) cycle & mask;
            int n = bucketSize[b];
            int[] arr = buckets[b];
            if (n == arr.length) {
                arr = Arrays.copyOf(arr, n * 2);
                buckets[b] = arr;
            }
            arr[n] = handle;
            bucketSize[b] = n + 1;
            wheelCount++;
        } else {
            overflow.push(cycle, overflowSeq++, 0, handle);
        }
    }

    /**
     * Schedules {@code handle} for {@code cycle} when the caller knows {@code cycle} is at most
     * {@link #nearLimit()} cycles after {@link #current()} (e.g. a fixed small latency): no range
     * checks, for the simulator's hottest path.
     */
    public void scheduleNear(long cycle, int handle) {
        int b = (int) cycle & mask;
        int n = bucketSize[b];
        int[] arr = buckets[b];
        if (n == arr.length) {
            arr = Arrays.copyOf(arr, n * 2);
            buckets[b] = arr;
        }
        arr[n] = handle;
        bucketSize[b] = n + 1;
        wheelCount++;
    }

    /** The largest delay {@link #scheduleNear} accepts: the ring size minus one. */
    public int nearLimit() {
        return mask;
    }

    /** Like {@link #schedule}, but skips the call if this handle was last scheduled for this cycle. */
    public void scheduleOnce(long cycle, int handle) {
        if (lastScheduled[handle] == cycle) {
            return;
        }
        lastScheduled[handle] = cycle;
        schedule(cycle, handle);
    }

    /**
     * The earliest cycle with scheduled handles, moving the cursor there; {@link Long#MAX_VALUE}
     * when nothing is scheduled.
     */
    public long advance() {
        while (true) {
            if (wheelCount == 0) {
                if (overflow.isEmpty()) {
                    return Long.MAX_VALUE;
                }
                current = Math.max(current, overflow.peekTime());
                pull();
                continue;
            }
            if (bucketSize[(int) current & mask] > 0) {
                return current;
            }
            current++;
            pull();
        }
    }

    private void pull() {
        while (!overflow.isEmpty() && overflow.peekTime() - current <= mask) {
            overflow.poll(scratch);
            schedule(scratch.timePs, (int) scratch.data);
        }
    }

    /**
     * Removes the handles due at the current cycle (after {@link #advance()}) into {@code out}
     * (grown if needed) and returns it; the count is {@link #drainedCount()}. Handles scheduled for
     * the current cycle while the caller processes these land in the same bucket and are returned
     * by the next drain of the same cycle.
     */
    public int[] drain(int[] out) {
        int b = (int) current & mask;
        int n = bucketSize[b];
        if (out.length < n) {
            out = new int[Math.max(n, out.length * 2)];
        }
        System.arraycopy(buckets[b], 0, out, 0, n);
        bucketSize[b] = 0;
        wheelCount -= n;
        drained = n;
        return out;
    }

    private int drained;

    /** Number of handles returned by the last {@link #drain}. */
    public int drainedCount() {
        return drained;
    }
}
