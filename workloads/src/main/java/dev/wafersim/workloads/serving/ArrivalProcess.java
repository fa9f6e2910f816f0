package dev.wafersim.workloads.serving;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.random.Rng;
import java.util.Locale;

/**
 * How synthetic requests arrive, parsed from {@code --arrival}: the gaps between arrivals are
 * independent, with mean {@code 1 / rate}.
 * <ul>
 *   <li>{@code poisson}: exponential gaps (a Poisson process; coefficient of variation 1);</li>
 *   <li>{@code gamma:cv=C}: gamma-distributed gaps of shape {@code 1 / C^2}, so their coefficient of
 *       variation is C (C > 1: bursts and lulls; C = 1 is Poisson; C < 1 more regular), drawn by the
 *       method of Marsaglia and Tsang ("A simple method for generating gamma variables", ACM TOMS 26(3),
 *       2000), with the boost {@code G(k) = G(k + 1) U^(1/k)} for shape k < 1.</li>
 * </ul>
 * A process draws unit-mean gaps; {@link SyntheticWorkload} divides them by the rate, so the same seed
 * at another rate gives the same arrivals on a stretched time axis.
 */
public abstract sealed class ArrivalProcess permits ArrivalProcess.Poisson, ArrivalProcess.Gamma {
    private final String text;

    ArrivalProcess(String text) {
        this.text = text;
    }

    /** One gap between arrivals, in units of the mean gap (mean 1). */
    public abstract double unitGap(Rng rng);

    /** The coefficient of variation of the gaps. */
    public abstract double cv();

    @Override
    public String toString() {
        return text;
    }

    /**
     * Parses {@code text} ({@code poisson} or {@code gamma:cv=C}).
     *
     * @throws ConfigException naming {@code --arrival}, the value and the forms allowed
     */
    public static ArrivalProcess parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("poisson")) {
            return new Poisson();
        }
        if (t.startsWith("gamma:cv=")) {
            double cv;
            try {
                cv = Double.parseDouble(t.substring("gamma:cv=".length()).trim());
            } catch (NumberFormatException e) {
                cv = Double.NaN;
            }
            if (!(cv >= 0.05 && cv <= 20)) {
                throw new ConfigException("--arrival=" + text + " is not allowed: cv must be a number in [0.05, 20]");
            }
            return new Gamma(cv);
        }
        throw new ConfigException("--arrival=" + text + " is not allowed; expected poisson or gamma:cv=C (e.g. gamma:cv=2)");
    }

    static final class Poisson extends ArrivalProcess {
        Poisson() {
            super("poisson");
        }

        @Override
        public double unitGap(Rng rng) {
            return rng.nextExponential();
        }

        @Override
        public double cv() {
            return 1;
        }
    }

    static final class Gamma extends ArrivalProcess {
        private final double cv;
        private final double shape;

        Gamma(double cv) {
            super(String.format(Locale.ROOT, "gamma:cv=%s", cv == Math.rint(cv) ? Long.toString((long) cv) : Double.toString(cv)));
            this.cv = cv;
            this.shape = 1 / (cv * cv);
        }

        @Override
        public double unitGap(Rng rng) {
            return gamma(rng, shape) / shape;
        }

        @Override
        public double cv() {
            return cv;
        }

        /** A gamma variate of shape {@code k} and scale 1. */
        static double gamma(Rng rng, double k) {
            if (k < 1) {
                double u = 1 - rng.nextDouble();
                return gamma(rng, k + 1) * Math.pow(u, 1 / k);
            }
            double d = k - 1.0 / 3;
            double c = 1 / Math.sqrt(9 * d);
            while (true) {
                double x;
                double v;
                do {
                    x = LengthDistribution.Gaussian.next(rng);
                    v = 1 + c * x;
                } while (v <= 0);
                v = v * v * v;
                double u = 1 - rng.nextDouble();
                if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                    return d * v;
                }
            }
        }
    }
}
