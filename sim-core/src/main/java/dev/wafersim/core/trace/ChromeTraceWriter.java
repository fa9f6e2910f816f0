package dev.wafersim.core.trace;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.wafersim.core.config.ConfigException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link TraceSink} that streams the Chrome trace-event JSON format, which the Perfetto UI
 * (ui.perfetto.dev) and chrome://tracing open: {@code {"traceEvents": [...], "displayTimeUnit": "ns"}}.
 *
 * <p>Events: {@code M} metadata ({@code process_name}, {@code thread_name}, {@code process_sort_index},
 * {@code thread_sort_index}), {@code X} complete spans with {@code dur}, {@code b}/{@code e} async spans
 * paired by {@code id} (Perfetto's JSON importer does not allow {@code X} spans to cross on one thread), and
 * {@code C} counters. Timestamps and durations are microseconds with six decimals, so a picosecond is kept
 * exactly.
 *
 * <p>Written as a stream through Jackson's generator into a temporary file beside the target, so the
 * trace is never whole in memory; {@link #commit()} moves it over the target atomically and {@link #close()}
 * without a commit deletes it: a failed run leaves no half-written trace. The writer checks the sink's
 * contract (spans nest or follow one another on a track; counters in time order) and throws
 * {@link IllegalStateException} on a violation: a producer bug, not a user error.
 */
public final class ChromeTraceWriter implements TraceSink, AutoCloseable {
    private final Path target;
    private final Path tmp;
    private final OutputStream stream;
    private final JsonGenerator json;
    /** Per track (pid << 32 | tid): the start and end of the outermost open span. */
    private final Map<Long, long[]> tracks = new HashMap<>();
    private final Map<String, Long> counters = new HashMap<>();
    private final StringBuilder timeText = new StringBuilder(24);
    private long events;
    private boolean committed;

    /**
     * A writer to {@code target}.
     *
     * @throws ConfigException when the target's directory cannot be written
     */
    public ChromeTraceWriter(Path target) {
        this.target = target.toAbsolutePath();
        try {
            Path dir = this.target.getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            this.tmp = Files.createTempFile(dir, "." + this.target.getFileName() + ".", ".tmp");
            this.stream = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
            this.json = new JsonFactory().createGenerator(stream, JsonEncoding.UTF8);
            json.writeStartObject();
            json.writeStringField("displayTimeUnit", "ns");
            json.writeFieldName("traceEvents");
            json.writeStartArray();
        } catch (IOException e) {
            throw new ConfigException("cannot write timeline " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean enabled() {
        return true;
    }

    /** Events written so far. */
    public long events() {
        return events;
    }

    @Override
    public void process(int pid, String name, int sortIndex) {
        try {
            metadata(pid, 0, "process_name", "name", name);
            metadataInt(pid, 0, "process_sort_index", sortIndex);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void track(int pid, int tid, String name, int sortIndex) {
        try {
            metadata(pid, tid, "thread_name", "name", name);
            metadataInt(pid, tid, "thread_sort_index", sortIndex);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void span(int pid, int tid, String name, String category, long startPs, long durationPs, String argKey,
                     double argValue) {
        if (durationPs < 0 || startPs < 0) {
            throw new IllegalStateException("span " + name + " at " + startPs + " ps lasts " + durationPs + " ps");
        }
        long key = ((long) pid << 32) | (tid & 0xffffffffL);
        long[] open = tracks.computeIfAbsent(key, k -> new long[] {-1, -1});
        long end = startPs + durationPs;
        if (startPs < open[0]) {
            throw new IllegalStateException("span " + name + " on track " + pid + "/" + tid + " starts at " + startPs
                    + " ps, before the previous span (" + open[0] + " ps)");
        }
        if (startPs < open[1]) {
            if (end > open[1]) {
                throw new IllegalStateException("span " + name + " on track " + pid + "/" + tid + " crosses the end of"
                        + " the span it starts in (" + open[1] + " ps): use an async span");
            }
        } else {
            open[0] = startPs;
            open[1] = end;
        }
        try {
            json.writeStartObject();
            json.writeStringField("name", name);
            json.writeStringField("cat", category);
            json.writeStringField("ph", "X");
            time("ts", startPs);
            time("dur", durationPs);
            json.writeNumberField("pid", pid);
            json.writeNumberField("tid", tid);
            if (argKey != null) {
                arg(argKey, argValue);
            }
            json.writeEndObject();
            events++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void asyncSpan(int pid, String trackName, long id, String name, String category, long startPs,
                          long durationPs) {
        asyncSpan(pid, trackName, id, name, category, startPs, durationPs, null, 0);
    }

    @Override
    public void asyncSpan(int pid, String trackName, long id, String name, String category, long startPs,
                          long durationPs, String argKey, double argValue) {
        if (durationPs < 0 || startPs < 0) {
            throw new IllegalStateException("span " + name + " at " + startPs + " ps lasts " + durationPs + " ps");
        }
        try {
            for (int half = 0; half < 2; half++) {
                json.writeStartObject();
                json.writeStringField("name", name);
                json.writeStringField("cat", category + "," + trackName);
                json.writeStringField("ph", half == 0 ? "b" : "e");
                json.writeNumberField("id", id);
                time("ts", half == 0 ? startPs : startPs + durationPs);
                json.writeNumberField("pid", pid);
                json.writeNumberField("tid", 0);
                if (half == 0 && argKey != null) {
                    arg(argKey, argValue);
                }
                json.writeEndObject();
                events++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void counter(int pid, String name, long timePs, String[] series, double[] values) {
        if (series.length != values.length || series.length == 0) {
            throw new IllegalArgumentException("counter " + name + ": " + series.length + " series, " + values.length
                    + " values");
        }
        Long last = counters.put(pid + "/" + name, timePs);
        if (last != null && timePs < last) {
            throw new IllegalStateException("counter " + name + " at " + timePs + " ps, before its previous sample ("
                    + last + " ps)");
        }
        try {
            json.writeStartObject();
            json.writeStringField("name", name);
            json.writeStringField("ph", "C");
            time("ts", timePs);
            json.writeNumberField("pid", pid);
            json.writeObjectFieldStart("args");
            for (int i = 0; i < series.length; i++) {
                json.writeNumberField(series[i], values[i]);
            }
            json.writeEndObject();
            json.writeEndObject();
            events++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Finishes the JSON and moves the file over the target. */
    public void commit() {
        try {
            json.writeEndArray();
            json.writeEndObject();
            json.close();
            stream.close();
            readable(tmp, target);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            committed = true;
        } catch (IOException e) {
            throw new ConfigException("cannot write timeline " + target + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the temporary file unless the trace was committed. */
    @Override
    public void close() {
        if (committed) {
            return;
        }
        try {
            json.close();
        } catch (IOException ignored) {
            // Closing a half-written trace only to delete it: its error does not matter.
        }
        try {
            stream.close();
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // A stray temporary file is harmless; the run's own error is the one to report.
        }
    }

    /** {@code "args": {key: value}}, a whole value written as an integer. */
    private void arg(String key, double value) throws IOException {
        json.writeObjectFieldStart("args");
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            json.writeNumberField(key, (long) value);
        } else {
            json.writeNumberField(key, value);
        }
        json.writeEndObject();
    }

    private void metadata(int pid, int tid, String what, String key, String value) throws IOException {
        json.writeStartObject();
        json.writeStringField("name", what);
        json.writeStringField("ph", "M");
        json.writeNumberField("pid", pid);
        json.writeNumberField("tid", tid);
        json.writeObjectFieldStart("args");
        json.writeStringField(key, value);
        json.writeEndObject();
        json.writeEndObject();
        events++;
    }

    private void metadataInt(int pid, int tid, String what, int value) throws IOException {
        json.writeStartObject();
        json.writeStringField("name", what);
        json.writeStringField("ph", "M");
        json.writeNumberField("pid", pid);
        json.writeNumberField("tid", tid);
        json.writeObjectFieldStart("args");
        json.writeNumberField("sort_index", value);
        json.writeEndObject();
        json.writeEndObject();
        events++;
    }

    /** Gives the trace rw-r--r-- (or the permissions of the file it replaces): a temporary file is rw-------. */
    private static void readable(Path tmp, Path target) throws IOException {
        if (!Files.getFileStore(tmp).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            return;
        }
        Files.setPosixFilePermissions(tmp, Files.exists(target) ? Files.getPosixFilePermissions(target)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Writes {@code ps} as microseconds with six decimals, exactly (no floating point). */
    private void time(String field, long ps) throws IOException {
        long us = ps / 1_000_000L;
        long frac = ps % 1_000_000L;
        json.writeFieldName(field);
        if (frac == 0) {
            json.writeNumber(us);
            return;
        }
        timeText.setLength(0);
        timeText.append(us).append('.');
        String f = Long.toString(frac);
        for (int i = f.length(); i < 6; i++) {
            timeText.append('0');
        }
        json.writeNumber(timeText.append(f).toString());
    }
}
