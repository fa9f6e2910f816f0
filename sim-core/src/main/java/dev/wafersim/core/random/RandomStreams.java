package dev.wafersim.core.random;

import java.nio.charset.StandardCharsets;

/**
 * Hands each component its own independent random stream, derived from the run's seed (a
 * configuration value) and the component's name or index. The same seed and the same names give
 * the same streams, whatever order components are built in.
 */
public final class RandomStreams {
    private final long seed;

    public RandomStreams(long seed) {
        this.seed = seed;
    }

    /** The run's seed. */
    public long seed() {
        return seed;
    }

    /** The stream of the component with this name. */
    public Rng stream(String componentName) {
        long h = 0xCBF29CE484222325L; // FNV-1a over UTF-8 bytes, then mixed with the seed
        for (byte b : componentName.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xFF);
            h *= 0x100000001B3L;
        }
        return new Rng(Rng.mix64(seed ^ Rng.mix64(h)));
    }

    /** The stream of the {@code index}-th member of a family of identical components. */
    public Rng stream(String family, long index) {
        return new Rng(Rng.mix64(stream(family).nextLong() + Rng.mix64(index + 0x632BE59BD9B4E019L)));
    }
}
