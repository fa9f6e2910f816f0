package dev.wafersim.cli.io;

import dev.wafersim.core.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV as RFC 4180 writes it (comma separated, fields with a comma or a quote quoted, quotes doubled),
 * with one record per line: line breaks inside fields are replaced by spaces when writing, so a reader
 * can tell a complete record by its final newline.
 */
public final class Csv {
    private Csv() {
    }

    /** One record as a line, with the final newline. */
    public static String line(List<String> fields) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String f = fields.get(i) == null ? "" : fields.get(i).replace('\r', ' ').replace('\n', ' ');
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || (!f.isEmpty()
                    && (Character.isWhitespace(f.charAt(0)) || Character.isWhitespace(f.charAt(f.length() - 1))))) {
                sb.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(f);
            }
        }
        return sb.append('\n').toString();
    }

    /** The fields of one line (without its newline). */
    public static List<String> split(String line) {
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
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString());
        return out;
    }

    /**
     * A CSV file: its header and complete records. A last line without its final newline (a write cut
     * short) is not a record and is reported in {@code partialTail}.
     *
     * @param header      the column names
     * @param rows        the records, each as long as the header
     * @param partialTail the bytes after the last newline (0 when the file ends with one)
     */
    public record Table(List<String> header, List<List<String>> rows, int partialTail) {
        /** Index of {@code column}, or -1. */
        public int column(String column) {
            return header.indexOf(column);
        }
    }

    /**
     * Reads {@code file}.
     *
     * @throws ConfigException when the file is missing, empty or has a record whose length is not the header's
     */
    public static Table read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
        }
        int end = text.lastIndexOf('\n') + 1;
        int tail = text.getBytes(StandardCharsets.UTF_8).length - text.substring(0, end).getBytes(StandardCharsets.UTF_8).length;
        String[] lines = text.substring(0, end).split("\n", -1);
        if (end == 0 || lines[0].isBlank()) {
            throw new ConfigException(file + ": no header line; expected a CSV file with column names first");
        }
        List<String> header = split(stripCr(lines[0]));
        List<List<String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String l = stripCr(lines[i]);
            if (l.isEmpty()) {
                continue;
            }
            List<String> r = split(l);
            if (r.size() != header.size()) {
                throw new ConfigException(file + ": line " + (i + 1) + " has " + r.size() + " fields; the header has "
                        + header.size());
            }
            rows.add(r);
        }
        return new Table(header, rows, tail);
    }

    private static String stripCr(String s) {
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
}
