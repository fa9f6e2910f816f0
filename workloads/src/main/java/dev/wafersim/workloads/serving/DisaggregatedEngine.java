package dev.wafersim.workloads.serving;

import dev.wafersim.core.event.Engine;
import dev.wafersim.core.event.ProgressMonitor;
import dev.wafersim.workloads.client.ClientParams;
import dev.wafersim.workloads.run.PowerState;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepTime;
import it.unimi.dsi.fastutil.ints.IntArrayFIFOQueue;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * One disaggregated replay: a prefill system and a decode system on one sim-core event engine, and the KV link
 * between them. See {@link DisaggregatedReplay} for the model.
 *
 * <p>Events, in the engine's total order (time, priority, insertion): a pass finishing on either side (priority
 * 0), a request's arrival (1), a KV transfer's arrival at the decode side (2), a side's scheduling point (9, after
 * everything else at that instant). The link costs no event of its own: it is a FIFO resource whose free time is
 * kept ({@code linkFreePs}); a transfer books it when its request's prefill ends and schedules its arrival.
 *
 * <p>Pipelined machines ({@code maxPassesInFlight() > 1}), as in {@link ServingEngine}: up to that many passes
 * are in flight on a side; a pass may start one pipeline interval after the previous start and finishes its
 * latency after its own. A decode row waits for its request's previous pass to finish (the running requests are
 * split into micro-batches of {@code ceil(running / passes in flight)}); a prompt's next chunk may follow its
 * previous chunk in the very next pass, trailing it through the stages.
 *
 * <p>State is held in primitive arrays indexed by request; each side's passes are preallocated slots of row
 * arrays; nothing is allocated per event except by the step times (a table miss, or every pass when exact).
 */
final class DisaggregatedEngine {
    private static final int PRI_PASS_DONE = 0;
    private static final int PRI_ARRIVAL = 1;
    private static final int PRI_KV = 2;
    private static final int PRI_SCHEDULE = 9;

    private final RequestTrace trace;
    private final Side prefill;
    private final Side decode;
    private final KvLinkParams link;
    private final double linkGbps;
    private final boolean chunked;
    private final Engine engine = new Engine();
    private final int hArrive;
    private final int hKv;

    // Per request.
    private final byte[] rejection;
    private final long[] arrivalPs;
    private final long[] prefillStartPs;
    private final long[] prefillEndPs;
    private final long[] kvStartPs;
    private final long[] kvEndPs;
    private final long[] decodeStartPs;
    private final long[] completionPs;
    private final long[] kvBytes;
    private final long[] serializationPs;
    private final long[] scheduled;
    private final long[] prefillBlocks;
    private final long[] decodeBlocks;
    private final int[] generated;
    /** Decode passes in flight holding each request (0 or 1). */
    private final int[] inFlight;
    private final long[] lastTokenPs;
    private final long[] maxGapPs;

    private final IntArrayFIFOQueue prefillWaiting = new IntArrayFIFOQueue();
    private final IntArrayList prefillRunning = new IntArrayList();
    private final IntArrayFIFOQueue decodeWaiting = new IntArrayFIFOQueue();
    private final IntArrayList decodeRunning = new IntArrayList();

    // The link.
    private long linkFreePs;
    private long linkBusyPs;
    private long linkBytes;
    private long transfers;
    private int transfersInFlight;
    private int maxTransfersQueued;

    // Metrics.
    private final Histogram tbtNs = new Histogram(3);
    private long tbtSumPs;
    private long tbtCount;
    private long emittedTokens;
    private long lastCompletionPs;
    private int inSystem;
    private long inSystemAreaPsRequests;
    private long lastChangePs;
    private int sidesBusy;
    private long busySincePs;
    private long busyPs;
    private long decodeRows;
    private long decodeCachedTokens;
    private long prefillRows;
    private long prefillTokens;

