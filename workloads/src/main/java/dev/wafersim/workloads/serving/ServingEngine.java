package dev.wafersim.workloads.serving;

import dev.wafersim.core.event.Engine;
import dev.wafersim.core.event.ProgressMonitor;
import dev.wafersim.core.trace.TraceSink;
import dev.wafersim.workloads.client.ClientPath;
import dev.wafersim.workloads.speculative.AcceptanceProcess;
import dev.wafersim.workloads.step.StepModel;
import it.unimi.dsi.fastutil.ints.IntArrayFIFOQueue;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntHeapPriorityQueue;
import java.util.Arrays;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * One replay of a request trace on a machine: requests are entities on the sim-core event engine, and
 * the server's scheduler composes pass after pass from them. See {@link ServingReplay} for the model; this
 * class holds the mechanics a {@link SchedulerPolicy} drives through {@link SchedulerView}.
 *
 * <p>Events, in the engine's total order (time, priority, insertion): a pass finishing (priority 0:
 * its tokens are emitted and its sequences become free), a request's way in (1: sent by the client, at the
 * front-end, in the scheduler's queue; with no client path the three happen at once, in one event), and a
 * scheduling point (9, after everything else at that instant, so a pass sees every request that arrived and
 * every token that was emitted at its start time). Streaming a token to the client costs no event: the
 * client path's front-end and links are FIFO resources whose free times are kept, and tokens reach them in
 * time order. A session's next turn is sent when the client has received the previous answer, plus its
 * think time. A scheduling point starts passes while fewer than
 * {@code StepModel.maxPassesInFlight()} are in flight and one pipeline interval has passed since the last
 * start; with nothing to run it starts nothing, and the next arrival or finished pass calls again, so an
 * idle machine costs no events.
 *
 * <p>State is held in primitive arrays indexed by request (struct of arrays); a pass is a preallocated
 * slot of row arrays; nothing is allocated per event except by the step times (a table miss, or every
 * pass with {@link ExactStepTimes}).
 */
final class ServingEngine implements SchedulerView {
    private static final int PRI_PASS_DONE = 0;
    private static final int PRI_ARRIVAL = 1;
    private static final int PRI_SCHEDULE = 9;

    static final byte PENDING = 0;
    static final byte WAITING = 1;
    static final byte RUNNING = 2;
    static final byte DONE = 3;
    static final byte REJECTED = 4;

    /** A follow-up turn whose session ended when an earlier turn was rejected. */
    static final byte REJECTED_SESSION_ENDED = ServingResult.REJECTED_SESSION_ENDED;

    private final RequestTrace trace;
    private final StepTimes times;
    private final ServingParams params;
    private final SchedulerPolicy policy;
    private final Engine engine = new Engine();
    private final int hSend;
    private final int hFrontend;
    private final int hEnqueue;
    private final int hDone;
    private final int hSchedule;
    private final ClientPath client;
    private final long oneWayPs;
    private final int tokensPerEvent;
    /** Tokens a decode row feeds: 1, or K + 1 (a speculative verify step). */
    private final int width;
    private final AcceptanceProcess acceptance;
    private int openCursor;

    // Per request.
    private final byte[] state;
    private final byte[] rejection;
    private final long[] computed;
    private final long[] scheduled;
    private final long[] prefillTarget;
    private final int[] generated;
    private final long[] blocksHeld;
    private final int[] inFlight;
    private final long[] passMark;
    private final int[] preemptions;
    private final long[] queuedPs;
    private final long[] firstScheduledPs;
    private final long[] firstTokenPs;
    private final long[] lastTokenPs;
    private final long[] completionPs;
    private final long[] maxGapPs;
    // Per request, the client path.
    private final long[] sendPs;
    private final long[] linkFreePs;
    private final int[] eventTokens;
    private final long[] eventEmitSumPs;
    private final long[] clientFirstPs;
    private final long[] clientLastPs;
    private final long[] clientMaxGapPs;
    /** The turn that follows each request in its session, or -1. */
    private final int[] next;
    // Per request, speculative decoding and the prefix cache.
    private final int[] verifySteps;
    /** KV blocks a completed turn left cached for its session's next turn. */
    private final long[] cachedBlocks;
    private final IntArrayFIFOQueue lru = new IntArrayFIFOQueue();
    private long cachedTotal;
    private long cacheAreaPsBlocks;
    private long lastCacheChangePs;

