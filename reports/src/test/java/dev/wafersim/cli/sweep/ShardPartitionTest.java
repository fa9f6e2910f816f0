package dev.wafersim.cli.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The split of a sweep's points into shards: deterministic, every point once, balanced by cost. */
class ShardPartitionTest {
    private static int[] shardOfAll(ShardPartition p) {
        int[] out = new int[p.points()];
        for (int i = 0; i < out.length; i++) {
            out[i] = p.shardOf(i);
        }
        return out;
    }

    private static long maxLoad(ShardPartition p) {
        long max = 0;
        for (int s = 0; s < p.shards(); s++) {
            max = Math.max(max, p.load(s));
        }
        return max;
    }

    /**
     * By hand, LPT: costs 7 5 4 3 3 2 (points 0..5) over 2 shards. 7 -> s0 (7); 5 -> s1 (5); 4 -> s1 (9);
     * 3 (point 3) -> s0 (10); 3 (point 4) -> s1 (12); 2 -> s0 (12).
     */
    @Test
    void of_handWorkedExample_lptAssignment() {
        ShardPartition p = ShardPartition.of(new long[] {7, 5, 4, 3, 3, 2}, 2);
        assertArrayEquals(new int[] {0, 1, 1, 0, 1, 0}, shardOfAll(p));
        assertArrayEquals(new int[] {0, 3, 5}, p.pointsOf(0));
        assertArrayEquals(new int[] {1, 2, 4}, p.pointsOf(1));
        assertEquals(12, p.load(0));
        assertEquals(12, p.load(1));
    }

    /** Equal costs: ties go in point order to the lowest shard, so the split is round-robin. */
    @Test
    void of_equalCosts_roundRobinInPointOrder() {
        ShardPartition p = ShardPartition.of(new long[] {5, 5, 5, 5, 5, 5, 5}, 3);
        assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2, 0}, shardOfAll(p));
    }

    @Test
    void of_sameInputTwice_samePartitionAndHash() {
        long[] costs = new Random(42).longs(500, 1, 1_000_000).toArray();
        ShardPartition a = ShardPartition.of(costs, 7);
        ShardPartition b = ShardPartition.of(costs.clone(), 7);
        assertArrayEquals(shardOfAll(a), shardOfAll(b));
        assertEquals(a.hash(), b.hash());
        assertNotEquals(a.hash(), ShardPartition.of(costs, 6).hash(), "another N, another split");
    }

    /**
     * Every point in exactly one shard, and Graham's list-scheduling bound: the largest shard is at most
     * total / N + c (1 - 1/N), c the cost of the last point it received (at most the largest cost), for random
     * costs spanning four orders of magnitude.
     */
    @Test
    void of_randomCosts_everyPointOnceAndWithinTheGreedyBound() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(300);
            int shards = 1 + rnd.nextInt(20);
            long[] costs = new long[n];
            for (int i = 0; i < n; i++) {
                costs[i] = (long) Math.pow(10, 1 + 4 * rnd.nextDouble());
            }
            ShardPartition p = ShardPartition.of(costs, shards);
            int[] seen = new int[n];
            long total = 0;
            for (int s = 0; s < shards; s++) {
                long load = 0;
                for (int i : p.pointsOf(s)) {
                    seen[i]++;
                    load += costs[i];
                }
                assertEquals(load, p.load(s));
                total += load;
            }
            for (int c : seen) {
                assertEquals(1, c, "every point in exactly one shard");
            }
            long largest = Arrays.stream(costs).max().orElse(0);
            double bound = (double) total / shards + largest * (1 - 1.0 / shards);
            assertTrue(maxLoad(p) <= bound + 1e-9, "trial " + trial + ": " + maxLoad(p) + " > " + bound);
        }
    }

    /**
     * A sweep of 4 wafer points (cost 1000 each) and 12 GPU points (cost 1 each) in grid order (each wafer point
     * followed by three GPU points) over 4 shards: by count, round-robin would put every wafer point on shard 0
     * (4,003 against 3); by cost, each shard gets one wafer point and three GPU points (1,003 each).
     */
    @Test
    void of_waferAndGpuPoints_balancedByCostNotCount() {
        long[] costs = new long[16];
        for (int i = 0; i < 16; i++) {
            costs[i] = i % 4 == 0 ? 1000 : 1;
        }
        ShardPartition p = ShardPartition.of(costs, 4);
        for (int s = 0; s < 4; s++) {
            assertEquals(1003, p.load(s), "shard " + s);
            assertEquals(4, p.pointsOf(s).length);
        }
    }

    @Test
    void of_moreShardsThanPoints_someShardsEmpty() {
        ShardPartition p = ShardPartition.of(new long[] {3, 1}, 4);
        assertArrayEquals(new int[] {0}, p.pointsOf(0));
        assertArrayEquals(new int[] {1}, p.pointsOf(1));
        assertEquals(0, p.pointsOf(2).length);
        assertEquals(0, p.load(3));
    }

    @Test
    void parse_indexOutOfRangeOrMalformed_configExceptionNamingIt() {
        assertEquals(new SweepShard(3, 4), SweepShard.parse("3/4", "--shard"));
        ConfigException out = assertThrows(ConfigException.class, () -> SweepShard.parse("4/4", "--shard"));
        assertEquals("--shard=4/4 is not allowed: shard index 4 is out of range; expected I from 0 to 3 for 4 shards",
                out.getMessage());
        ConfigException zero = assertThrows(ConfigException.class, () -> SweepShard.parse("0/0", "--shard"));
        assertTrue(zero.getMessage().startsWith("--shard=0/0 is not allowed; expected a shard count N from 1 to"),
                zero.getMessage());
        for (String bad : new String[] {"1", "a/4", "-1/4", "1/4/2", ""}) {
            ConfigException e = assertThrows(ConfigException.class, () -> SweepShard.parse(bad, "--shard"));
            assertTrue(e.getMessage().startsWith("--shard=" + bad + " is not allowed; expected I/N"), e.getMessage());
        }
    }
}
