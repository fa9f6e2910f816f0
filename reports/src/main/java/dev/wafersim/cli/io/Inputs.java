package dev.wafersim.cli.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Messages for input files that Jackson could not parse: the position and the parser's own words, never
 * Jackson's {@code [Source: ...]} trailer or a reference chain (which name Java types, not the user's file).
 */
public final class Inputs {
    private Inputs() {
    }

    /** {@code " at line L, column C"}, or empty when Jackson does not know. */
    public static String at(JsonProcessingException e) {
        JsonLocation l = e.getLocation();
        if (l == null || l.getLineNr() < 1) {
            return "";
        }
        return " at line " + l.getLineNr() + (l.getColumnNr() > 0 ? ", column " + l.getColumnNr() : "");
    }

    /** The parser's reason, first line only, without Jackson's location trailer. */
    public static String reason(Throwable e) {
        Throwable t = e;
        while (!(t instanceof JsonProcessingException) && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t instanceof JsonProcessingException j ? j.getOriginalMessage() : t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        String first = m.lines().findFirst().orElse(m).strip();
        int src = first.indexOf("[Source:");
        return (src >= 0 ? first.substring(0, src) : first).strip();
    }
}
