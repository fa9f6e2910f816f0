package dev.wafersim.core.event;

import java.util.Arrays;

/**
 * A timing wheel for the near future in front of a heap for the far future.
 *
 * <p>Time is cut into buckets of {@code 2^bucketShift} ps. The wheel holds {@code 2^wheelBits}
 * buckets, covering a span of {@code 2^(bucketShift + wheelBits)} ps from the current bucket. An
 * event in the current bucket goes straight into a small heap ({@code now}); an event within the span
 * is linked, unsorted, into its bucket (O(1)); an event beyond the span waits in an overflow heap and
 * is moved into the wheel when the cursor comes within reach of it. When the current bucket runs dry
 * the cursor advances to the next non-empty bucket, whose events are moved into the {@code now} heap.
 * Each event is thus sorted only against the few events of its own bucket, instead of against every
 * pending event as in a single heap.
 *
 * <p>Choose the bucket width near the mean gap between consecutive events, and the span above the
 * typical scheduling delay; results never depend on the choice, only speed does. Linked nodes live
 * in parallel primitive arrays with a free list, so nothing is allocated per event.
 *
 * <p>Follows the hashed timing wheel of Varghese and Lauck (SOSP 1987), with the overflow heap of
 * hierarchical designs replaced by a single heap.
 */
public final class WheelEventQueue implements EventQueue {
    private final int shift;
    private final int mask;
    private final int wheelSize;
    private final int[] bucketHead;
    private final HeapEventQueue now = new HeapEventQueue(256);
    private final HeapEventQueue overflow = new HeapEventQueue(256);

    // Linked nodes for events in wheel buckets.
    private long[] nTime;
    private long[] nOrder;
    private int[] nTarget;
    private long[] nData;
    private int[] nNext;
    private int freeHead = -1;
    private int nodesUsed;

    private long curBucket;
    private int wheelCount;

    /**
     * @param bucketShift log2 of the bucket width in picoseconds, 0..40
     * @param wheelBits   log2 of the number of buckets, 1..24
     */
    public WheelEventQueue(int bucketShift, int wheelBits) {
        if (bucketShift < 0 || bucketShift > 40) {
            throw new IllegalArgumentException("bucketShift must be in [0, 40], got " + bucketShift);
        }
        if (wheelBits < 1 || wheelBits > 24) {
            throw new IllegalArgumentException("wheelBits must be in [1, 24], got " + wheelBits);
        }
        this.shift = bucketShift;
        this.wheelSize = 1 << wheelBits;
        this.mask = wheelSize - 1;
        this.bucketHead = new int[wheelSize];
        Arrays.fill(bucketHead, -1);
        int cap = 1024;
        nTime = new long[cap];
        nOrder = new long[cap];
        nTarget = new int[cap];
        nData = new long[cap];
        nNext = new int[cap];
    }

    @Override
    public String kind() {
        return "wheel";
    }

    /** Bucket width in picoseconds. */
    public long bucketWidthPs() {
        return 1L << shift;
    }

    /** Number of buckets on the wheel. */
    public int buckets() {
        return wheelSize;
    }

    @Override
    public boolean isEmpty() {
        return now.isEmpty() && wheelCount == 0 && overflow.isEmpty();
    }

    @Override
    public int size() {
        return now.size() + wheelCount + overflow.size();
    }

    @Override
    public void push(long t, long o, int tg, long d) {
        long b = t >> shift;
        if (b <= curBucket) {
            // The current bucket (or, for a caller that pushes behind the cursor, earlier: such an
            // event is still the smallest and leaves first, so order is kept).
            now.push(t, o, tg, d);
        } else if (b - curBucket < wheelSize) {
            int n = allocNode();
            nTime[n] = t;
            nOrder[n] = o;
            nTarget[n] = tg;
            nData[n] = d;
            int slot = (int) b & mask;
            nNext[n] = bucketHead[slot];
            bucketHead[slot] = n;
            wheelCount++;
        } else {
            overflow.push(t, o, tg, d);
        }
    }

    @Override
    public long peekTime() {
        if (now.isEmpty() && !advance()) {
            return Long.MAX_VALUE;
        }
        return now.peekTime();
    }

    @Override
    public void poll(EventCursor out) {
        if (now.isEmpty() && !advance()) {
            throw new IllegalStateException("poll on an empty event queue");
        }
        now.poll(out);
    }

    /** Moves the cursor to the next non-empty bucket and fills {@code now}; false when empty. */
    private boolean advance() {
        while (now.isEmpty()) {
            if (wheelCount == 0) {
                if (overflow.isEmpty()) {
                    return false;
                }
                curBucket = overflow.peekTime() >> shift;
                pullOverflow();
                continue;
            }
            curBucket++;
            pullOverflow();
            int slot = (int) curBucket & mask;
            int n = bucketHead[slot];
            if (n >= 0) {
                bucketHead[slot] = -1;
                while (n >= 0) {
                    int next = nNext[n];
                    now.push(nTime[n], nOrder[n], nTarget[n], nData[n]);
                    freeNode(n);
                    wheelCount--;
                    n = next;
                }
            }
        }
        return true;
    }

    /** Moves overflow events that are now within the wheel's span onto the wheel. */
    private void pullOverflow() {
        final EventCursor c = scratch;
        while (!overflow.isEmpty() && (overflow.peekTime() >> shift) - curBucket < wheelSize) {
            overflow.poll(c);
            push(c.timePs, c.order, c.target, c.data);
        }
    }

    private final EventCursor scratch = new EventCursor();

    private int allocNode() {
        int n = freeHead;
        if (n >= 0) {
            freeHead = nNext[n];
            return n;
        }
        if (nodesUsed == nTime.length) {
            int cap = nTime.length * 2;
            nTime = Arrays.copyOf(nTime, cap);
            nOrder = Arrays.copyOf(nOrder, cap);
            nTarget = Arrays.copyOf(nTarget, cap);
            nData = Arrays.copyOf(nData, cap);
            nNext = Arrays.copyOf(nNext, cap);
        }
        return nodesUsed++;
    }

    private void freeNode(int n) {
        nNext[n] = freeHead;
        freeHead = n;
    }
}