    DisaggregatedEngine(RequestTrace trace, StepTimes prefillTimes, ServingParams prefillParams, StepTimes decodeTimes,
                        ServingParams decodeParams, KvLinkParams link, double linkGbps, long[] kvBytes) {
        this.trace = trace;
        this.link = link;
        this.linkGbps = linkGbps;
        this.chunked = !prefillParams.scheduler().equals(PrefillFirstPolicy.NAME);
        int n = trace.size();
        this.kvBytes = kvBytes.clone();
        rejection = new byte[n];
        arrivalPs = ServingEngine.filled(n);
        prefillStartPs = ServingEngine.filled(n);
        prefillEndPs = ServingEngine.filled(n);
        kvStartPs = ServingEngine.filled(n);
        kvEndPs = ServingEngine.filled(n);
        decodeStartPs = ServingEngine.filled(n);
        completionPs = ServingEngine.filled(n);
        serializationPs = new long[n];
        for (int i = 0; i < n; i++) {
            // bytes x 8 bit / (Gb/s x 1e9 bit/s) s = bytes x 8000 / Gb/s ps, rounded up to the next ps.
            serializationPs[i] = (long) Math.ceil(kvBytes[i] * 8000.0 / linkGbps);
        }
        scheduled = new long[n];
        prefillBlocks = new long[n];
        decodeBlocks = new long[n];
        generated = new int[n];
        inFlight = new int[n];
        lastTokenPs = ServingEngine.filled(n);
        maxGapPs = new long[n];
        prefill = new Side("prefill", prefillTimes, prefillParams);
        decode = new Side("decode", decodeTimes, decodeParams);
        prefill.hDone = engine.register("prefill-pass-done", (t, slot) -> prefillDone((int) slot));
        decode.hDone = engine.register("decode-pass-done", (t, slot) -> decodeDone((int) slot));
        prefill.hSchedule = engine.register("prefill-schedule", (t, unused) -> {
            prefill.schedulePending = false;
            schedulePrefill();
        });
        decode.hSchedule = engine.register("decode-schedule", (t, unused) -> {
            decode.schedulePending = false;
            scheduleDecode();
        });
        hArrive = engine.register("arrive", (t, r) -> arrive((int) r));
        hKv = engine.register("kv-arrived", (t, r) -> kvArrived((int) r));
        engine.addMonitor(new ProgressMonitor() {
            @Override
            public String name() {
                return "disaggregated scheduler";
            }

            @Override
            public boolean hasPendingWork() {
                return !prefillWaiting.isEmpty() || !prefillRunning.isEmpty() || !decodeWaiting.isEmpty()
                        || !decodeRunning.isEmpty() || transfersInFlight > 0;
            }

            @Override
            public String describePending() {
                return String.format(Locale.ROOT, "prefill: %d waiting, %d running, %d of %d KV blocks free;"
                                + " %d KV transfers in flight; decode: %d waiting, %d running, %d of %d KV blocks free",
                        prefillWaiting.size(), prefillRunning.size(), prefill.freeBlocks, prefill.totalBlocks,
                        transfersInFlight, decodeWaiting.size(), decodeRunning.size(), decode.freeBlocks,
                        decode.totalBlocks);
            }
        });
    }

    /** Runs the replay to the last request and returns its record. */
    DisaggregatedResult run() {
        if (trace.size() > 0) {
            engine.scheduleAt(trace.arrivalPs(0), PRI_ARRIVAL, hArrive, 0);
        }
        engine.run();
        long start = trace.size() == 0 ? 0 : trace.arrivalPs(0);
        long span = Math.max(1, Math.max(lastCompletionPs, engine.now()) - start);
        long[] busyDevice = new long[PowerState.values().length];
        for (int s = 0; s < busyDevice.length; s++) {
            busyDevice[s] = prefill.busyDevicePs[s] + decode.busyDevicePs[s];
        }
        int n = trace.size();
        ServingResult.Extras extras = new ServingResult.Extras(ClientParams.none(), null, arrivalPs, prefillEndPs,
                completionPs, maxGapPs, tbtNs, tbtSumPs, tbtCount, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, decode.passes,
                decodeCachedTokens);
        StepModel both = new BothSides(prefill.times.model(), decode.times.model());
        String scheduler = "disaggregated: prefill " + (chunked ? ChunkedPrefillPolicy.NAME : PrefillFirstPolicy.NAME)
                + ", decode continuous batching";
        String times = "prefill " + prefill.times.describe() + "; decode " + decode.times.describe();
        ServingResult combined = new ServingResult(trace, decode.params, scheduler, times,
                prefill.times.simulatedPasses() + decode.times.simulatedPasses(),
                prefill.times.timedPasses() + decode.times.timedPasses(), both, decode.totalBlocks, rejection,
                arrivalPs, prefillStartPs, prefillEndPs, completionPs, new int[n], generated, maxGapPs, tbtNs, tbtSumPs,
                tbtCount, prefill.passes + decode.passes, decodeRows, prefillRows, prefillTokens, 0,
                inSystemAreaPsRequests, busyPs, lastCompletionPs, emittedTokens, busyDevice, extras);
        return new DisaggregatedResult(combined, prefill.summary(span), decode.summary(span), link, linkGbps,
                prefillStartPs, prefillEndPs, kvStartPs, kvEndPs, decodeStartPs, kvBytes, transfers, linkBytes,
                linkBusyPs, maxTransfersQueued);
    }