    private final IntArrayList running = new IntArrayList();
    private final IntArrayFIFOQueue waiting = new IntArrayFIFOQueue();
    private final long blockTokens;
    private final long totalBlocks;
    private final long watermarkBlocks;
    private long freeBlocks;

    // Passes.
    private final Pass[] slots;
    private final int[] scratch;
    private final PassTime passTime = new PassTime();
    private Pass building;
    private long passSeq;
    private boolean preemptedThisPass;
    private int microBatchRows;
    private int passesInFlight;
    private long nextStartPs;
    private boolean schedulePending;

    // Metrics.
    private final Histogram tbtNs = new Histogram(3);
    private long tbtSumPs;
    private long tbtCount;
    private long passes;
    /** Busy device time per power state over every pass, ps (energy). */
    private final long[] busyDevicePs = new long[dev.wafersim.workloads.run.PowerState.values().length];
    private long decodeRows;
    private long decodePasses;
    private long decodeCachedTokens;
    private long prefillRows;
    private long prefillTokens;
    private long totalPreemptions;
    private int inSystem;
    private long inSystemAreaPsRequests;
    private long lastChangePs;
    private long busyPs;
    private long busySincePs;
    private long lastCompletionPs;
    private long emittedTokens;
    private final Histogram clientTbtNs = new Histogram(3);
    private long clientTbtSumPs;
    private long clientTbtCount;
    private long tokenDelaySumPs;
    private long tokenDelayCount;
    private long verifyStepsTotal;
    private long acceptedTotal;
    private long prefixSharedTokens;
    private long prefixHitTokens;
    private long evictedBlocks;

    // ---- timeline (TraceSink.NONE: nothing recorded, nothing allocated per event) ----
    /** Process id of the replay in a timeline. */
    static final int TRACE_PID = 1;
    private static final String[] RUNNING_SERIES = {"requests"};
    private static final String[] ROWS_SERIES = {"rows"};
    private static final String[] KV_SERIES = {"percent"};
    private final TraceSink sink;
    /** Each request's slot: the timeline track it is drawn on, reused once its request completes. */
    private final int[] lane;
    private final IntHeapPriorityQueue freeLanes = new IntHeapPriorityQueue();
    private int lanes;

    ServingEngine(RequestTrace trace, StepTimes times, ServingParams params) {
        this(trace, times, params, TraceSink.NONE, ReplayOptions.NONE);
    }

