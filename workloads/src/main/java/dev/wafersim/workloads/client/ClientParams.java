package dev.wafersim.workloads.client;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.ParamSpec;
import dev.wafersim.core.config.ParamValue;
import dev.wafersim.core.config.PresetLoader;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parameters of the client path: what lies between a user's client and the server's scheduler, with
 * their defaults, units, confidence and sources in {@code presets/client/NAME.yaml}. Every system's schema
 * carries them ({@code SystemCatalog}), so {@code wafersim describe SYSTEM} lists them (section
 * {@code [client]}) and {@code --set client.KEY=VALUE} overrides them; {@code client.name} (or
 * {@code serve --client NAME}) selects a whole preset before any other override applies, as
 * {@code stack.name} does for GPU stacks.
 *
 * <p>The presets differ only in mechanics: what is paid per request, per session and per token
 * ({@link #connection}, {@link #connectionSetupRtts}, {@link #resendsContext}, {@link #eventEnvelopeBytes});
 * the costs of each mechanism (gateway, tokenizer, front-end work per event) are the same numbers in every
 * preset. {@code none}, the default, puts the client at the server: every cost is zero, so client-observed
 * times equal the server's and a trace's arrivals are arrivals at the scheduler.
 *
 * @param name                   the preset the values came from
 * @param networkRttPs           round-trip time between client and server, ps
 * @param bandwidthBitsPerSecond the client's link rate in each direction, bit/s
 * @param perSessionConnection   true when one connection serves a whole session (persistent), false when
 *                               every request opens its own
 * @param connectionSetupRtts    round trips a new connection costs before its first request (TCP, TLS,
 *                               WebSocket upgrade)
 * @param gatewayPerConnectionPs the API gateway's cost of accepting a connection (authentication), ps
 * @param gatewayPerRequestPs    the API gateway's cost of each request or session message (routing, rate
 *                               limiting, validation), ps
 * @param resendsContext         true when every request carries (and the server tokenizes) the whole
 *                               conversation; false when the session keeps it and a turn sends its new tokens
 * @param bytesPerTextToken      bytes of text per token on the wire
 * @param tokenizePsPerToken     front-end time to tokenize one prompt token, ps
 * @param detokenizePsPerToken   front-end time to detokenize one output token, ps
 * @param tokensPerEvent         output tokens per streamed event (chunk)
 * @param eventEnvelopeBytes     bytes of each streamed event besides its text (framing, JSON envelope)
 * @param eventWorkPs            front-end time per streamed event (serialization, framing, the write), ps
 * @param frontendWorkers        front-end workers (threads) that tokenize, detokenize and stream
 */
public record ClientParams(String name, long networkRttPs, double bandwidthBitsPerSecond, boolean perSessionConnection,
                           int connectionSetupRtts, long gatewayPerConnectionPs, long gatewayPerRequestPs,
                           boolean resendsContext, double bytesPerTextToken, long tokenizePsPerToken,
                           long detokenizePsPerToken, int tokensPerEvent, int eventEnvelopeBytes, long eventWorkPs,
                           int frontendWorkers) {

    public static final String NAME_KEY = "client.name";
    public static final String RTT = "client.networkRttMs";
    public static final String BANDWIDTH = "client.bandwidthMbps";
    public static final String CONNECTION = "client.connection";
    public static final String SETUP_RTTS = "client.connectionSetupRtts";
    public static final String GATEWAY_CONNECTION = "client.gatewayPerConnectionMs";
    public static final String GATEWAY_REQUEST = "client.gatewayPerRequestMs";
    public static final String RESENDS_CONTEXT = "client.resendsContext";
    public static final String BYTES_PER_TOKEN = "client.bytesPerTextToken";
    public static final String TOKENIZE = "client.tokenizeNsPerToken";
    public static final String DETOKENIZE = "client.detokenizeNsPerToken";
    public static final String TOKENS_PER_EVENT = "client.tokensPerEvent";
    public static final String ENVELOPE = "client.eventEnvelopeBytes";
    public static final String EVENT_WORK = "client.eventWorkUs";
    public static final String WORKERS = "client.frontendWorkers";

    /** The presets, in the order {@code describe} lists them; {@code none} is the default. */
    public static final List<String> PRESETS = List.of("none", "http-sse", "persistent-websocket");
    /** The preset every system starts from: no client path. */
    public static final String DEFAULT = "none";

    /** The client-path parameters. */
    public static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.choice(NAME_KEY, "Client-path preset (none: times at the server); selects every client.* value.",
                    PRESETS.toArray(new String[0])),
            ParamSpec.real(RTT, "ms", 0, 10_000, "Network round-trip time between the client and the server."),
            ParamSpec.real(BANDWIDTH, "Mbit/s", 0.001, 1e6, "The client's link rate in each direction."),
            ParamSpec.choice(CONNECTION, "per-request: every request opens a connection; per-session: one connection"
                    + " serves every turn of a session.", "per-request", "per-session"),
            ParamSpec.integer(SETUP_RTTS, "RTTs", 0, 16, "Round trips a new connection costs before its first request."),
            ParamSpec.real(GATEWAY_CONNECTION, "ms", 0, 10_000, "API gateway's cost of accepting a connection"
                    + " (authentication)."),
            ParamSpec.real(GATEWAY_REQUEST, "ms", 0, 10_000, "API gateway's cost of each request or session message"
                    + " (routing, rate limiting, validation)."),
            ParamSpec.flag(RESENDS_CONTEXT, "true: every request carries and the server re-tokenizes the whole"
                    + " conversation; false: the session keeps it and a turn sends only its new tokens."),
            ParamSpec.real(BYTES_PER_TOKEN, "bytes", 0, 64, "Bytes of text per token on the wire."),
            ParamSpec.real(TOKENIZE, "ns", 0, 1e7, "Front-end time to tokenize one prompt token (one worker)."),
            ParamSpec.real(DETOKENIZE, "ns", 0, 1e7, "Front-end time to detokenize one output token (one worker)."),
            ParamSpec.integer(TOKENS_PER_EVENT, "tokens", 1, 4096, "Output tokens per streamed event (chunk); the last"
                    + " event of a response may hold fewer."),
            ParamSpec.integer(ENVELOPE, "bytes", 0, 1 << 20, "Bytes of each streamed event besides its text (framing and"
                    + " JSON envelope)."),
            ParamSpec.real(EVENT_WORK, "us", 0, 1e6, "Front-end time per streamed event: serialization, framing, the"
                    + " write (one worker)."),
            ParamSpec.integer(WORKERS, "workers", 1, 4096, "Front-end workers that tokenize, detokenize and stream, shared"
                    + " by every request (FIFO)."));

    public ClientParams {
        if (networkRttPs < 0 || gatewayPerConnectionPs < 0 || gatewayPerRequestPs < 0 || tokenizePsPerToken < 0
                || detokenizePsPerToken < 0 || eventWorkPs < 0 || !(bandwidthBitsPerSecond > 0) || bytesPerTextToken < 0
                || tokensPerEvent < 1 || eventEnvelopeBytes < 0 || connectionSetupRtts < 0 || frontendWorkers < 1) {
            throw new IllegalArgumentException("client path " + name + ": a negative cost or a count below 1");
        }
    }

    /** The preset named {@code name}'s parameters. */
    public static ParamSet preset(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (!PRESETS.contains(n)) {
            throw new ConfigException("client=" + name + " is not a known client path; expected one of "
                    + String.join(", ", PRESETS));
        }
        return PresetLoader.load("presets/client/" + n + ".yaml", SCHEMA);
    }

    /** The defaults every system carries: the {@code none} preset. */
    public static ParamSet defaults() {
        return preset(DEFAULT);
    }

    /**
     * The set {@code p} (a system's parameters) with every client parameter replaced by preset {@code name}'s
     * value, recorded with {@code origin}.
     *
     * @throws ConfigException for an unknown preset, naming the known ones
     */
    public static ParamSet select(ParamSet p, String name, String origin) {
        ParamSet preset = preset(name);
        ParamSet out = p;
        for (Map.Entry<String, ParamValue> e : preset.values().entrySet()) {
            out = out.withValue(e.getKey(), e.getValue().value(), origin);
        }
        return out;
    }

    /** The record of a parameter set holding the client keys; a set without them has no client path. */
    public static ClientParams from(ParamSet p) {
        if (!p.schema().has(NAME_KEY)) {
            return from(defaults());
        }
        return new ClientParams(p.getString(NAME_KEY), ps(p.getDouble(RTT) * 1e9),
                p.getDouble(BANDWIDTH) * 1e6, p.getString(CONNECTION).equals("per-session"), p.getInt(SETUP_RTTS),
                ps(p.getDouble(GATEWAY_CONNECTION) * 1e9), ps(p.getDouble(GATEWAY_REQUEST) * 1e9),
                p.getBoolean(RESENDS_CONTEXT), p.getDouble(BYTES_PER_TOKEN), ps(p.getDouble(TOKENIZE) * 1e3),
                ps(p.getDouble(DETOKENIZE) * 1e3), p.getInt(TOKENS_PER_EVENT), p.getInt(ENVELOPE),
                ps(p.getDouble(EVENT_WORK) * 1e6), p.getInt(WORKERS));
    }

    /** No client path: the client sits at the server. */
    public static ClientParams none() {
        return from(defaults());
    }

    /** True when nothing lies between client and server (every cost zero): client times equal the server's. */
    public boolean isNone() {
        return networkRttPs == 0 && gatewayPerConnectionPs == 0 && gatewayPerRequestPs == 0 && tokenizePsPerToken == 0
                && detokenizePsPerToken == 0 && eventWorkPs == 0 && bytesPerTextToken == 0 && eventEnvelopeBytes == 0
                && (connectionSetupRtts == 0 || networkRttPs == 0);
    }

    /** Time to move {@code bytes} over the client's link, ps (rounded to the ps). */
    public long wirePs(double bytes) {
        return ps(bytes * 8 / bandwidthBitsPerSecond * 1e12);
    }

    /** One-way propagation delay, ps: half the round trip. */
    public long oneWayPs() {
        return networkRttPs / 2;
    }

    private static long ps(double v) {
        return Math.round(v);
    }
}
