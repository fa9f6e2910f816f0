package dev.wafersim.workloads.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wafersim.core.config.ConfigException;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Reads request traces ({@link TraceFormat}): the format is told by the content, JSON Lines when the
 * first non-blank line starts with {@code {}, otherwise CSV recognised by its header's column names.
 *
 * <p>Every problem is a {@link ConfigException} naming the file, the line (1-based, the header is line 1),
 * the column or field, the value and what is allowed: a missing column, a value that is not a number, a
 * negative or zero token count, an arrival before the previous row's. Blank lines are skipped. Rows must be
 * in arrival order, as the public traces are.
 */
public final class TraceReader {
    /** Largest token count of one request. */
    public static final long MAX_TOKENS = LengthDistribution.MAX_TOKENS;
    /** Latest arrival, seconds (about 11.6 days; {@link RequestTrace#MAX_ARRIVAL_PS}). */
    public static final long MAX_ARRIVAL_SECONDS = RequestTrace.MAX_ARRIVAL_PS / 1_000_000_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter AZURE_TIME = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter(Locale.ROOT);

    private TraceReader() {
    }

    /** Reads {@code file}. */
    public static RequestTrace read(Path file) {
        String name = file.toString();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, name);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--trace=" + name + ": no such file");
        } catch (CharacterCodingException e) {
            throw new ConfigException(name + ": not UTF-8 text; expected a CSV or JSON Lines trace");
        } catch (IOException e) {
            throw new ConfigException(name + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** Reads a trace from {@code text} ({@code name} names it in messages). */
    public static RequestTrace read(String text, String name) {
        try {
            return read(new BufferedReader(new StringReader(text)), name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RequestTrace read(BufferedReader in, String name) throws IOException {
        String first;
        int line = 0;
        do {
            first = in.readLine();
            line++;
        } while (first != null && first.isBlank());
        if (first == null) {
            throw new ConfigException(name + ": empty; expected a CSV trace with a header (" + headers()
                    + ") or JSON Lines with timestamp, input_length, output_length");
        }
        first = stripBom(first);
        Rows rows = new Rows(name);
        if (first.trim().startsWith("{")) {
            mooncakeLine(first, line, rows);
            readMooncake(in, line, rows);
            return rows.trace(TraceFormat.MOONCAKE);
        }
        List<String> header = split(first);
        if (header.containsAll(TraceFormat.WAFERSIM_SESSIONS.fields())) {
            return readSessions(in, line, header, name);
        }
        TraceFormat format = null;
        int[] cols = null;
        for (TraceFormat f : List.of(TraceFormat.WAFERSIM, TraceFormat.AZURE)) {
            int[] c = columns(header, f);
            if (c != null) {
                format = f;
                cols = c;
                break;
            }
        }
        if (format == null) {
            throw new ConfigException(name + ": line " + line + ": header '" + first.trim()
                    + "' is not a known trace format; expected CSV columns " + headers()
                    + ", or JSON Lines with timestamp, input_length, output_length");
        }
        readCsv(in, line, header, cols, format, rows);
        return rows.trace(format);
    }

    private static String headers() {
        return String.join(",", TraceFormat.WAFERSIM.fields()) + " (wafersim), "
                + String.join(",", TraceFormat.WAFERSIM_SESSIONS.fields()) + " (wafersim-sessions) or "
                + String.join(",", TraceFormat.AZURE.fields()) + " (Azure LLM inference trace)";
    }

    /**
     * A trace of sessions ({@link TraceFormat#WAFERSIM_SESSIONS}): a session's first row has an arrival and no
     * think time, each later row a think time and no arrival; first rows in arrival order.
     */
    private static RequestTrace readSessions(BufferedReader in, int headerLine, List<String> header, String name)
            throws IOException {
        int cSession = header.indexOf("session");
        int cArrival = header.indexOf("arrival_s");
        int cThink = header.indexOf("think_s");
        int cPrompt = header.indexOf("prompt_tokens");
        int cOutput = header.indexOf("output_tokens");
        java.util.Map<String, Integer> last = new java.util.HashMap<>();
        LongArrayList arrival = new LongArrayList();
        LongArrayList think = new LongArrayList();
        IntArrayList prompt = new IntArrayList();
        IntArrayList output = new IntArrayList();
        IntArrayList previous = new IntArrayList();
        long lastArrival = -1;
        String text;
        int line = headerLine;
        while ((text = in.readLine()) != null) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            List<String> f = split(text);
            if (f.size() != header.size()) {
                throw new ConfigException(name + ": line " + line + " has " + f.size() + " fields; the header has "
                        + header.size());
            }
            String session = f.get(cSession).trim();
            if (session.isEmpty()) {
                throw badValue(name, line, "column session", session, "a session id (any text)");
            }
            String a = f.get(cArrival).trim();
            String th = f.get(cThink).trim();
            int p = tokens(f.get(cPrompt).trim(), name, line, "prompt_tokens");
            int o = tokens(f.get(cOutput).trim(), name, line, "output_tokens");
            Integer prev = last.get(session);
            int index = prompt.size();
            if (prev == null) {
                if (a.isEmpty()) {
                    throw badValue(name, line, "column arrival_s", a, "the arrival (s) of session " + session
                            + "'s first turn");
                }
                if (!th.isEmpty()) {
                    throw badValue(name, line, "column think_s", th, "no think time on a session's first turn (it is"
                            + " sent at arrival_s)");
                }
                long at = seconds(a, name, line, "column arrival_s", 1);
                if (at < lastArrival) {
                    throw new ConfigException(name + ": line " + line + ", column arrival_s: value '" + a + "' is before"
                            + " the previous session's arrival; expected sessions in arrival order");
                }
                lastArrival = at;
                arrival.add(at);
                think.add(0);
                previous.add(-1);
            } else {
                if (!a.isEmpty()) {
                    throw badValue(name, line, "column arrival_s", a, "no arrival on a later turn of session " + session
                            + " (it is sent think_s after the previous answer)");
                }
                if (th.isEmpty()) {
                    throw badValue(name, line, "column think_s", th, "the think time (s) before this turn of session "
                            + session);
                }
                long context = (long) prompt.getInt(prev) + output.getInt(prev);
                if (p <= context) {
                    throw badValue(name, line, "column prompt_tokens", Integer.toString(p), "more than " + context
                            + " tokens: session " + session + "'s previous prompt and answer plus at least one new token");
                }
                arrival.add(0);
                think.add(seconds(th, name, line, "column think_s", 1));
                previous.add(prev);
            }
            last.put(session, index);
            prompt.add(p);
            output.add(o);
        }
        if (prompt.isEmpty()) {
            throw new ConfigException(name + ": no requests after the header; expected at least one row");
        }
        return RequestTrace.sessions(arrival.toLongArray(), prompt.toIntArray(), output.toIntArray(),
                previous.toIntArray(), think.toLongArray(), "trace " + name + " (" + TraceFormat.WAFERSIM_SESSIONS.word()
                        + ", " + last.size() + " sessions, " + prompt.size() + " requests)");
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    /** Column index of each of the format's fields, or null when one is missing. */
    private static int[] columns(List<String> header, TraceFormat f) {
        int[] c = new int[3];
        for (int i = 0; i < 3; i++) {
            c[i] = header.indexOf(f.fields().get(i));
            if (c[i] < 0) {
                return null;
            }
        }
        return c;
    }

    private static void readCsv(BufferedReader in, int headerLine, List<String> header, int[] cols, TraceFormat format,
                                Rows rows) throws IOException {
        String text;
        int line = headerLine;
        Long firstNs = null;
        while ((text = in.readLine()) != null) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            List<String> f = split(text);
            if (f.size() != header.size()) {
                throw new ConfigException(rows.name + ": line " + line + " has " + f.size() + " fields; the header has "
                        + header.size());
            }
            String arrival = f.get(cols[0]).trim();
            long arrivalPs;
            if (format == TraceFormat.AZURE) {
                long ns = epochNanos(arrival, rows.name, line, header.get(cols[0]));
                if (firstNs == null) {
                    firstNs = ns;
                }
                long delta = ns - firstNs;
                if (delta < 0) {
                    throw outOfOrder(rows.name, line, header.get(cols[0]), arrival);
                }
                if (delta > MAX_ARRIVAL_SECONDS * 1_000_000_000L) {
                    throw new ConfigException(rows.name + ": line " + line + ", column " + header.get(cols[0]) + ": value '"
                            + arrival + "' is more than " + MAX_ARRIVAL_SECONDS + " s after the first row");
                }
                arrivalPs = delta * 1000;
            } else {
                arrivalPs = seconds(arrival, rows.name, line, "column " + header.get(cols[0]), 1);
            }
            int prompt = tokens(f.get(cols[1]).trim(), rows.name, line, header.get(cols[1]));
            int output = tokens(f.get(cols[2]).trim(), rows.name, line, header.get(cols[2]));
            rows.add(arrivalPs, prompt, output, line, header.get(cols[0]), arrival);
        }
    }

    private static void readMooncake(BufferedReader in, int firstLine, Rows rows) throws IOException {
        String text;
        int line = firstLine;
        while ((text = in.readLine()) != null) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            mooncakeLine(text, line, rows);
        }
    }

    private static void mooncakeLine(String text, int line, Rows rows) {
        JsonNode o;
        try {
            o = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(rows.name + ": line " + line + " is not a JSON object: "
                    + e.getOriginalMessage());
        }
        if (o == null || !o.isObject()) {
            throw new ConfigException(rows.name + ": line " + line + " is not a JSON object; expected {\"timestamp\": ms,"
                    + " \"input_length\": N, \"output_length\": N}");
        }
        JsonNode ts = field(o, "timestamp", rows.name, line);
        if (!ts.isNumber()) {
            throw badValue(rows.name, line, "field timestamp", ts.toString(), "a number of milliseconds >= 0");
        }
        long arrivalPs = seconds(ts.decimalValue().toPlainString(), rows.name, line, "field timestamp", 1000);
        int prompt = jsonTokens(field(o, "input_length", rows.name, line), rows.name, line, "input_length");
        int output = jsonTokens(field(o, "output_length", rows.name, line), rows.name, line, "output_length");
        JsonNode hashes = o.get("hash_ids");
        if (hashes != null && !hashes.isNull()) {
            if (!hashes.isArray()) {
                throw badValue(rows.name, line, "field hash_ids", hashes.toString(), "an array of integers");
            }
            for (Iterator<JsonNode> it = hashes.elements(); it.hasNext(); ) {
                JsonNode h = it.next();
                if (!h.isIntegralNumber()) {
                    throw badValue(rows.name, line, "field hash_ids", h.toString(), "an array of integers");
                }
            }
        }
        rows.add(arrivalPs, prompt, output, line, "timestamp", ts.toString());
    }

    private static JsonNode field(JsonNode o, String key, String name, int line) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            throw new ConfigException(name + ": line " + line + ": field " + key + " is missing; expected timestamp,"
                    + " input_length and output_length");
        }
        return v;
    }

    private static int jsonTokens(JsonNode v, String name, int line, String key) {
        if (!v.isIntegralNumber() || v.bigIntegerValue().compareTo(java.math.BigInteger.valueOf(MAX_TOKENS)) > 0
                || v.bigIntegerValue().signum() <= 0) {
            throw badValue(name, line, "field " + key, v.toString(), "an integer token count in [1, " + MAX_TOKENS + "]");
        }
        return v.intValue();
    }

    /** A time in {@code unit}s per second (1: seconds, 1000: milliseconds) as ps, exact to the ps. */
    private static long seconds(String text, String name, int line, String where, int perSecond) {
        BigDecimal v;
        try {
            v = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw badValue(name, line, where, text, "a time >= 0 (" + (perSecond == 1 ? "s" : "ms") + ")");
        }
        BigDecimal s = v.divide(BigDecimal.valueOf(perSecond));
        if (s.signum() < 0 || s.compareTo(BigDecimal.valueOf(MAX_ARRIVAL_SECONDS)) > 0) {
            throw badValue(name, line, where, text, "a time in [0, " + MAX_ARRIVAL_SECONDS + "] s");
        }
        return s.movePointRight(12).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }

    private static long epochNanos(String text, String name, int line, String column) {
        String t = text.length() > 10 && text.charAt(10) == 'T' ? text.substring(0, 10) + ' ' + text.substring(11) : text;
        try {
            TemporalAccessor a = AZURE_TIME.parse(t);
            LocalDateTime local = LocalDateTime.from(a);
            int offset = a.isSupported(ChronoField.OFFSET_SECONDS) ? a.get(ChronoField.OFFSET_SECONDS) : 0;
            long seconds = local.toEpochSecond(ZoneOffset.ofTotalSeconds(offset));
            return Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), local.getNano());
        } catch (ArithmeticException | java.time.DateTimeException e) {
            throw badValue(name, line, "column " + column, text, "a date-time such as 2023-11-16 18:15:46.6805900");
        }
    }

    private static int tokens(String text, String name, int line, String column) {
        long n;
        try {
            n = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw badValue(name, line, "column " + column, text, "an integer token count in [1, " + MAX_TOKENS + "]");
        }
        if (n < 1 || n > MAX_TOKENS) {
            throw badValue(name, line, "column " + column, text, "an integer token count in [1, " + MAX_TOKENS + "]");
        }
        return (int) n;
    }

    private static ConfigException badValue(String name, int line, String where, String value, String allowed) {
        return new ConfigException(name + ": line " + line + ", " + where + ": value '" + value
                + "' is not allowed; expected " + allowed);
    }

    private static ConfigException outOfOrder(String name, int line, String column, String value) {
        return new ConfigException(name + ": line " + line + ", column " + column + ": value '" + value
                + "' is before the previous row's arrival; expected rows in arrival order");
    }

    /** The fields of a CSV line: comma separated, a field in double quotes may hold commas and doubled quotes. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        f.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(f.toString().trim());
                f.setLength(0);
            } else if (c != '\r') {
                f.append(c);
            }
        }
        out.add(f.toString().trim());
        return out;
    }

    /** The rows read so far, checked for order as they come. */
    private static final class Rows {
        final String name;
        final LongArrayList arrival = new LongArrayList();
        final IntArrayList prompt = new IntArrayList();
        final IntArrayList output = new IntArrayList();

        Rows(String name) {
            this.name = name;
        }

        void add(long arrivalPs, int p, int o, int line, String column, String value) {
            if (!arrival.isEmpty() && arrivalPs < arrival.getLong(arrival.size() - 1)) {
                throw outOfOrder(name, line, column, value);
            }
            arrival.add(arrivalPs);
            prompt.add(p);
            output.add(o);
        }

        RequestTrace trace(TraceFormat format) {
            if (arrival.isEmpty()) {
                throw new ConfigException(name + ": no requests after the header; expected at least one row");
            }
            return RequestTrace.of(arrival.toLongArray(), prompt.toIntArray(), output.toIntArray(),
                    "trace " + name + " (" + format.word() + ", " + arrival.size() + " requests)");
        }
    }
}