    /**
     * A replay that writes its timeline to {@code sink}: a track per request slot with each request's
     * {@code queued}, {@code prefill} and {@code decode} spans, every pass as an async span on the
     * {@code passes} track, and counters of running requests, pass rows and KV-cache use at each pass start.
     */
    ServingEngine(RequestTrace trace, StepTimes times, ServingParams params, TraceSink sink, ReplayOptions options) {
        this.sink = sink;
        this.client = new ClientPath(options.client());
        this.oneWayPs = options.client().oneWayPs();
        this.tokensPerEvent = options.client().tokensPerEvent();
        this.width = options.decodeWidth();
        this.acceptance = options.acceptance();
        this.lane = sink.enabled() ? new int[trace.size()] : null;
        this.trace = trace;
        this.times = times;
        this.params = params;
        this.policy = SchedulerPolicies.get(params.scheduler());
        StepModel model = times.model();
        int n = trace.size();
        state = new byte[n];
        rejection = new byte[n];
        computed = new long[n];
        scheduled = new long[n];
        prefillTarget = new long[n];
        generated = new int[n];
        blocksHeld = new long[n];
        inFlight = new int[n];
        passMark = new long[n];
        Arrays.fill(passMark, -1);
        preemptions = new int[n];
        queuedPs = filled(n);
        firstScheduledPs = filled(n);
        firstTokenPs = filled(n);
        lastTokenPs = filled(n);
        completionPs = filled(n);
        maxGapPs = new long[n];
        sendPs = filled(n);
        linkFreePs = new long[n];
        eventTokens = new int[n];
        eventEmitSumPs = new long[n];
        clientFirstPs = filled(n);
        clientLastPs = filled(n);
        clientMaxGapPs = new long[n];
        next = new int[n];
        Arrays.fill(next, -1);
        for (int i = 0; i < n; i++) {
            int prev = trace.previous(i);
            if (prev >= 0) {
                if (next[prev] >= 0) {
                    throw new dev.wafersim.core.config.ConfigException(trace.description() + ": requests " + next[prev]
                            + " and " + i + " both follow request " + prev + "; expected one next turn per turn");
                }
                next[prev] = i;
            }
        }
        verifySteps = new int[n];
        cachedBlocks = new long[n];
        blockTokens = params.kvBlockTokens();
        totalBlocks = model.kvCapacityTokens() / blockTokens;
        watermarkBlocks = (long) Math.floor(params.admissionWatermark() * totalBlocks);
        freeBlocks = totalBlocks;
        int p = Math.max(1, model.maxPassesInFlight());
        slots = new Pass[p];
        int rows = params.maxRunningSequences();
        for (int i = 0; i < p; i++) {
            slots[i] = new Pass(rows);
        }
        scratch = new int[rows];
        hSend = engine.register("send", (t, r) -> send((int) r));
        hFrontend = engine.register("front-end", (t, r) -> frontend((int) r));
        hEnqueue = engine.register("enqueue", (t, r) -> enqueue((int) r));
        hDone = engine.register("pass-done", (t, s) -> passDone((int) s));
        hSchedule = engine.register("schedule", (t, unused) -> {
            schedulePending = false;
            schedule();
        });
        engine.addMonitor(new ProgressMonitor() {
            @Override
            public String name() {
                return "serving scheduler";
            }

            @Override
            public boolean hasPendingWork() {
                return !waiting.isEmpty() || !running.isEmpty();
            }

            @Override
            public String describePending() {
                return String.format(Locale.ROOT, "%d waiting (head: request %d), %d running, %d of %d KV blocks free",
                        waiting.size(), waiting.isEmpty() ? -1 : waiting.firstInt(), running.size(), freeBlocks,
                        totalBlocks);
            }
        });
    }

    /** {@code n} times not yet reached (-1), one per request; also the disaggregated engine's. */
    static long[] filled(int n) {
        long[] a = new long[n];
        Arrays.fill(a, -1);
        return a;
    }

    /** Runs the replay to the last request and returns its record. */
    ServingResult run() {
        engine.scheduleAt(trace.arrivalPs(trace.open(0)), PRI_ARRIVAL, hSend, trace.open(0));
        engine.run();
        changeCache(engine.now(), 0);
        long span = Math.max(1, Math.max(lastCompletionPs, engine.now()) - trace.arrivalPs(trace.open(0)));
        ServingResult.Extras extras = new ServingResult.Extras(client.params(), acceptance, sendPs, clientFirstPs,
                clientLastPs, clientMaxGapPs, clientTbtNs, clientTbtSumPs, clientTbtCount, tokenDelaySumPs,
                tokenDelayCount, verifyStepsTotal, acceptedTotal, prefixSharedTokens, prefixHitTokens, evictedBlocks,
                cacheAreaPsBlocks / (double) span, client.frontendBusyPs(), client.workers(), decodePasses,
                decodeCachedTokens);
        return new ServingResult(trace, params, policy.name(), times.describe(), times.simulatedPasses(),
                times.timedPasses(), times.model(), totalBlocks, rejection, queuedPs, firstScheduledPs, firstTokenPs,
                completionPs, preemptions, generated, maxGapPs, tbtNs, tbtSumPs, tbtCount, passes, decodeRows, prefillRows,
                prefillTokens, totalPreemptions, inSystemAreaPsRequests, busyPs, lastCompletionPs, emittedTokens,
                busyDevicePs.clone(), extras);
    }

    // ---- events -------------------------------------------------------------------------------

    /** The client sends request {@code r}: it travels to the front-end (at once without a client path). */
    private void send(int r) {
        long now = engine.now();
        if (trace.isOpen(r)) {
            openCursor++;
            if (openCursor < trace.openCount()) {
                int o = trace.open(openCursor);
                engine.scheduleAt(trace.arrivalPs(o), PRI_ARRIVAL, hSend, o);
            }
        }
        sendPs[r] = now;
        boolean opensSession = trace.isOpen(r);
        long delay = client.toFrontendPs(client.opensConnection(opensSession), tokensSent(r));
        if (delay == 0) {
            frontend(r);
        } else {
            engine.schedule(delay, PRI_ARRIVAL, hFrontend, r);
        }
    }

