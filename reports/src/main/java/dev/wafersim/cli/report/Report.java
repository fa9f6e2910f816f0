package dev.wafersim.cli.report;

/**
 * What a command reports, in every form it can take: the text the terminal shows, the value the
 * {@code --json} file holds (a record or a tree that Jackson serializes) and the table the {@code --csv}
 * file holds. {@link Reporter} writes them; a command only builds its report.
 */
public interface Report {
    /** The text for the terminal, every line ending with a line separator. */
    String text();

    /** The value of the JSON file: a record (or a tree) Jackson serializes. */
    Object json();

    /** The table of the CSV file: one row per result (system, point, request, ...). */
    Table table();
}
