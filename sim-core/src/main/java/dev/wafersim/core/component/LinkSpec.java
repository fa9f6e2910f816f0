package dev.wafersim.core.component;

/**
 * The parameters of a point-to-point link, applied to each direction separately.
 *
 * @param latencyPs              propagation delay from the end of serialization to delivery, in ps
 * @param bandwidthBytesPerSec   serialization rate in bytes per second; 0 means instantaneous
 * @param credits                messages the receiver can hold (in flight plus not yet released);
 *                               0 means unlimited (no backpressure)
 */
public record LinkSpec(long latencyPs, double bandwidthBytesPerSec, int credits) {
    public LinkSpec {
        if (latencyPs < 0) {
            throw new IllegalArgumentException("link latency must be >= 0 ps, got " + latencyPs);
        }
        if (!(bandwidthBytesPerSec >= 0) || Double.isInfinite(bandwidthBytesPerSec)) {
            throw new IllegalArgumentException("link bandwidth must be a finite number >= 0 bytes/s, got "
                    + bandwidthBytesPerSec);
        }
        if (credits < 0) {
            throw new IllegalArgumentException("link credits must be >= 0, got " + credits);
        }
    }

    /** A link with only a latency. */
    public static LinkSpec latency(long latencyPs) {
        return new LinkSpec(latencyPs, 0, 0);
    }
}