    private long tokensSent(int r) {
        return client.tokensSent(trace.isOpen(r), trace.promptTokens(r), trace.newPromptTokens(r));
    }

    /** Request {@code r} reaches the front-end, which tokenizes what it carries. */
    private void frontend(int r) {
        long now = engine.now();
        long done = client.tokenize(now, tokensSent(r));
        if (done == now) {
            enqueue(r);
        } else {
            engine.scheduleAt(done, PRI_ARRIVAL, hEnqueue, r);
        }
    }

    /** Request {@code r} enters the scheduler's waiting queue (or is rejected, when it can never run). */
    private void enqueue(int r) {
        long now = engine.now();
        queuedPs[r] = now;
        long p = trace.promptTokens(r);
        long o = trace.outputTokens(r);
        if (p + o > params.maxModelLenTokens()) {
            reject(r, ServingResult.REJECTED_MAX_MODEL_LEN);
            return;
        }
        if (blocksFor(p + o - 1) + watermarkBlocks > totalBlocks) {
            reject(r, ServingResult.REJECTED_KV_CAPACITY);
            return;
        }
        changeInSystem(now, +1);
        if (sink.enabled()) {
            if (freeLanes.isEmpty()) {
                sink.track(TRACE_PID, lanes + 1, "slot " + lanes, lanes + 1);
                lane[r] = lanes++;
            } else {
                lane[r] = freeLanes.dequeueInt();
            }
        }
        state[r] = WAITING;
        waiting.enqueue(r);
        requestSchedule();
    }

    /** Rejects {@code r}; its session's later turns are never sent. */
    private void reject(int r, byte reason) {
        state[r] = REJECTED;
        rejection[r] = reason;
        for (int j = next[r]; j >= 0; j = next[j]) {
            state[j] = REJECTED;
            rejection[j] = REJECTED_SESSION_ENDED;
        }
    }

    private void passDone(int slot) {
        long now = engine.now();
        Pass p = slots[slot];
        passesInFlight--;
        if (passesInFlight == 0) {
            busyPs += now - busySincePs;
        }
        for (int i = 0; i < p.rows; i++) {
            int r = p.req[i];
            inFlight[r]--;
            if (width > 1 && p.logits[i] == width) {
                // A verify step: the target checked K drafts; the accepted ones and one more token come out.
                int accepted = acceptance.accepted(r, verifySteps[r]++);
                verifyStepsTotal++;
                acceptedTotal += accepted;
                computed[r] += accepted + 1;
                int tokens = Math.min(accepted + 1, trace.outputTokens(r) - generated[r]);
                for (int t = 0; t < tokens; t++) {
                    emit(r, now);
                }
            } else {
                computed[r] += p.fresh[i];
                if (p.logits[i] > 0) {
                    emit(r, now);
                }
            }
        }
        p.rows = 0;
        p.busy = false;
        requestSchedule();
    }

    private void emit(int r, long now) {
        generated[r]++;
        emittedTokens++;
        if (firstTokenPs[r] < 0) {
            firstTokenPs[r] = now;
        } else {
            long gap = now - lastTokenPs[r];
            tbtNs.recordValue(Math.max(1, (gap + 500) / 1000));
            tbtSumPs += gap;
            tbtCount++;
            maxGapPs[r] = Math.max(maxGapPs[r], gap);
        }
        lastTokenPs[r] = now;
        boolean last = generated[r] == trace.outputTokens(r);
        eventTokens[r]++;
        eventEmitSumPs[r] += now;
        if (eventTokens[r] == tokensPerEvent || last) {
            stream(r, now);
        }
        if (last) {
            state[r] = DONE;
            completionPs[r] = now;
            lastCompletionPs = now;
            releaseBlocks(r, now);
            running.rem(r);
            changeInSystem(now, -1);
            if (sink.enabled()) {
                traceRequest(r);
            }
            int j = next[r];
            if (j >= 0 && state[j] == PENDING) {
                engine.scheduleAt(clientLastPs[r] + trace.thinkPs(j), PRI_ARRIVAL, hSend, j);
            }
        }
    }

