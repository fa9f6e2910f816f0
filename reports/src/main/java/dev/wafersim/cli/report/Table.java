package dev.wafersim.cli.report;

import dev.wafersim.cli.io.Csv;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A table of a command's results: named columns and rows of typed cells, rendered as aligned text for the
 * terminal, as CSV (raw values, full precision) or as Markdown. One table feeds every format, so a column
 * added here shows in all of them, and a new format is one more rendering method.
 *
 * <p>A cell holds its value (a {@code Number}, {@code String}, {@code Boolean}, or null for an empty cell)
 * and the column's text format: numbers in text and Markdown use the column's {@code printf} pattern
 * ({@link Locale#ROOT}); CSV writes {@link Long#toString} / {@link Double#toString}, never a rounded value.
 */
public final class Table {
    /** How a column's text is aligned. */
    public enum Align { LEFT, RIGHT }

    /**
     * A column.
     *
     * @param name   header, in every format (the CSV header is the machine name: units in the name)
     * @param label  header in text and Markdown (may be shorter or carry spaces)
     * @param align  alignment in text
     * @param format {@code printf} pattern of numbers in text, e.g. {@code %.3f}; ignored for strings
     */
    public record Column(String name, String label, Align align, String format) {
        public Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(align, "align");
            Objects.requireNonNull(format, "format");
        }
    }

    private final List<Column> columns;
    private final List<Object[]> rows = new ArrayList<>();

    private Table(List<Column> columns) {
        this.columns = List.copyOf(columns);
    }

    /** A table builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Adds a row; one value per column. */
    public Table row(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("row of " + values.length + " cells for " + columns.size() + " columns");
        }
        rows.add(values.clone());
        return this;
    }

    /** The columns. */
    public List<Column> columns() {
        return columns;
    }

    /** Rows so far. */
    public int rowCount() {
        return rows.size();
    }

    /** Cell {@code c} of row {@code r}. */
    public Object cell(int r, int c) {
        return rows.get(r)[c];
    }

    /** The text of one cell as the terminal shows it. */
    private String text(Object v, Column c) {
        if (v == null) {
            return "-";
        }
        if (v instanceof Double || v instanceof Float) {
            return String.format(Locale.ROOT, c.format().isEmpty() ? "%.3f" : c.format(), ((Number) v).doubleValue());
        }
        if (v instanceof Number n) {
            return c.format().isEmpty() ? Long.toString(n.longValue()) : String.format(Locale.ROOT, c.format(), n.longValue());
        }
        return v.toString();
    }

    /** The raw text of one cell for CSV. */
    private static String raw(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d) {
            return Double.toString(d);
        }
        return v.toString();
    }

    /** Aligned text: a header line, then the rows; columns two spaces apart; each line ends with a newline. */
    public String text() {
        return text("");
    }

    /** Aligned text with every line indented by {@code indent}. */
    public String text(String indent) {
        int n = columns.size();
        String[][] cells = new String[rows.size() + 1][n];
        int[] width = new int[n];
        for (int c = 0; c < n; c++) {
            cells[0][c] = columns.get(c).label();
            width[c] = cells[0][c].length();
        }
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < n; c++) {
                cells[r + 1][c] = text(rows.get(r)[c], columns.get(c));
                width[c] = Math.max(width[c], cells[r + 1][c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] line : cells) {
            StringBuilder l = new StringBuilder(indent);
            for (int c = 0; c < n; c++) {
                if (c > 0) {
                    l.append("  ");
                }
                String s = line[c];
                String pad = " ".repeat(width[c] - s.length());
                l.append(columns.get(c).align() == Align.LEFT ? s + pad : pad + s);
            }
            sb.append(l.toString().stripTrailing()).append(System.lineSeparator());
        }
        return sb.toString();
    }

    /** CSV: the column names, then one record per row with raw values (RFC 4180 quoting). */
    public String csv() {
        StringBuilder sb = new StringBuilder();
        sb.append(Csv.line(columns.stream().map(Column::name).toList()));
        for (Object[] r : rows) {
            List<String> f = new ArrayList<>(r.length);
            for (Object v : r) {
                f.add(raw(v));
            }
            sb.append(Csv.line(f));
        }
        return sb.toString();
    }

    /** A Markdown (GitHub) table with the text formats. */
    public String markdown() {
        StringBuilder sb = new StringBuilder("|");
        StringBuilder rule = new StringBuilder("|");
        for (Column c : columns) {
            sb.append(' ').append(escape(c.label())).append(" |");
            rule.append(c.align() == Align.LEFT ? "---|" : "---:|");
        }
        sb.append('\n').append(rule).append('\n');
        for (Object[] r : rows) {
            sb.append('|');
            for (int c = 0; c < r.length; c++) {
                sb.append(' ').append(escape(text(r[c], columns.get(c)))).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }

    /** Declares the columns. */
    public static final class Builder {
        private final List<Column> columns = new ArrayList<>();

        private Builder() {
        }

        /** A left-aligned text column. */
        public Builder text(String name, String label) {
            columns.add(new Column(name, label, Align.LEFT, ""));
            return this;
        }

        /** A left-aligned text column whose label is its name. */
        public Builder text(String name) {
            return text(name, name);
        }

        /** A right-aligned number column with a {@code printf} pattern for text. */
        public Builder number(String name, String label, String format) {
            columns.add(new Column(name, label, Align.RIGHT, format));
            return this;
        }

        /** The table, with no rows yet. */
        public Table build() {
            if (columns.isEmpty()) {
                throw new IllegalStateException("a table needs a column");
            }
            return new Table(columns);
        }
    }
}
