package dev.wafersim.workloads.serving;

/**
 * Continuous batching with chunked prefill, as vLLM V1 schedules (and Sarathi-Serve): each pass first
 * serves the running sequences in admission order, a decode token for each one whose prefill is done
 * and the next chunk of each unfinished prompt, then admits waiting requests (FCFS) while running slots,
 * KV blocks and the token budget last (and no sequence was preempted for this pass); a prompt longer than
 * what is left of the budget is cut into chunks. The budget ({@code serving.maxBatchedTokens}) counts every new token of the pass; on a pipelined
 * machine a pass also takes at most {@link SchedulerView#microBatchRows()} rows.
 *
 * <p>Reference: vLLM {@code vllm/v1/core/sched/scheduler.py} (Scheduler.schedule: running requests
 * first, then waiting; a request that cannot get blocks preempts the lowest-priority running request);
 * Agrawal et al., "Taming Throughput-Latency Tradeoff in LLM Inference with Sarathi-Serve", OSDI 2024.
 */
final class ChunkedPrefillPolicy implements SchedulerPolicy {
    static final String NAME = "chunked-prefill";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "running sequences first (decode tokens and prompt chunks), then waiting requests, within the token budget";
    }

    @Override
    public void compose(SchedulerView view, int[] scratch) {
        int n = view.runningSnapshot(scratch);
        int cap = view.microBatchRows();
        for (int i = 0; i < n && view.tokenBudgetLeft() > 0 && view.rowsInPass() < cap; i++) {
            int r = scratch[i];
            if (!view.isRunning(r)) {
                continue;
            }
            if (view.decodeReady(r)) {
                view.addDecode(r);
            } else if (view.prefillReady(r)) {
                view.addPrefill(r, Math.min(view.prefillLeft(r), view.tokenBudgetLeft()));
            }
        }
        while (!view.preemptedThisPass() && view.waitingCount() > 0 && view.tokenBudgetLeft() > 0
                && view.rowsInPass() < cap) {
            int r = view.waitingHead();
            if (!view.admitHead()) {
                break;
            }
            view.addPrefill(r, Math.min(view.prefillLeft(r), view.tokenBudgetLeft()));
        }
    }
}