    // ---- events -------------------------------------------------------------------------------

    /** Request {@code r} arrives at the prefill side's queue, or is rejected when it can never run. */
    private void arrive(int r) {
        long now = engine.now();
        if (r + 1 < trace.size()) {
            engine.scheduleAt(trace.arrivalPs(r + 1), PRI_ARRIVAL, hArrive, r + 1);
        }
        arrivalPs[r] = now;
        long p = trace.promptTokens(r);
        long o = trace.outputTokens(r);
        if (p + o > Math.min(prefill.params.maxModelLenTokens(), decode.params.maxModelLenTokens())) {
            rejection[r] = ServingResult.REJECTED_MAX_MODEL_LEN;
            return;
        }
        if (prefill.blocksFor(p) + prefill.watermarkBlocks > prefill.totalBlocks
                || (o > 1 && decode.blocksFor(p + o - 1) + decode.watermarkBlocks > decode.totalBlocks)) {
            rejection[r] = ServingResult.REJECTED_KV_CAPACITY;
            return;
        }
        changeInSystem(now, +1);
        prefillWaiting.enqueue(r);
        prefill.requestSchedule();
    }

    /** The prefill pass ends: a request whose last chunk it held emits its first token and sends its KV. */
    private void prefillDone(int slot) {
        long now = engine.now();
        PassBuffer p = prefill.slots[slot];
        for (int i = 0; i < p.rows; i++) {
            int r = p.req[i];
            if (p.logits[i] == 0) {
                continue;
            }
            prefillRunning.rem(r);
            prefillEndPs[r] = now;
            emit(r, now);
            if (generated[r] == trace.outputTokens(r)) {
                prefill.freeBlocks += prefillBlocks[r];
                prefillBlocks[r] = 0;
                complete(r, now);
            } else {
                startTransfer(r, now);
            }
        }
        prefill.passEnded(slot, now);
        prefill.requestSchedule();
    }

    /**
     * Books request {@code r}'s KV transfer on the link (FIFO): it may start {@code overlapFraction} of its
     * serialization before the prefill's end (not before the prefill's start), and no earlier than the link is free;
     * it holds the link for its serialization and arrives one latency after.
     */
    private void startTransfer(int r, long now) {
        long ser = serializationPs[r];
        long hidden = (long) Math.floor(link.overlapFraction() * ser);
        long earliest = Math.max(now - hidden, prefillStartPs[r]);
        long start = Math.max(earliest, linkFreePs);
        linkFreePs = start + ser;
        kvStartPs[r] = start;
        linkBusyPs += ser;
        linkBytes += kvBytes[r];
        transfers++;
        transfersInFlight++;
        maxTransfersQueued = Math.max(maxTransfersQueued, transfersInFlight);
        engine.scheduleAt(start + ser + link.latencyPs(), PRI_KV, hKv, r);
    }

    /** Request {@code r}'s KV cache is at the decode side: the prefill side frees it, the decode side queues it. */
    private void kvArrived(int r) {
        long now = engine.now();
        kvEndPs[r] = now;
        transfersInFlight--;
        prefill.freeBlocks += prefillBlocks[r];
        prefillBlocks[r] = 0;
        prefill.requestSchedule();
        decodeWaiting.enqueue(r);
        decode.requestSchedule();
    }

    /** The decode pass ends: every row emits a token; finished requests free their blocks. */
    private void decodeDone(int slot) {
        long now = engine.now();
        PassBuffer p = decode.slots[slot];
        for (int i = 0; i < p.rows; i++) {
            int r = p.req[i];
            inFlight[r]--;
            emit(r, now);
            if (generated[r] == trace.outputTokens(r)) {
                decodeRunning.rem(r);
                decode.freeBlocks += decodeBlocks[r];
                decodeBlocks[r] = 0;
                complete(r, now);
            }
        }
        decode.passEnded(slot, now);
        decode.requestSchedule();
    }

    private void emit(int r, long now) {
        generated[r]++;
        emittedTokens++;
        if (lastTokenPs[r] >= 0) {
            long gap = now - lastTokenPs[r];
            tbtNs.recordValue(Math.max(1, (gap + 500) / 1000));
            tbtSumPs += gap;
            tbtCount++;
            maxGapPs[r] = Math.max(maxGapPs[r], gap);
        }
        lastTokenPs[r] = now;
    }

    private void complete(int r, long now) {
        completionPs[r] = now;
        lastCompletionPs = now;
        changeInSystem(now, -1);
    }