    /** Streams request {@code r}'s pending event (its tokens computed by {@code now}) to the client. */
    private void stream(int r, long now) {
        int n = eventTokens[r];
        linkFreePs[r] = client.streamEvent(now, n, linkFreePs[r]);
        long receipt = linkFreePs[r] + oneWayPs;
        tokenDelaySumPs += n * receipt - eventEmitSumPs[r];
        tokenDelayCount += n;
        if (clientFirstPs[r] < 0) {
            clientFirstPs[r] = receipt;
        } else {
            long gap = receipt - clientLastPs[r];
            clientTbtNs.recordValue(Math.max(1, (gap + 500) / 1000));
            clientTbtSumPs += gap;
            clientTbtCount++;
            clientMaxGapPs[r] = Math.max(clientMaxGapPs[r], gap);
        }
        if (n > 1) {
            // The event's other tokens arrive with its first: gaps of zero (recorded as 1 ns, as the server's).
            clientTbtNs.recordValue(1, n - 1);
            clientTbtCount += n - 1;
        }
        clientLastPs[r] = receipt;
        eventTokens[r] = 0;
        eventEmitSumPs[r] = 0;
    }

    /**
     * A completed request's KV blocks: with prefix caching and sessions, its full blocks stay cached for the
     * session's next turn (least recently used first out), the rest are freed; otherwise all are freed.
     */
    private void releaseBlocks(int r, long now) {
        long keep = 0;
        if (params.prefixCaching() && trace.hasSessions()) {
            long valid = Math.min(computed[r], (long) trace.promptTokens(r) + trace.outputTokens(r) - 1);
            keep = Math.min(blocksHeld[r], valid / blockTokens);
        }
        freeBlocks += blocksHeld[r] - keep;
        blocksHeld[r] = 0;
        if (keep > 0) {
            cachedBlocks[r] = keep;
            changeCache(now, keep);
            lru.enqueue(r);
        }
    }

    /** Adds {@code delta} blocks to the cached total, keeping its time integral. */
    private void changeCache(long now, long delta) {
        cacheAreaPsBlocks += cachedTotal * (now - lastCacheChangePs);
        lastCacheChangePs = now;
        cachedTotal += delta;
    }

    /** Evicts cached blocks, least recently used session first (its last blocks first), until {@code need} are free. */
    private void evict(long need) {
        long now = engine.now();
        while (freeBlocks < need && cachedTotal > 0) {
            int head = lru.firstInt();
            if (cachedBlocks[head] == 0) {
                lru.dequeueInt();
                continue;
            }
            long take = Math.min(cachedBlocks[head], need - freeBlocks);
            cachedBlocks[head] -= take;
            changeCache(now, -take);
            freeBlocks += take;
            evictedBlocks += take;
            if (cachedBlocks[head] == 0) {
                lru.dequeueInt();
            }
        }
    }

    /** A completed request's spans on its slot's track; the slot is free again. */
    private void traceRequest(int r) {
        int tid = lane[r] + 1;
        String cat = preemptions[r] > 0 ? "preempted" : "request";
        sink.span(TRACE_PID, tid, "queued", "queued", queuedPs[r], firstScheduledPs[r] - queuedPs[r], "request", r);
        sink.span(TRACE_PID, tid, "prefill " + trace.promptTokens(r) + " tokens", "prefill", firstScheduledPs[r],
                firstTokenPs[r] - firstScheduledPs[r], "request", r);
        if (completionPs[r] > firstTokenPs[r]) {
            sink.span(TRACE_PID, tid, "decode " + trace.outputTokens(r) + " tokens", cat.equals("request") ? "decode"
                    : "decode (preempted " + preemptions[r] + "x)", firstTokenPs[r], completionPs[r] - firstTokenPs[r],
                    "request", r);
        }
        freeLanes.enqueue(lane[r]);
    }

    private void changeInSystem(long now, int delta) {
        inSystemAreaPsRequests += inSystem * (now - lastChangePs);
        lastChangePs = now;
        inSystem += delta;
    }

