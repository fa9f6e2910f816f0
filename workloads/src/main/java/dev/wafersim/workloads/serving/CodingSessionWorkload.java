package dev.wafersim.workloads.serving;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.random.RandomStreams;
import dev.wafersim.core.random.Rng;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Interactive coding sessions ({@code --workload coding-session:KEY=VALUE,...}): a user and an assistant
 * exchange many short turns over a growing context. Sessions start as an {@link ArrivalProcess} at the given
 * rate (sessions per second); each has {@code turns} turns; turn 1's prompt is the session's initial context
 * (system prompt, instructions, files); every later turn's prompt is the previous prompt, the previous answer
 * and a small edit (the user's message, a diff, a tool's output), and it is sent when the client has received
 * the previous answer plus a think time. Outputs are short.
 *
 * <p>Knobs (every one optional):
 * <ul>
 *   <li>{@code sessions=N}: sessions (default 32);</li>
 *   <li>{@code turns=T}: turns per session (default 20);</li>
 *   <li>{@code context=M}: median tokens of the initial context (default 8000);</li>
 *   <li>{@code edit=M}: median new tokens of a follow-up turn (default 300);</li>
 *   <li>{@code output=M}: median output tokens of a turn (default 200);</li>
 *   <li>{@code sigma=S}: the spread of the three lengths, each lognormal with its median and this sigma
 *       (default 0.5; 0: every length is its median);</li>
 *   <li>{@code think=D}: mean think time between receiving an answer and sending the next turn, exponential
 *       ({@code 10s}, {@code 500ms}; default 10s; 0 sends at once).</li>
 * </ul>
 * Lengths and think times come from independent streams of the seed ({@code coding.context},
 * {@code coding.edit}, {@code coding.output}, {@code coding.think}; session starts {@code coding.sessions}),
 * so the same seed at another rate gives the same sessions on a stretched clock. Requests are in
 * session-major order: session 1's turns, then session 2's.
 *
 * @param sessions   sessions, >= 1
 * @param turns      turns per session, >= 1
 * @param context    initial context lengths
 * @param edit       new tokens per follow-up turn
 * @param output     output lengths
 * @param meanThinkS mean think time, s
 * @param arrival    how sessions start
 * @param seed       the seed
 */