    private void changeInSystem(long now, int delta) {
        inSystemAreaPsRequests += inSystem * (now - lastChangePs);
        lastChangePs = now;
        inSystem += delta;
    }

    // ---- scheduling ---------------------------------------------------------------------------

    /**
     * Composes a prefill pass. Chunked ({@code chunked-prefill}): the unfinished prompts first, a chunk each within
     * {@code serving.maxBatchedTokens}, then waiting prompts admitted in arrival order while their blocks fit.
     * Otherwise ({@code prefill-first}): whole prompts, admitted while they fit the token budget (the first always).
     */
    private void schedulePrefill() {
        Side s = prefill;
        PassBuffer p = s.freeSlot(engine.now());
        if (p == null) {
            return;
        }
        long budget = s.params.maxBatchedTokens();
        int cap = s.params.maxRunningSequences();
        long now = engine.now();
        if (chunked) {
            for (int i = 0; i < prefillRunning.size() && budget > 0 && p.rows < cap; i++) {
                int r = prefillRunning.getInt(i);
                long left = trace.promptTokens(r) - scheduled[r];
                if (left == 0) {
                    continue;
                }
                long c = Math.min(left, budget);
                addPrefill(p, r, c);
                budget -= c;
            }
            while (budget > 0 && p.rows < cap && prefillRunning.size() < cap && admitPrefill(now)) {
                int r = prefillRunning.getInt(prefillRunning.size() - 1);
                long c = Math.min(trace.promptTokens(r), budget);
                addPrefill(p, r, c);
                budget -= c;
            }
        } else {
            while (p.rows < cap && !prefillWaiting.isEmpty()
                    && (p.rows == 0 || trace.promptTokens(prefillWaiting.firstInt()) <= budget) && admitPrefill(now)) {
                int r = prefillRunning.getInt(prefillRunning.size() - 1);
                addPrefill(p, r, trace.promptTokens(r));
                budget -= trace.promptTokens(r);
            }
        }
        if (p.rows > 0) {
            s.start(p, now);
        }
    }

    /** Admits the prefill queue's head when its prompt's blocks fit above the watermark. */
    private boolean admitPrefill(long now) {
        if (prefillWaiting.isEmpty()) {
            return false;
        }
        int r = prefillWaiting.firstInt();
        long need = prefill.blocksFor(trace.promptTokens(r));
        if (prefill.freeBlocks - need < prefill.watermarkBlocks) {
            return false;
        }
        prefillWaiting.dequeueInt();
        prefill.freeBlocks -= need;
        prefillBlocks[r] = need;
        prefillRunning.add(r);
        prefillStartPs[r] = now;
        return true;
    }

    private void addPrefill(PassBuffer p, int r, long chunk) {
        boolean last = scheduled[r] + chunk == trace.promptTokens(r);
        p.add(r, scheduled[r], (int) chunk, last ? 1 : 0);
        scheduled[r] += chunk;
        prefillRows++;
        prefillTokens += chunk;
    }

    /**
     * Composes a decode pass: admits arrived KV caches in arrival order while a running slot and blocks for the
     * request's whole footprint (prompt plus output less one) fit above the watermark, then decodes every running
     * request one token.
     */
    private void scheduleDecode() {
        Side s = decode;
        PassBuffer p = s.freeSlot(engine.now());
        if (p == null) {
            return;
        }
        int cap = s.params.maxRunningSequences();
        while (!decodeWaiting.isEmpty() && decodeRunning.size() < cap) {
            int r = decodeWaiting.firstInt();
            long need = decode.blocksFor((long) trace.promptTokens(r) + trace.outputTokens(r) - 1);
            if (decode.freeBlocks - need < decode.watermarkBlocks) {
                break;
            }
            decodeWaiting.dequeueInt();
            decode.freeBlocks -= need;
            decodeBlocks[r] = need;
            decodeRunning.add(r);
        }
        if (decodeRunning.isEmpty()) {
            return;
        }
        long now = engine.now();
        int microBatch = (decodeRunning.size() + s.slots.length - 1) / s.slots.length;
        for (int i = 0; i < decodeRunning.size() && p.rows < microBatch; i++) {
            int r = decodeRunning.getInt(i);
            if (inFlight[r] > 0) {
                continue;
            }
            inFlight[r]++;
            if (decodeStartPs[r] < 0) {
                decodeStartPs[r] = now;
            }
            long cached = (long) trace.promptTokens(r) + generated[r] - 1;
            p.add(r, cached, 1, 1);
            decodeRows++;
            decodeCachedTokens += cached;
        }
        if (p.rows > 0) {
            s.start(p, now);
        }
    }

