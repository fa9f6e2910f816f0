package dev.wafersim.core.event;

import java.util.Arrays;

/**
 * An implicit 4-ary min-heap over parallel primitive arrays (time, order, target, data).
 *
 * <p>A 4-ary heap halves the depth of a binary heap, and its four children sit next to each other
 * in each array, so a sift-down touches fewer cache lines; pops dominate in an event simulator and
 * cost O(log4 n). No objects are created per event: the arrays double when full and are kept.
 */
public final class HeapEventQueue implements EventQueue {
    private long[] time;
    private long[] order;
    private int[] target;
    private long[] data;
    private int size;

    /** Creates a heap with room for {@code initialCapacity} events before it first grows. */
    public HeapEventQueue(int initialCapacity) {
        int cap = Math.max(16, initialCapacity);
        time = new long[cap];
        order = new long[cap];
        target = new int[cap];
        data = new long[cap];
    }

    public HeapEventQueue() {
        this(1024);
    }

    @Override
    public String kind() {
        return "heap";
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long peekTime() {
        return size == 0 ? Long.MAX_VALUE : time[0];
    }

    /** Order key of the first event; only valid when not empty. */
    long peekOrder() {
        return order[0];
    }

    @Override
    public void push(long t, long o, int tg, long d) {
        if (size == time.length) {
            grow();
        }
        int i = size++;
        final long[] ti = time;
        final long[] or = order;
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            long pt = ti[parent];
            if (pt < t || (pt == t && or[parent] < o)) {
                break;
            }
            ti[i] = pt;
            or[i] = or[parent];
            target[i] = target[parent];
            data[i] = data[parent];
            i = parent;
        }
        ti[i] = t;
        or[i] = o;
        target[i] = tg;
        data[i] = d;
    }

    @Override
    public void poll(EventCursor out) {
        if (size == 0) {
            throw new IllegalStateException("poll on an empty event queue");
        }
        out.timePs = time[0];
        out.order = order[0];
        out.target = target[0];
        out.data = data[0];
        int last = --size;
        if (last > 0) {
            siftDown(time[last], order[last], target[last], data[last], last);
        }
    }

    /** Places (t, o, tg, d) starting at the root of a heap of {@code n} entries. */
    private void siftDown(long t, long o, int tg, long d, int n) {
        final long[] ti = time;
        final long[] or = order;
        int i = 0;
        while (true) {
            int c = (i << 2) + 1;
            if (c >= n) {
                break;
            }
            // Find the smallest of up to four children.
            int best = c;
            long bt = ti[c];
            long bo = or[c];
            int end = Math.min(c + 4, n);
            for (int k = c + 1; k < end; k++) {
                long kt = ti[k];
                if (kt < bt || (kt == bt && or[k] < bo)) {
                    best = k;
                    bt = kt;
                    bo = or[k];
                }
            }
            if (t < bt || (t == bt && o < bo)) {
                break;
            }
            ti[i] = bt;
            or[i] = bo;
            target[i] = target[best];
            data[i] = data[best];
            i = best;
        }
        ti[i] = t;
        or[i] = o;
        target[i] = tg;
        data[i] = d;
    }

    private void grow() {
        int cap = time.length * 2;
        if (cap < 0) {
            throw new IllegalStateException("event queue exceeds " + Integer.MAX_VALUE + " events");
        }
        time = Arrays.copyOf(time, cap);
        order = Arrays.copyOf(order, cap);
        target = Arrays.copyOf(target, cap);
        data = Arrays.copyOf(data, cap);
    }
}