    private void requestSchedule() {
        if (!schedulePending) {
            schedulePending = true;
            engine.schedule(0, PRI_SCHEDULE, hSchedule, 0);
        }
    }

    /** Starts passes while the pipeline has room and the policy finds work. */
    private void schedule() {
        long now = engine.now();
        if (passesInFlight >= slots.length || now < nextStartPs) {
            return;
        }
        int slot = 0;
        while (slots[slot].busy) {
            slot++;
        }
        Pass p = slots[slot];
        building = p;
        p.rows = 0;
        p.tokens = 0;
        passSeq++;
        preemptedThisPass = false;
        int candidates = Math.min(params.maxRunningSequences(), running.size() + waiting.size());
        microBatchRows = Math.max(1, (candidates + slots.length - 1) / slots.length);
        policy.compose(this, scratch);
        building = null;
        if (p.rows == 0) {
            return;
        }
        times.time(p, passTime);
        if (sink.enabled()) {
            sink.asyncSpan(TRACE_PID, "passes", passSeq, "pass " + passSeq + " (" + p.rows + " rows, " + p.tokens
                    + " tokens)", "pass", now, passTime.latencyPs);
            sink.counter(TRACE_PID, "running requests", now, RUNNING_SERIES, new double[] {running.size()});
            sink.counter(TRACE_PID, "pass rows", now, ROWS_SERIES, new double[] {p.rows});
            sink.counter(TRACE_PID, "KV cache used (%)", now, KV_SERIES,
                    new double[] {totalBlocks == 0 ? 0 : 100.0 * (totalBlocks - freeBlocks) / totalBlocks});
        }
        for (int st = 0; st < busyDevicePs.length; st++) {
            busyDevicePs[st] += passTime.busyDevicePs[st];
        }
        p.busy = true;
        if (passesInFlight == 0) {
            busySincePs = now;
        }
        passesInFlight++;
        passes++;
        boolean decodes = false;
        for (int i = 0; i < p.rows; i++) {
            int r = p.req[i];
            inFlight[r]++;
            if (p.fresh[i] == width && p.logits[i] == width && scheduled[r] > prefillTarget[r]) {
                decodeRows++;
                decodeCachedTokens += p.cached[i];
                decodes = true;
            } else {
                prefillRows++;
                prefillTokens += p.fresh[i];
            }
        }
        if (decodes) {
            decodePasses++;
        }
        engine.schedule(passTime.latencyPs, PRI_PASS_DONE, hDone, slot);
        nextStartPs = now + passTime.intervalPs;
        if (passesInFlight < slots.length) {
            engine.scheduleAt(nextStartPs, PRI_SCHEDULE, hSchedule, 0);
        }
    }

    // ---- SchedulerView ------------------------------------------------------------------------

    @Override
    public int runningCount() {
        return running.size();
    }

    @Override
    public int runningSnapshot(int[] into) {
        running.getElements(0, into, 0, running.size());
        return running.size();
    }

    @Override
    public boolean isRunning(int r) {
        return state[r] == RUNNING;
    }

    @Override
    public int waitingCount() {
        return waiting.size();
    }

    @Override
    public int waitingHead() {
        return waiting.firstInt();
    }

    @Override
    public long tokenBudgetLeft() {
        return params.maxBatchedTokens() - building.tokens;
    }

    @Override
    public boolean preemptedThisPass() {
        return preemptedThisPass;
    }

    @Override
    public int rowsInPass() {
        return building.rows;
    }

    @Override
    public int microBatchRows() {
        return microBatchRows;
    }

    @Override
    public boolean decodeReady(int r) {
        return state[r] == RUNNING && inFlight[r] == 0 && passMark[r] != passSeq && scheduled[r] >= prefillTarget[r];
    }

    @Override
    public long prefillLeft(int r) {
        return state[r] == RUNNING ? prefillTarget[r] - scheduled[r] : admissionTokens(r);
    }

    @Override
    public boolean prefillReady(int r) {
        return state[r] == RUNNING && passMark[r] != passSeq && scheduled[r] < prefillTarget[r];
    }