    // ---- the two sides ------------------------------------------------------------------------

    /** One system of the pair: its step times, scheduling limits, KV blocks and the passes in flight. */
    private final class Side {
        final String name;
        final StepTimes times;
        final ServingParams params;
        final long blockTokens;
        final long totalBlocks;
        final long watermarkBlocks;
        final PassBuffer[] slots;
        final PassTime passTime = new PassTime();
        final long[] busyDevicePs = new long[PowerState.values().length];
        long freeBlocks;
        int passesInFlight;
        long nextStartPs;
        boolean schedulePending;
        long passes;
        long busyPs;
        long passStartPs;
        int hDone;
        int hSchedule;

        Side(String name, StepTimes times, ServingParams params) {
            this.name = name;
            this.times = times;
            this.params = params;
            this.blockTokens = params.kvBlockTokens();
            this.totalBlocks = times.model().kvCapacityTokens() / blockTokens;
            this.watermarkBlocks = (long) Math.floor(params.admissionWatermark() * totalBlocks);
            this.freeBlocks = totalBlocks;
            int p = Math.max(1, times.model().maxPassesInFlight());
            this.slots = new PassBuffer[p];
            for (int i = 0; i < p; i++) {
                slots[i] = new PassBuffer(params.maxRunningSequences());
            }
        }

        long blocksFor(long positions) {
            return (positions + blockTokens - 1) / blockTokens;
        }

        void requestSchedule() {
            if (!schedulePending) {
                schedulePending = true;
                engine.schedule(0, PRI_SCHEDULE, hSchedule, 0);
            }
        }

        /** A free pass slot, emptied, when a pass may start now (room in the pipeline, an interval since the last). */
        PassBuffer freeSlot(long now) {
            if (passesInFlight >= slots.length || now < nextStartPs) {
                return null;
            }
            for (PassBuffer r : slots) {
                if (!r.busy) {
                    r.rows = 0;
                    return r;
                }
            }
            throw new IllegalStateException(name + ": no free pass slot with " + passesInFlight + " in flight");
        }

        /** Starts the composed pass {@code p}: it finishes after its latency; the next may start an interval on. */
        void start(PassBuffer p, long now) {
            times.time(p, passTime);
            for (int st = 0; st < busyDevicePs.length; st++) {
                busyDevicePs[st] += passTime.busyDevicePs[st];
            }
            p.busy = true;
            passes++;
            if (passesInFlight++ == 0) {
                passStartPs = now;
                if (sidesBusy++ == 0) {
                    busySincePs = now;
                }
            }
            int slot = 0;
            while (slots[slot] != p) {
                slot++;
            }
            engine.schedule(passTime.latencyPs, PRI_PASS_DONE, hDone, slot);
            nextStartPs = now + passTime.intervalPs;
            if (passesInFlight < slots.length) {
                engine.scheduleAt(nextStartPs, PRI_SCHEDULE, hSchedule, 0);
            }
        }

        void passEnded(int slot, long now) {
            slots[slot].busy = false;
            slots[slot].rows = 0;
            if (--passesInFlight == 0) {
                busyPs += now - passStartPs;
                if (--sidesBusy == 0) {
                    DisaggregatedEngine.this.busyPs += now - busySincePs;
                }
            }
        }

        DisaggregatedResult.Side summary(long spanPs) {
            StepModel m = times.model();
            return new DisaggregatedResult.Side(name, m.machine(), m.devices(), m.kvCapacityTokens(), totalBlocks,
                    passes, busyPs / (double) spanPs, busyDevicePs.clone(), spanPs, times.describe());
        }
    }


    /** The pair as one machine for the combined record: both sides' devices, the decode side's KV cache. */
    private static final class BothSides implements StepModel {
        private final StepModel prefill;
        private final StepModel decode;

        BothSides(StepModel prefill, StepModel decode) {
            this.prefill = prefill;
            this.decode = decode;
        }

        @Override
        public StepTime time(ForwardBatch batch) {
            throw new UnsupportedOperationException("the pair of a disaggregated replay is timed side by side");
        }

        @Override
        public long kvCapacityTokens() {
            return decode.kvCapacityTokens();
        }

        @Override
        public int maxPassesInFlight() {
            return Math.max(prefill.maxPassesInFlight(), decode.maxPassesInFlight());
        }

        @Override
        public int devices() {
            return prefill.devices() + decode.devices();
        }

        @Override
        public String machine() {
            return "prefill " + prefill.machine() + "; decode " + decode.machine();
        }
    }
}
