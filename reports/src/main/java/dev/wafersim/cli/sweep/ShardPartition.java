package dev.wafersim.cli.sweep;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.PriorityQueue;

/**
 * How a sweep's points are split into shards: a deterministic partition that balances the points'
 * estimated cost ({@link PointCost}), not their count.
 *
 * <p>Longest processing time first (Graham's LPT rule): the points are taken in order of decreasing
 * estimated cost, ties in point order, and each goes to the shard with the least estimated cost so far, ties
 * to the lowest shard index. The inputs are integers and every tie is broken by an index, so every process
 * that sees the same points computes the same partition, whatever its thread count or machine. The largest
 * shard's cost is at most {@code total / N + c (1 - 1/N)}, {@code c} the cost of the last point it received
 * (the greedy list-scheduling bound), and at most {@code (4/3 - 1/(3N))} times the best possible partition's
 * (Graham 1969, "Bounds on multiprocessing timing anomalies", SIAM J. Appl. Math. 17(2)).
 */
public final class ShardPartition {
    private final int[] shardOf;
    private final long[] load;

    private ShardPartition(int[] shardOf, long[] load) {
        this.shardOf = shardOf;
        this.load = load;
    }

    /**
     * The partition of points with estimated costs {@code costs} (one per point, in point order; each at
     * least 0) into {@code shards} shards.
     */
    public static ShardPartition of(long[] costs, int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards " + shards);
        }
        int n = costs.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            if (costs[i] < 0) {
                throw new IllegalArgumentException("cost of point " + i + " is " + costs[i]);
            }
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> costs[a] != costs[b] ? Long.compare(costs[b], costs[a]) : Integer.compare(a, b));
        long[] load = new long[shards];
        PriorityQueue<Integer> least = new PriorityQueue<>(shards,
                (a, b) -> load[a] != load[b] ? Long.compare(load[a], load[b]) : Integer.compare(a, b));
        for (int s = 0; s < shards; s++) {
            least.add(s);
        }
        int[] shardOf = new int[n];
        for (int p : order) {
            int s = least.poll();
            shardOf[p] = s;
            load[s] += costs[p];
            least.add(s);
        }
        return new ShardPartition(shardOf, load);
    }

    /** Number of points. */
    public int points() {
        return shardOf.length;
    }

    /** Number of shards. */
    public int shards() {
        return load.length;
    }

    /** The shard of point {@code point}. */
    public int shardOf(int point) {
        return shardOf[point];
    }

    /** The points of shard {@code shard}, in point order. */
    public int[] pointsOf(int shard) {
        return java.util.stream.IntStream.range(0, shardOf.length).filter(p -> shardOf[p] == shard).toArray();
    }

    /** The estimated cost of shard {@code shard}: the sum of its points' costs. */
    public long load(int shard) {
        return load[shard];
    }

    /**
     * SHA-256 (hex) of the assignment, point by point: two processes that split a sweep the same way have the
     * same hash (a merge refuses shards split differently, e.g. by wafersim versions with other cost estimates).
     */
    public String hash() {
        StringBuilder sb = new StringBuilder();
        sb.append(shards()).append(':');
        for (int s : shardOf) {
            sb.append(s).append(',');
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
