package dev.wafersim.core.random;

/**
 * A small, fast pseudo-random stream: SplitMix64 (Steele, Lea and Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014), which passes BigCrush, with an exponential sampler
 * by the ziggurat method (Marsaglia and Tsang, "The Ziggurat Method for Generating Random
 * Variables", J. Stat. Software 5(8), 2000; 256 layers).
 *
 * <p>Each component draws from its own stream ({@link RandomStreams}), so adding a component or
 * changing how often one draws never perturbs another's numbers. Not thread-safe; not for
 * cryptography.
 */
public final class Rng {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private long state;

    /** A stream starting from the given 64-bit state. */
    public Rng(long seed) {
        this.state = seed;
    }

    /** The SplitMix64 output function: a bijective 64-bit mixer. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Next 64 uniformly distributed bits. */
    public long nextLong() {
        return mix64(state += GOLDEN_GAMMA);
    }

    /** Uniform in [0, 1) with 53 bits of precision. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * Uniform integer in [0, bound), exactly uniform (Lemire, "Fast Random Integer Generation in an
     * Interval", ACM TOMACS 2019: multiply-shift with rejection of the biased low range).
     */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    // Ziggurat tables for the standard exponential, 256 layers.
    private static final double ZR = 7.69711747013104972;
    private static final long[] KE = new long[256];
    private static final double[] WE = new double[256];
    private static final double[] FE = new double[256];

    static {
        final double m2 = 4294967296.0;
        double de = ZR;
        double te = de;
        final double ve = 3.949659822581572e-3;
        double q = ve / Math.exp(-de);
        KE[0] = (long) ((de / q) * m2);
        KE[1] = 0;
        WE[0] = q / m2;
        WE[255] = de / m2;
        FE[0] = 1.0;
        FE[255] = Math.exp(-de);
        for (int i = 254; i >= 1; i--) {
            de = -Math.log(ve / de + Math.exp(-de));
            KE[i + 1] = (long) ((de / te) * m2);
            te = de;
            FE[i] = Math.exp(-de);
            WE[i] = de / m2;
        }
    }

    /**
     * A standard exponential variate (mean 1). About 98.9% of draws take one table lookup and one
     * multiply; the rest fall back to the exact wedge or tail computation.
     */
    public double nextExponential() {
        long jz = nextLong() >>> 32;
        int iz = (int) (jz & 255);
        if (jz < KE[iz]) {
            return jz * WE[iz];
        }
        while (true) {
            if (iz == 0) {
                return ZR - Math.log(1.0 - nextDouble());
            }
            double x = jz * WE[iz];
            if (FE[iz] + nextDouble() * (FE[iz - 1] - FE[iz]) < Math.exp(-x)) {
                return x;
            }
            jz = nextLong() >>> 32;
            iz = (int) (jz & 255);
            if (jz < KE[iz]) {
                return jz * WE[iz];
            }
        }
    }
}
