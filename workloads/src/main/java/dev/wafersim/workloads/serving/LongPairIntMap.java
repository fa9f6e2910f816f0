package dev.wafersim.workloads.serving;

import java.util.Arrays;

/**
 * An open-addressing hash map from a pair of longs to a non-negative int (linear probing, power-of-two
 * capacity, at most half full): the step table's index, looked up several times per pass without
 * allocating.
 */
final class LongPairIntMap {
    private long[] k1 = new long[64];
    private long[] k2 = new long[64];
    private int[] values = new int[64];
    private int size;

    LongPairIntMap() {
        Arrays.fill(values, -1);
    }

    /** The value of {@code (a, b)}, or -1. */
    int get(long a, long b) {
        int mask = values.length - 1;
        int i = hash(a, b) & mask;
        while (values[i] >= 0) {
            if (k1[i] == a && k2[i] == b) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Sets {@code (a, b)} to {@code v >= 0}; the key must be absent. */
    void put(long a, long b, int v) {
        if (2 * (size + 1) > values.length) {
            grow();
        }
        insert(a, b, v);
        size++;
    }

    int size() {
        return size;
    }

    private void insert(long a, long b, int v) {
        int mask = values.length - 1;
        int i = hash(a, b) & mask;
        while (values[i] >= 0) {
            i = (i + 1) & mask;
        }
        k1[i] = a;
        k2[i] = b;
        values[i] = v;
    }

    private void grow() {
        long[] o1 = k1;
        long[] o2 = k2;
        int[] ov = values;
        k1 = new long[o1.length * 2];
        k2 = new long[o2.length * 2];
        values = new int[ov.length * 2];
        Arrays.fill(values, -1);
        for (int i = 0; i < ov.length; i++) {
            if (ov[i] >= 0) {
                insert(o1[i], o2[i], ov[i]);
            }
        }
    }

    private static int hash(long a, long b) {
        long h = dev.wafersim.core.random.Rng.mix64(a * 0x9E3779B97F4A7C15L + b);
        return (int) (h ^ (h >>> 32));
    }
}
