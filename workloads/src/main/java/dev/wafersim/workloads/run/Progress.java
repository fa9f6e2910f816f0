package dev.wafersim.workloads.run;

/**
 * Where a long simulation stands, for a progress line on a terminal. Called on the simulating
 * thread; implementations must be cheap (rate-limit any drawing).
 */
@FunctionalInterface
public interface Progress {
    /** Reports nothing. */
    Progress NONE = (done, total, what) -> { };

    /**
     * @param done  steps finished (e.g. token stages simulated)
     * @param total steps in all
     * @param what  a few words on the step just finished
     */
    void update(long done, long total, String what);
}
