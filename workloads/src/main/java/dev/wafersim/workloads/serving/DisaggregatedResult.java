package dev.wafersim.workloads.serving;

import dev.wafersim.workloads.run.DeviceActivity;
import dev.wafersim.workloads.run.PowerState;

/**
 * The record of one disaggregated replay ({@link DisaggregatedReplay}): the request-level record of the pair as
 * one server ({@link #combined}: arrival, first token at the end of the prefill, completion, time between tokens),
 * every request's phase timestamps (ps; -1 where a request never got there), each side's passes and device time,
 * and the link's counters.
 *
 * <p>Phases of request {@code i}: prefill queue = prefill start - arrival; prefill = prefill end - prefill start;
 * KV transfer = KV arrival at the decode side - prefill end (the part of the transfer the request waits for;
 * an overlapped transfer started earlier); decode queue = first decode pass start - KV arrival; decode =
 * completion - first decode pass start. They add up to the end-to-end latency.
 */
public final class DisaggregatedResult {
    /**
     * One side of the pair over the replay.
     *
     * @param role             {@code prefill} or {@code decode}
     * @param machine          its step model's machine line
     * @param devices          its devices (GPUs or wafers)
     * @param kvCapacityTokens its KV cache, tokens
     * @param kvBlocks         its KV blocks
     * @param passes           passes it ran
     * @param busyShare        share of the replay's span it had a pass in flight
     * @param busyDevicePs     device time its passes kept busy per power state, ps (index: {@link PowerState})
     * @param spanPs           the replay's span (first arrival to last completion), ps
     * @param stepTimes        how its pass times were obtained
     */
    public record Side(String role, String machine, int devices, long kvCapacityTokens, long kvBlocks, long passes,
                       double busyShare, long[] busyDevicePs, long spanPs, String stepTimes) {
        /** How this side's devices spent the replay: each pass's busy device time by state, the rest idle. */
        public DeviceActivity activity() {
            DeviceActivity.Builder b = new DeviceActivity.Builder();
            long cap = (long) devices * spanPs;
            long booked = 0;
            for (PowerState s : PowerState.values()) {
                long v = Math.min(busyDevicePs[s.ordinal()], cap - booked);
                b.add(s, v);
                booked += v;
            }
            return b.build(devices, spanPs);
        }
    }

    private final ServingResult combined;
    private final Side prefill;
    private final Side decode;
    private final KvLinkParams link;
    private final double linkGbps;
    private final long[] prefillStartPs;
    private final long[] prefillEndPs;
    private final long[] kvStartPs;
    private final long[] kvEndPs;
    private final long[] decodeStartPs;
    private final long[] kvBytes;
    private final long transfers;
    private final long linkBytes;
    private final long linkBusyPs;
    private final int maxTransfersInFlight;

    DisaggregatedResult(ServingResult combined, Side prefill, Side decode, KvLinkParams link, double linkGbps,
                        long[] prefillStartPs, long[] prefillEndPs, long[] kvStartPs, long[] kvEndPs,
                        long[] decodeStartPs, long[] kvBytes, long transfers, long linkBytes, long linkBusyPs,
                        int maxTransfersInFlight) {
        this.combined = combined;
        this.prefill = prefill;
        this.decode = decode;
        this.link = link;
        this.linkGbps = linkGbps;
        this.prefillStartPs = prefillStartPs;
        this.prefillEndPs = prefillEndPs;
        this.kvStartPs = kvStartPs;
        this.kvEndPs = kvEndPs;
        this.decodeStartPs = decodeStartPs;
        this.kvBytes = kvBytes;
        this.transfers = transfers;
        this.linkBytes = linkBytes;
        this.linkBusyPs = linkBusyPs;
        this.maxTransfersInFlight = maxTransfersInFlight;
    }

    /** The pair as one server: request-level timestamps and metrics (TTFT at the prefill's end). */
    public ServingResult combined() {
        return combined;
    }

    /** The prefill side. */
    public Side prefill() {
        return prefill;
    }

    /** The decode side. */
    public Side decode() {
        return decode;
    }

    /** The link's parameters. */
    public KvLinkParams link() {
        return link;
    }

    /** The link's bandwidth in the replay, Gb/s. */
    public double linkGbps() {
        return linkGbps;
    }

    /** When request {@code i}'s first prefill chunk started, ps; -1 if never. */
    public long prefillStartPs(int i) {
        return prefillStartPs[i];
    }

    /** When request {@code i}'s last prefill chunk ended (its first token), ps; -1 if never. */
    public long prefillEndPs(int i) {
        return prefillEndPs[i];
    }

    /** When request {@code i}'s KV transfer started on the link, ps; -1 if it had none. */
    public long kvStartPs(int i) {
        return kvStartPs[i];
    }

    /** When request {@code i}'s KV cache arrived at the decode side, ps; -1 if it had none. */
    public long kvEndPs(int i) {
        return kvEndPs[i];
    }

    /** When request {@code i}'s first decode pass started, ps; -1 if it had none. */
    public long decodeStartPs(int i) {
        return decodeStartPs[i];
    }

    /** Bytes of request {@code i}'s KV cache at the end of its prefill (what crosses the link). */
    public long kvBytes(int i) {
        return kvBytes[i];
    }

    /** KV transfers over the link. */
    public long transfers() {
        return transfers;
    }

    /** Bytes over the link. */
    public long linkBytes() {
        return linkBytes;
    }

    /** Time the link spent serializing transfers, ps. */
    public long linkBusyPs() {
        return linkBusyPs;
    }

    /** Most transfers booked on the link and not yet arrived at once. */
    public int maxTransfersInFlight() {
        return maxTransfersInFlight;
    }

    /** Phase {@code p} of request {@code i}, ps; -1 when the request did not go through it. */
    public long phasePs(Phase p, int i) {
        return switch (p) {
            case PREFILL_QUEUE -> diff(combined.queuedPs(i), prefillStartPs[i]);
            case PREFILL -> diff(prefillStartPs[i], prefillEndPs[i]);
            case KV_TRANSFER -> diff(prefillEndPs[i], kvEndPs[i]);
            case DECODE_QUEUE -> diff(kvEndPs[i], decodeStartPs[i]);
            case DECODE -> combined.completed(i) ? diff(decodeStartPs[i], combined.completionPs(i)) : -1;
        };
    }

    private static long diff(long from, long to) {
        return from < 0 || to < 0 ? -1 : to - from;
    }

    /** The phases of a request's way through the pair. */
    public enum Phase {
        PREFILL_QUEUE("prefillQueue", "prefill queue"),
        PREFILL("prefill", "prefill"),
        KV_TRANSFER("kvTransfer", "KV transfer"),
        DECODE_QUEUE("decodeQueue", "decode queue"),
        DECODE("decode", "decode");

        private final String key;
        private final String words;

        Phase(String key, String words) {
            this.key = key;
            this.words = words;
        }

        /** The phase's JSON key stem. */
        public String key() {
            return key;
        }

        /** The phase in words. */
        public String words() {
            return words;
        }
    }
}