public record CodingSessionWorkload(int sessions, int turns, LengthDistribution context, LengthDistribution edit,
                                    LengthDistribution output, double meanThinkS, ArrivalProcess arrival, long seed) {
    /** The name {@code --workload} takes. */
    public static final String NAME = "coding-session";
    /** Most requests (sessions x turns) one workload may have. */
    public static final int MAX_REQUESTS = SyntheticWorkload.MAX_REQUESTS;

    public CodingSessionWorkload {
        if (sessions < 1 || turns < 1 || (long) sessions * turns > MAX_REQUESTS) {
            throw new ConfigException("--workload " + NAME + ": sessions=" + sessions + ", turns=" + turns
                    + " is not allowed; expected sessions >= 1, turns >= 1 and sessions x turns <= " + MAX_REQUESTS);
        }
        if (!(meanThinkS >= 0) || meanThinkS > 86_400) {
            throw new ConfigException("--workload " + NAME + ": think=" + meanThinkS + "s is not allowed; expected a"
                    + " mean think time in [0, 86400] s");
        }
    }

    /**
     * Parses {@code coding-session[:KEY=VALUE,...]}.
     *
     * @throws ConfigException naming the key, the value and what is allowed
     */
    public static CodingSessionWorkload parse(String text, ArrivalProcess arrival, long seed) {
        String t = text == null ? "" : text.trim();
        int colon = t.indexOf(':');
        String kind = colon < 0 ? t : t.substring(0, colon);
        if (!kind.equalsIgnoreCase(NAME)) {
            throw new ConfigException("--workload=" + text + " is not allowed; expected " + NAME
                    + "[:sessions=N,turns=T,context=M,edit=M,output=M,sigma=S,think=D]");
        }
        Map<String, String> kv = new LinkedHashMap<>();
        if (colon >= 0 && colon < t.length() - 1) {
            for (String part : t.substring(colon + 1).split(",")) {
                int eq = part.indexOf('=');
                String key = eq < 0 ? part.trim() : part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                if (eq <= 0 || eq == part.length() - 1) {
                    throw new ConfigException("--workload " + NAME + ": '" + part.trim() + "' is not allowed; expected"
                            + " KEY=VALUE with a key among sessions, turns, context, edit, output, sigma, think");
                }
                if (!java.util.List.of("sessions", "turns", "context", "edit", "output", "sigma", "think").contains(key)) {
                    throw new ConfigException("--workload " + NAME + ": unknown key '" + key + "'"
                            + dev.wafersim.core.config.EditDistance.didYouMean(key, java.util.List.of("sessions", "turns",
                            "context", "edit", "output", "sigma", "think"))
                            + "; expected sessions, turns, context, edit, output, sigma or think");
                }
                if (kv.put(key, part.substring(eq + 1).trim()) != null) {
                    throw new ConfigException("--workload " + NAME + ": " + key + " is given twice");
                }
            }
        }
        int sessions = (int) integer(kv, "sessions", 32, 1, MAX_REQUESTS);
        int turns = (int) integer(kv, "turns", 20, 1, MAX_REQUESTS);
        double sigma = number(kv, "sigma", 0.5, 0, 4);
        LengthDistribution context = lognormal(kv, "context", 8000, sigma);
        LengthDistribution edit = lognormal(kv, "edit", 300, sigma);
        LengthDistribution output = lognormal(kv, "output", 200, sigma);
        double think = kv.containsKey("think") ? seconds(kv.get("think")) : 10;
        return new CodingSessionWorkload(sessions, turns, context, edit, output, think, arrival, seed);
    }

    /**
     * The sessions at {@code sessionsPerSecond}.
     *
     * @throws ConfigException for a rate that is not positive and finite, or a session whose context outgrows
     *                         the token limit of a request
     */
    public RequestTrace trace(double sessionsPerSecond) {
        if (!(sessionsPerSecond > 0) || Double.isInfinite(sessionsPerSecond) || sessionsPerSecond > 1e9) {
            throw new ConfigException("--rate=" + sessionsPerSecond + " is not allowed; expected sessions per second in"
                    + " (0, 1e9]");
        }
        RandomStreams streams = new RandomStreams(seed);
        Rng starts = streams.stream("coding.sessions");
        Rng contexts = streams.stream("coding.context");
        Rng edits = streams.stream("coding.edit");
        Rng outputs = streams.stream("coding.output");
        Rng thinks = streams.stream("coding.think");
        int n = sessions * turns;
        long[] startPs = new long[n];
        int[] prompt = new int[n];
        int[] out = new int[n];
        int[] previous = new int[n];
        long[] think = new long[n];
        double meanGapPs = 1e12 / sessionsPerSecond;
        long t = 0;
        int i = 0;
        for (int s = 0; s < sessions; s++) {
            double unit = arrival().unitGap(starts);
            if (s > 0) {
                t += Math.round(unit * meanGapPs);
                if (t > RequestTrace.MAX_ARRIVAL_PS) {
                    throw new ConfigException(String.format(Locale.ROOT, "--rate=%s with %d sessions spans more than %.0f s"
                            + " of session starts; expected a higher rate or fewer sessions", sessionsPerSecond, sessions,
                            RequestTrace.MAX_ARRIVAL_PS / 1e12));
                }
            }
            long p = context.sample(contexts);
            for (int k = 0; k < turns; k++, i++) {
                if (k > 0) {
                    p = p + out[i - 1] + edit.sample(edits);
                    previous[i] = i - 1;
                    think[i] = Math.round(meanThinkS * 1e12 * thinks.nextExponential());
                } else {
                    previous[i] = -1;
                    startPs[i] = t;
                }
                if (p > TraceReader.MAX_TOKENS) {
                    throw new ConfigException("--workload " + NAME + ": session " + s + " reaches a prompt of " + p
                            + " tokens at turn " + (k + 1) + "; expected at most " + TraceReader.MAX_TOKENS);
                }
                prompt[i] = (int) p;
                out[i] = output.sample(outputs);
            }
        }
        return RequestTrace.sessions(startPs, prompt, out, previous, think, describe(sessionsPerSecond));
    }

    /** One line: the sessions, their arrival, turns, lengths, think time and seed. */
    public String describe(double sessionsPerSecond) {
        return String.format(Locale.ROOT, "coding sessions: %d sessions of %d turns, %s starts at %s sessions/s, context %s,"
                        + " edit %s, output %s, think exp(mean %ss), seed %d", sessions, turns, arrival,
                trimmed(sessionsPerSecond), context, edit, output, trimmed(meanThinkS), seed);
    }

    private static LengthDistribution lognormal(Map<String, String> kv, String key, long median, double sigma) {
        long m = integer(kv, key, median, 1, TraceReader.MAX_TOKENS);
        return LengthDistribution.parse(sigma == 0 ? "fixed:" + m : "lognormal:median=" + m + ",sigma=" + sigma,
                "--workload " + NAME + " " + key);
    }

    private static long integer(Map<String, String> kv, String key, long dflt, long min, long max) {
        String v = kv.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.replace("_", ""));
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("--workload " + NAME + ": " + key + "=" + v + " is not allowed; expected an integer in ["
                + min + ", " + max + "]");
    }

    private static double number(Map<String, String> kv, String key, double dflt, double min, double max) {
        String v = kv.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            double d = Double.parseDouble(v);
            if (d >= min && d <= max) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("--workload " + NAME + ": " + key + "=" + v + " is not allowed; expected a number in ["
                + trimmed(min) + ", " + trimmed(max) + "]");
    }

    /** A duration with a unit ({@code 10s}, {@code 500ms}, {@code 0}) in seconds. */
    private static double seconds(String v) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        double scale = 1;
        String num = t;
        if (t.endsWith("ms")) {
            scale = 1e-3;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            num = t.substring(0, t.length() - 1);
        } else if (!t.equals("0")) {
            num = "";
        }
        try {
            double d = Double.parseDouble(num) * scale;
            if (d >= 0 && d <= 86_400) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("--workload " + NAME + ": think=" + v + " is not allowed; expected a mean think time"
                + " such as 10s or 500ms in [0, 86400] s");
    }

    private static String trimmed(double v) {
        String s = String.format(Locale.ROOT, "%.6g", v);
        if (s.contains(".") && !s.contains("e")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }
}