    @Override
    public boolean addDecode(int r) {
        if (!decodeReady(r)) {
            throw new IllegalStateException("request " + r + " is not ready to decode");
        }
        long need = blocksFor(computed[r] + width) - blocksHeld[r];
        if (need > freeBlocks) {
            evict(need);
        }
        while (need > freeBlocks) {
            int victim = newestPreemptibleAfter(r);
            if (victim >= 0) {
                preempt(victim);
                continue;
            }
            if (passesInFlight == 0) {
                preempt(r);
            }
            return false;
        }
        freeBlocks -= need;
        blocksHeld[r] += need;
        add(r, computed[r], width, width);
        scheduled[r]++;
        return true;
    }

    @Override
    public void addPrefill(int r, long tokens) {
        if (!prefillReady(r) || tokens < 1 || tokens > prefillLeft(r)) {
            throw new IllegalStateException("request " + r + ": prefill chunk of " + tokens + " tokens not allowed");
        }
        boolean last = scheduled[r] + tokens == prefillTarget[r];
        add(r, scheduled[r], (int) tokens, last ? 1 : 0);
        scheduled[r] += tokens;
        if (firstScheduledPs[r] < 0) {
            firstScheduledPs[r] = engine.now();
        }
    }

    @Override
    public long admissionTokens(int r) {
        return (long) trace.promptTokens(r) + generated[r];
    }

    @Override
    public boolean admitHead() {
        if (waiting.isEmpty() || running.size() >= params.maxRunningSequences()) {
            return false;
        }
        int r = waiting.firstInt();
        long target = admissionTokens(r);
        int prev = trace.previous(r);
        long hitBlocks = prev >= 0 ? cachedBlocks[prev] : 0;
        long need = blocksFor(target) - hitBlocks;
        if (freeBlocks + cachedTotal - hitBlocks - need < watermarkBlocks) {
            return false;
        }
        waiting.dequeueInt();
        long hitTokens = hitBlocks * blockTokens;
        if (hitBlocks > 0) {
            cachedBlocks[prev] = 0;
            changeCache(engine.now(), -hitBlocks);
        }
        if (prev >= 0 && preemptions[r] == 0) {
            prefixSharedTokens += trace.sharedPrefixTokens(r);
            prefixHitTokens += hitTokens;
        }
        if (need > freeBlocks) {
            evict(need);
        }
        freeBlocks -= need;
        blocksHeld[r] = need + hitBlocks;
        state[r] = RUNNING;
        running.add(r);
        prefillTarget[r] = target;
        computed[r] = hitTokens;
        scheduled[r] = hitTokens;
        return true;
    }

    // ---- mechanics ----------------------------------------------------------------------------

    private void add(int r, long cached, int fresh, int logits) {
        Pass p = building;
        if (p.rows == p.req.length) {
            throw new IllegalStateException("more rows than running sequences");
        }
        p.req[p.rows] = r;
        p.cached[p.rows] = cached;
        p.fresh[p.rows] = fresh;
        p.logits[p.rows] = logits;
        p.rows++;
        p.tokens += fresh;
        passMark[r] = passSeq;
    }

    /** The newest running sequence admitted after {@code r} that is neither in flight nor in this pass, or -1. */
    private int newestPreemptibleAfter(int r) {
        for (int i = running.size() - 1; i >= 0; i--) {
            int v = running.getInt(i);
            if (v == r) {
                return -1;
            }
            if (inFlight[v] == 0 && passMark[v] != passSeq) {
                return v;
            }
        }
        return -1;
    }

    /** Preemption by recompute: drops {@code v}'s KV cache and puts it back at the head of the queue. */
    private void preempt(int v) {
        freeBlocks += blocksHeld[v];
        blocksHeld[v] = 0;
        computed[v] = 0;
        scheduled[v] = 0;
        prefillTarget[v] = 0;
        preemptions[v]++;
        totalPreemptions++;
        preemptedThisPass = true;
        state[v] = WAITING;
        running.rem(v);
        waiting.enqueueFirst(v);
    }

    private long blocksFor(long positions) {
        return (positions + blockTokens - 1) / blockTokens;
    }

    /** One pass's rows (preallocated, reused) and its new tokens in all. */
    private static final class Pass extends PassBuffer {
        long tokens;

        Pass(int capacity) {
            super(capacity);
        }
    }
}
