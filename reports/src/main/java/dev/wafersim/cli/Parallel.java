package dev.wafersim.cli;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.event.SimulationStalledException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.IntFunction;

/** Runs independent, deterministic jobs on a fixed pool of threads; results keep the input order. */
final class Parallel {
    /** Most threads a command accepts. */
    static final int MAX_THREADS = 1024;

    private Parallel() {
    }

    /** Checks a {@code --threads} value. */
    static int threads(int n, String option) {
        if (n < 1 || n > MAX_THREADS) {
            throw new ConfigException(option + "=" + n + " is not allowed; expected an integer in [1, " + MAX_THREADS + "]");
        }
        return n;
    }

    /**
     * Applies {@code job} to every input on {@code threads} threads and returns the outputs in input order.
     * When jobs fail, the first failing input in input order decides the exception, so the outcome does
     * not depend on the number of threads: a {@link ConfigException} or {@link SimulationStalledException}
     * is rethrown with the input's name in front; anything else is rethrown as is.
     */
    static <I, O> List<O> map(List<I> inputs, Function<I, O> job, int threads, IntFunction<String> name) {
        int n = Math.max(1, Math.min(threads, inputs.size()));
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "wafersim-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<O>> futures = new ArrayList<>();
            for (I in : inputs) {
                futures.add(pool.submit(() -> job.apply(in)));
            }
            List<O> out = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    out.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof ConfigException ce) {
                        throw new ConfigException(name.apply(i) + ": " + ce.getMessage(), ce);
                    }
                    if (c instanceof SimulationStalledException se) {
                        throw new SimulationStalledException(name.apply(i) + ": " + se.getMessage());
                    }
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    if (c instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
