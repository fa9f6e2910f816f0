package dev.wafersim.workloads.serving;

/**
 * What a {@link SchedulerPolicy} sees and does while it composes the next pass: the running sequences
 * (in admission order, oldest first), the waiting queue (FCFS; preempted requests re-enter at its head)
 * and the operations that add rows to the pass. The mechanics (KV blocks, preemption, pipelining
 * rules) live behind these operations, so a policy only decides the order and the mix.
 *
 * <p>Requests are addressed by their index in the trace.
 */
public interface SchedulerView {
    /** Sequences running (admitted, holding KV blocks). */
    int runningCount();

    /**
     * Copies the running sequences, oldest first, into {@code into} (at least {@link #runningCount()}
     * long) and returns how many there are: a snapshot that stays valid while rows are added.
     */
    int runningSnapshot(int[] into);

    /** True while {@code r} is running (a row added for an older one may preempt it). */
    boolean isRunning(int r);

    /** Requests waiting for admission. */
    int waitingCount();

    /** The request at the head of the waiting queue; only valid when {@link #waitingCount()} > 0. */
    int waitingHead();

    /** New tokens the pass may still take ({@code serving.maxBatchedTokens} minus those added). */
    long tokenBudgetLeft();

    /** True when a sequence was preempted while this pass was composed (vLLM V1 then admits no one). */
    boolean preemptedThisPass();

    /** Rows in the pass so far. */
    int rowsInPass();

    /**
     * Most rows this pass should take so that passes in flight split the sequences evenly: with
     * {@code P = StepModel.maxPassesInFlight()}, {@code ceil(min(maxRunningSequences, running + waiting) / P)}
     * (at least 1). On a machine without pipelining it never binds. This is how a pipelined server keeps its
     * stages busy with disjoint micro-batches (vLLM V0 gives each of its pipeline-parallel virtual engines
     * its own share of the requests).
     */
    int microBatchRows();

    /**
     * True when {@code r} can take a decode row now: its prefill is done, it has output left, no pass
     * holding it is in flight (its previous token must exist before the next is computed) and it has no
     * row in this pass yet.
     */
    boolean decodeReady(int r);

    /**
     * Prefill positions of {@code r} not yet scheduled (its prompt, plus the tokens generated before a
     * preemption); 0 when none are left.
     */
    long prefillLeft(int r);

    /**
     * True when {@code r} can take a prefill chunk now: it has prefill left and no row in this pass. Its
     * previous chunk may still be in flight: a chunk trails the previous one through the pipeline stages,
     * one pass interval behind.
     */
    boolean prefillReady(int r);

    /**
     * Adds a decode row for {@code r}, after reserving KV space for the token it writes. When the cache is
     * full, the newest running sequence that is neither in flight nor in this pass is preempted (its KV
     * dropped, back to the head of the waiting queue, to be recomputed), repeatedly; when none is left and
     * nothing is in flight, {@code r} itself is preempted.
     *
     * @return true when the row was added; false when {@code r} was preempted or must wait for a pass in
     *         flight to free space
     */
    boolean addDecode(int r);

    /** Adds a prefill chunk of {@code tokens} (1 to {@link #prefillLeft}) for {@code r}. */
    void addPrefill(int r, long tokens);

    /**
     * Positions request {@code r} prefills when admitted now: its prompt plus the tokens it generated
     * before a preemption.
     */
    long admissionTokens(int r);

    /**
     * Admits the head of the waiting queue when a running slot is free
     * ({@code serving.maxRunningSequences}) and the KV blocks of its {@link #admissionTokens} are free
     * (with the watermark kept); allocates those blocks and moves it to the running sequences (newest).
     *
     * @return true when admitted
     */
    boolean admitHead();
}
