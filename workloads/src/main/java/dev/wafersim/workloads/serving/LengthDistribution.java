package dev.wafersim.workloads.serving;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.random.Rng;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A distribution of token counts (prompt or output lengths) for synthetic workloads, parsed from the
 * text {@code --prompt-tokens} and {@code --output-tokens} take. Every draw is an integer >= 1.
 *
 * <ul>
 *   <li>{@code fixed:N}: always N;</li>
 *   <li>{@code uniform:A..B}: an integer uniform on [A, B], both included;</li>
 *   <li>{@code lognormal:median=M,sigma=S}: {@code round(M x exp(S x Z))} with Z standard normal, at
 *       least 1 (M is the median of the continuous distribution; S the standard deviation of its log);</li>
 *   <li>{@code zipf:s=S,max=N}: the bounded Zipf law {@code P(k) = k^-S / H(N, S)} for
 *       {@code k = 1..N}, {@code H(N, S) = sum_{j=1..N} j^-S} (S > 0; most requests short, a heavy tail up to
 *       N), drawn by rejection-inversion (Hörmann and Derflinger, "Rejection-inversion to generate
 *       variates from monotone discrete distributions", ACM TOMACS 6(3), 1996).</li>
 * </ul>
 */
public abstract sealed class LengthDistribution permits LengthDistribution.Fixed, LengthDistribution.Uniform,
        LengthDistribution.LogNormal, LengthDistribution.Zipf {
    /** Largest count a distribution may produce (2^30 tokens). */
    public static final long MAX_TOKENS = 1L << 30;

    private final String text;

    LengthDistribution(String text) {
        this.text = text;
    }

    /** One draw, >= 1. */
    public abstract int sample(Rng rng);

    /** The mean of the distribution (of the continuous law for lognormal, before rounding). */
    public abstract double mean();

    /** The text the distribution was parsed from, normalized. */
    @Override
    public String toString() {
        return text;
    }

    /**
     * Parses {@code text}.
     *
     * @param option the option it came from, for messages (e.g. {@code --prompt-tokens})
     * @throws ConfigException naming the option, the value and the forms allowed
     */
    public static LengthDistribution parse(String text, String option) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        int colon = t.indexOf(':');
        String kind = colon < 0 ? t : t.substring(0, colon);
        String args = colon < 0 ? "" : t.substring(colon + 1);
        try {
            return switch (kind) {
                case "fixed" -> {
                    long n = count(args, option, text);
                    yield new Fixed("fixed:" + n, (int) n);
                }
                case "uniform" -> {
                    int dots = args.indexOf("..");
                    if (dots < 0) {
                        throw bad(option, text);
                    }
                    long a = count(args.substring(0, dots), option, text);
                    long b = count(args.substring(dots + 2), option, text);
                    if (b < a) {
                        throw new ConfigException(option + "=" + text + " is not allowed: the upper bound " + b
                                + " is below the lower bound " + a);
                    }
                    yield new Uniform("uniform:" + a + ".." + b, (int) a, (int) b);
                }
                case "lognormal" -> {
                    Map<String, String> kv = pairs(args, option, text, "median", "sigma");
                    double median = number(kv.get("median"), option, text);
                    double sigma = number(kv.get("sigma"), option, text);
                    if (!(median >= 1 && median <= MAX_TOKENS) || !(sigma >= 0 && sigma <= 10)) {
                        throw new ConfigException(option + "=" + text + " is not allowed: expected median in [1, "
                                + MAX_TOKENS + "] tokens and sigma in [0, 10]");
                    }
                    yield new LogNormal(String.format(Locale.ROOT, "lognormal:median=%s,sigma=%s", plain(median),
                            plain(sigma)), median, sigma);
                }
                case "zipf" -> {
                    Map<String, String> kv = pairs(args, option, text, "s", "max");
                    double s = number(kv.get("s"), option, text);
                    long max = count(kv.get("max"), option, text);
                    if (!(s > 0 && s <= 100)) {
                        throw new ConfigException(option + "=" + text + " is not allowed: expected s in (0, 100]");
                    }
                    yield new Zipf(String.format(Locale.ROOT, "zipf:s=%s,max=%d", plain(s), max), s, (int) max);
                }
                default -> throw bad(option, text);
            };
        } catch (NumberFormatException e) {
            throw bad(option, text);
        }
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static ConfigException bad(String option, String text) {
        return new ConfigException(option + "=" + text + " is not allowed; expected fixed:N, uniform:A..B,"
                + " lognormal:median=M,sigma=S or zipf:s=S,max=N (token counts >= 1)");
    }

    private static long count(String s, String option, String text) {
        if (s == null) {
            throw bad(option, text);
        }
        long n = Long.parseLong(s.trim().replace("_", ""));
        if (n < 1 || n > MAX_TOKENS) {
            throw new ConfigException(option + "=" + text + " is not allowed: " + n + " tokens; expected a count in [1, "
                    + MAX_TOKENS + "]");
        }
        return n;
    }

    private static double number(String s, String option, String text) {
        if (s == null) {
            throw bad(option, text);
        }
        double d = Double.parseDouble(s.trim());
        if (!Double.isFinite(d)) {
            throw bad(option, text);
        }
        return d;
    }

    private static Map<String, String> pairs(String args, String option, String text, String... keys) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : args.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw bad(option, text);
            }
            String k = part.substring(0, eq).trim();
            if (!java.util.List.of(keys).contains(k) || m.put(k, part.substring(eq + 1).trim()) != null) {
                throw new ConfigException(option + "=" + text + " is not allowed: '" + k + "' is not one of "
                        + String.join(", ", keys) + " (each once)");
            }
        }
        for (String k : keys) {
            if (!m.containsKey(k)) {
                throw new ConfigException(option + "=" + text + " is not allowed: '" + k + "' is missing");
            }
        }
        return m;
    }

    static final class Fixed extends LengthDistribution {
        private final int n;

        Fixed(String text, int n) {
            super(text);
            this.n = n;
        }

        @Override
        public int sample(Rng rng) {
            return n;
        }

        @Override
        public double mean() {
            return n;
        }
    }

    static final class Uniform extends LengthDistribution {
        private final int a;
        private final int b;

        Uniform(String text, int a, int b) {
            super(text);
            this.a = a;
            this.b = b;
        }

        @Override
        public int sample(Rng rng) {
            return a + rng.nextInt(b - a + 1);
        }

        @Override
        public double mean() {
            return (a + (double) b) / 2;
        }
    }

    static final class LogNormal extends LengthDistribution {
        private final double median;
        private final double sigma;

        LogNormal(String text, double median, double sigma) {
            super(text);
            this.median = median;
            this.sigma = sigma;
        }

        @Override
        public int sample(Rng rng) {
            double x = median * Math.exp(sigma * Gaussian.next(rng));
            return (int) Math.max(1, Math.min(MAX_TOKENS, Math.round(x)));
        }

        @Override
        public double mean() {
            return median * Math.exp(sigma * sigma / 2);
        }
    }

    /** Bounded Zipf by rejection-inversion (Hörmann and Derflinger 1996), O(1) memory and time per draw. */
    static final class Zipf extends LengthDistribution {
        private final double s;
        private final int n;
        private final double hIntegralX1;
        private final double hIntegralN;
        private final double squeeze;

        Zipf(String text, double s, int n) {
            super(text);
            this.s = s;
            this.n = n;
            this.hIntegralX1 = hIntegral(1.5) - 1;
            this.hIntegralN = hIntegral(n + 0.5);
            this.squeeze = 2 - hIntegralInverse(hIntegral(2.5) - h(2));
        }

        @Override
        public int sample(Rng rng) {
            while (true) {
                double u = hIntegralN + rng.nextDouble() * (hIntegralX1 - hIntegralN);
                double x = hIntegralInverse(u);
                long k = (long) (x + 0.5);
                if (k < 1) {
                    k = 1;
                } else if (k > n) {
                    k = n;
                }
                if (k - x <= squeeze || u >= hIntegral(k + 0.5) - h(k)) {
                    return (int) k;
                }
            }
        }

        /** Exact sums up to 2^20 terms; beyond, the tail sums as integrals from K + 1/2 to N + 1/2. */
        @Override
        public double mean() {
            int exact = Math.min(n, 1 << 20);
            double num = 0;
            double den = 0;
            for (int k = 1; k <= exact; k++) {
                double p = Math.pow(k, -s);
                num += k * p;
                den += p;
            }
            if (n > exact) {
                double a = exact + 0.5;
                double b = n + 0.5;
                den += integralOfPower(-s, a, b);
                num += integralOfPower(1 - s, a, b);
            }
            return num / den;
        }

        /** The integral of x^e from a to b. */
        private static double integralOfPower(double e, double a, double b) {
            return Math.abs(e + 1) < 1e-12 ? Math.log(b / a) : (Math.pow(b, e + 1) - Math.pow(a, e + 1)) / (e + 1);
        }

        /** {@code h(x) = x^-s}. */
        private double h(double x) {
            return Math.exp(-s * Math.log(x));
        }

        /** An antiderivative of h: {@code (x^(1-s) - 1) / (1 - s)}, {@code log x} at s = 1. */
        private double hIntegral(double x) {
            double logX = Math.log(x);
            return expm1OverX((1 - s) * logX) * logX;
        }

        private double hIntegralInverse(double x) {
            double t = x * (1 - s);
            if (t < -1) {
                t = -1;
            }
            return Math.exp(log1pOverX(t) * x);
        }

        private static double expm1OverX(double x) {
            return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x / 2 * (1 + x / 3 * (1 + x / 4));
        }

        private static double log1pOverX(double x) {
            return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
        }
    }

    /** Standard normal variates by the Box-Muller transform (two uniforms per variate, no state). */
    static final class Gaussian {
        private Gaussian() {
        }

        static double next(Rng rng) {
            double u1 = 1 - rng.nextDouble();
            double u2 = rng.nextDouble();
            return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        }
    }
}
