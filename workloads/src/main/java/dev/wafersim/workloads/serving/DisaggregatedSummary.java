package dev.wafersim.workloads.serving;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.wafersim.workloads.run.EnergyCost;
import java.util.Objects;

/**
 * What a disaggregated replay adds to the serving summary ({@code serve --prefill --decode}, JSON key
 * {@code disaggregated}): each phase's time per request, the link, and each side.
 *
 * @param phases  each phase's distribution over requests, ms
 * @param link    the KV link
 * @param prefill the prefill side
 * @param decode  the decode side
 */
public record DisaggregatedSummary(Phases phases, Link link, SideSummary prefill, SideSummary decode) {

    /**
     * The phases of the requests' way through the pair ({@link DisaggregatedResult.Phase}), each over the requests
     * that went through it, ms; null when none did.
     *
     * @param prefillQueueMs arrival to the first prefill chunk's start
     * @param prefillMs      first prefill chunk's start to the last chunk's end (the first token)
     * @param kvTransferMs   the prefill's end to the KV cache's arrival at the decode side (link queueing,
     *                       serialization not hidden behind the prefill, latency)
     * @param decodeQueueMs  the KV cache's arrival to the first decode pass's start
     * @param decodeMs       the first decode pass's start to completion
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Phases(Distribution prefillQueueMs, Distribution prefillMs, Distribution kvTransferMs,
                         Distribution decodeQueueMs, Distribution decodeMs) {
    }

    /**
     * The KV link over the replay.
     *
     * @param bandwidthGbps            bandwidth, Gb/s
     * @param bandwidthFrom            where it came from: the slower side's NICs, or {@code kvlink.bandwidthGbps}
     * @param latencyUs                per-transfer latency, us
     * @param overlapFraction          share of a transfer's serialization that may run during its prefill
     * @param sharing                  how transfers share the link ({@code fifo})
     * @param transfers                KV transfers
     * @param gigabytes                bytes over the link, 1e9
     * @param meanMegabytesPerTransfer mean transfer, 1e6 bytes
     * @param busyShare                share of the replay's span the link spent serializing
     * @param maxTransfersInFlight     most transfers booked and not yet arrived at once
     */
    public record Link(double bandwidthGbps, String bandwidthFrom, double latencyUs, double overlapFraction,
                       String sharing, long transfers, double gigabytes, double meanMegabytesPerTransfer,
                       double busyShare, int maxTransfersInFlight) {
    }

    /**
     * One side of the pair.
     *
     * @param system           the system spec as given ({@code --prefill} or {@code --decode})
     * @param machine          its machine line
     * @param devices          GPUs or wafers
     * @param kvCapacityTokens its KV cache, tokens
     * @param kvBlocks         its KV blocks
     * @param passes           passes it ran
     * @param busyShare        share of the replay's span it had a pass in flight
     * @param energyJoules     its energy over the replay, J
     * @param averagePowerW    that over the replay's span, W
     * @param costUsd          its devices' price over the replay, USD
     * @param stepTimes        how its pass times were obtained
     */
    public record SideSummary(String system, String machine, int devices, long kvCapacityTokens, long kvBlocks,
                              long passes, double busyShare, double energyJoules, double averagePowerW, double costUsd,
                              String stepTimes) {
    }

    /** The summary of {@code r}: sides labelled {@code prefillLabel} and {@code decodeLabel} with their energy. */
    public static DisaggregatedSummary of(DisaggregatedResult r, String prefillLabel, EnergyCost prefillEnergy,
                                          String decodeLabel, EnergyCost decodeEnergy) {
        Objects.requireNonNull(r, "r");
        ServingResult c = r.combined();
        int n = c.requests();
        Distribution[] d = new Distribution[DisaggregatedResult.Phase.values().length];
        double[] v = new double[n];
        for (DisaggregatedResult.Phase p : DisaggregatedResult.Phase.values()) {
            for (int i = 0; i < n; i++) {
                v[i] = c.completed(i) ? r.phasePs(p, i) : -1;
            }
            d[p.ordinal()] = Distribution.ofPs(v);
        }
        Phases phases = new Phases(d[0], d[1], d[2], d[3], d[4]);
        long span = Math.max(1, c.durationPs());
        Link link = new Link(r.linkGbps(), r.link().automatic() ? "the slower side's NICs" : KvLinkParams.BANDWIDTH,
                r.link().latencyPs() / 1e6, r.link().overlapFraction(), "fifo", r.transfers(), r.linkBytes() / 1e9,
                r.transfers() == 0 ? 0 : r.linkBytes() / 1e6 / r.transfers(), r.linkBusyPs() / (double) span,
                r.maxTransfersInFlight());
        return new DisaggregatedSummary(phases, link, side(r.prefill(), prefillLabel, prefillEnergy),
                side(r.decode(), decodeLabel, decodeEnergy));
    }

    private static SideSummary side(DisaggregatedResult.Side s, String label, EnergyCost e) {
        return new SideSummary(label, s.machine(), s.devices(), s.kvCapacityTokens(), s.kvBlocks(), s.passes(),
                s.busyShare(), e == null ? Double.NaN : e.energyJoules(), e == null ? Double.NaN : e.averagePowerW(),
                e == null ? Double.NaN : e.costUsd(), s.stepTimes());
    }
}
