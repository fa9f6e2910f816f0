package dev.wafersim.workloads.serving;

/**
 * Continuous batching without chunked prefill, as vLLM V0 schedules by default: when waiting requests can
 * be admitted, the pass prefills whole prompts only (FCFS, as many as the token budget takes; the first
 * one even when its prompt alone exceeds it, as V0 requires the budget to cover the longest request); otherwise
 * it decodes every running sequence that is ready. Decodes stall while prompts are prefilled, which is
 * what chunked prefill removes.
 *
 * <p>Reference: vLLM V0 {@code vllm/core/scheduler.py} (Scheduler._schedule_default: prefills are
 * scheduled first and, when any are, the step runs no decodes).
 */
final class PrefillFirstPolicy implements SchedulerPolicy {
    static final String NAME = "prefill-first";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "a pass prefills whole prompts when any can be admitted, otherwise decodes every running sequence";
    }

    @Override
    public void compose(SchedulerView view, int[] scratch) {
        int admitted = 0;
        int cap = view.microBatchRows();
        while (view.waitingCount() > 0 && admitted < cap) {
            int r = view.waitingHead();
            long tokens = view.admissionTokens(r);
            if (admitted > 0 && tokens > view.tokenBudgetLeft()) {
                break;
            }
            if (!view.admitHead()) {
                break;
            }
            // A prefix-cache hit leaves fewer tokens to prefill than the admission asked for.
            view.addPrefill(r, view.prefillLeft(r));
            admitted++;
        }
        if (admitted > 0) {
            return;
        }
        int n = view.runningSnapshot(scratch);
        for (int i = 0; i < n && view.rowsInPass() < cap; i++) {
            int r = scratch[i];
            if (view.isRunning(r) && view.decodeReady(r)) {
                view.addDecode(r);
            }
        }
    }
}
