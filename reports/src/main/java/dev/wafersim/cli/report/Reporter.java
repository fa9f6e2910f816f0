package dev.wafersim.cli.report;

import dev.wafersim.cli.io.AtomicFiles;
import dev.wafersim.cli.io.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The one place that turns a {@link Report} into output: text on the terminal and, when asked, the
 * JSON, CSV and Markdown files. Every command that reports results goes through it, so an output format
 * is added here once (a file option in {@link Outputs}, one line in {@link #write}).
 *
 * <p>Files are written after the text is printed, each atomically (whole or not at all,
 * {@link AtomicFiles}); a command calls {@link #emit} only once its simulation succeeded, so a failed
 * run writes no file.
 */
public final class Reporter {
    private Reporter() {
    }

    /**
     * The files a command was asked to write; any may be null.
     *
     * @param json     the {@code --json} file
     * @param csv      the {@code --csv} file
     * @param markdown the {@code --markdown} file
     */
    public record Outputs(Path json, Path csv, Path markdown) {
        /** No files. */
        public static final Outputs NONE = new Outputs(null, null, null);

        /** Only a JSON file (or none). */
        public static Outputs json(Path json) {
            return new Outputs(json, null, null);
        }
    }

    /** Prints the report's text to {@code out} and writes the files of {@code outputs}. */
    public static void emit(PrintWriter out, Report report, Outputs outputs) {
        out.print(report.text());
        out.flush();
        write(report, outputs);
    }

    /** Writes the files of {@code outputs} (no text). */
    public static void write(Report report, Outputs outputs) {
        if (outputs.json() != null) {
            Json.write(outputs.json(), report.json());
        }
        if (outputs.csv() != null) {
            AtomicFiles.writeString(outputs.csv(), report.table().csv());
        }
        if (outputs.markdown() != null) {
            AtomicFiles.writeString(outputs.markdown(), report.table().markdown());
        }
    }

    /** A count with thousands separators, as tables print them. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
