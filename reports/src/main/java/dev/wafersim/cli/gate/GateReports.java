package dev.wafersim.cli.gate;

import java.util.Locale;

/** The gate's findings as a terminal table, JUnit XML (one test case per system and metric) and Markdown. */
public final class GateReports {
    private GateReports() {
    }

    /** The verdict in one word. */
    static String verdict(Gate.Outcome o) {
        return o.passed() ? "PASS" : "FAIL";
    }

    private static String summary(Gate.Outcome o) {
        return String.format(Locale.ROOT, "%d regression%s, %d improvement%s, %d within tolerance",
                o.count(Gate.Status.REGRESSION), o.count(Gate.Status.REGRESSION) == 1 ? "" : "s",
                o.count(Gate.Status.IMPROVED), o.count(Gate.Status.IMPROVED) == 1 ? "" : "s", o.count(Gate.Status.OK));
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String word(Gate.Status s) {
        return switch (s) {
            case OK -> "ok";
            case IMPROVED -> "improved";
            case REGRESSION -> "REGRESSION";
        };
    }

    /** The table printed on standard output. */
    public static String text(Gate.Outcome o) {
        StringBuilder sb = new StringBuilder();
        String nl = System.lineSeparator();
        sb.append("gate: ").append(o.current()).append(" against baseline ").append(o.baseline()).append(nl).append(nl);
        int sw = "system".length();
        int mw = "metric".length();
        for (Gate.Row r : o.rows()) {
            sw = Math.max(sw, r.system().length());
            mw = Math.max(mw, r.metric().name().length());
        }
        String f = "%-" + sw + "s  %-" + mw + "s %14s %14s %10s %10s  %s%n";
        sb.append(String.format(Locale.ROOT, f, "system", "metric", "baseline", "current", "change", "tolerance", "status"));
        for (Gate.Row r : o.rows()) {
            sb.append(String.format(Locale.ROOT, f, r.system(), r.metric().name(), num(r.baseline()), num(r.current()),
                    Gate.pct(r.changePct()), String.format(Locale.ROOT, "±%.2f%%", r.tolerancePct()), word(r.status())));
        }
        notes(sb, o, "", nl);
        sb.append(nl).append("gate ").append(verdict(o)).append(": ").append(summary(o)).append(nl);
        return sb.toString();
    }

    private static void notes(StringBuilder sb, Gate.Outcome o, String bullet, String nl) {
        if (o.versions() != null) {
            sb.append(nl).append(bullet).append("wafersim version: ").append(o.versions()).append(nl);
        }
        if (!o.differences().isEmpty()) {
            sb.append(nl).append(bullet).append("experiments differ (allowed by --allow-different-config):").append(nl);
            for (String d : o.differences()) {
                sb.append(bullet.isEmpty() ? "  " : "  - ").append(d).append(nl);
            }
        }
        if (!o.configChanges().isEmpty()) {
            sb.append(nl).append(bullet).append("parameters that changed:").append(nl);
            for (String d : o.configChanges()) {
                sb.append(bullet.isEmpty() ? "  " : "  - ").append(d).append(nl);
            }
        }
    }

    /** JUnit XML: one {@code testcase} per system and metric; a regression is a {@code failure}. */
    public static String junit(Gate.Outcome o) {
        StringBuilder sb = new StringBuilder();
        long n = o.rows().size();
        long failures = o.count(Gate.Status.REGRESSION);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT, "<testsuites name=\"wafersim gate\" tests=\"%d\" failures=\"%d\" errors=\"0\""
                + " time=\"0\">%n", n, failures));
        sb.append(String.format(Locale.ROOT, "  <testsuite name=\"wafersim.gate\" tests=\"%d\" failures=\"%d\" errors=\"0\""
                + " skipped=\"0\" time=\"0\">%n", n, failures));
        sb.append("    <properties>\n");
        sb.append("      <property name=\"baseline\" value=\"").append(xml(o.baseline().toString())).append("\"/>\n");
        sb.append("      <property name=\"current\" value=\"").append(xml(o.current().toString())).append("\"/>\n");
        sb.append("    </properties>\n");
        for (Gate.Row r : o.rows()) {
            String detail = String.format(Locale.ROOT, "%s %s: baseline %s %s, current %s %s, change %s, tolerance %.2f%%"
                            + " (%s is better)", r.system(), r.metric().name(), num(r.baseline()), r.metric().unit(),
                    num(r.current()), r.metric().unit(), Gate.pct(r.changePct()), r.tolerancePct(),
                    r.metric().lowerIsBetter() ? "lower" : "higher");
            sb.append("    <testcase classname=\"wafersim.gate.").append(xml(r.system())).append("\" name=\"")
                    .append(xml(r.metric().name())).append("\" time=\"0\"");
            switch (r.status()) {
                case OK -> sb.append("/>\n");
                case IMPROVED -> sb.append(">\n      <system-out>improved: ").append(xml(detail))
                        .append("</system-out>\n    </testcase>\n");
                case REGRESSION -> sb.append(">\n      <failure type=\"regression\" message=\"")
                        .append(xml(r.metric().name() + " regressed by " + Gate.pct(r.changePct()).substring(1)
                                + " (tolerance " + String.format(Locale.ROOT, "%.2f%%", r.tolerancePct()) + ")"))
                        .append("\">").append(xml(detail)).append("</failure>\n    </testcase>\n");
                default -> throw new IllegalStateException();
            }
        }
        sb.append("  </testsuite>\n</testsuites>\n");
        return sb.toString();
    }

    /** A Markdown report: a heading with the verdict, the table and the notes. */
    public static String markdown(Gate.Outcome o) {
        StringBuilder sb = new StringBuilder();
        sb.append("### wafersim gate: ").append(verdict(o)).append(" (").append(summary(o)).append(")\n\n");
        sb.append("Current `").append(md(o.current().toString())).append("` against baseline `")
                .append(md(o.baseline().toString())).append("`.\n\n");
        sb.append("| System | Metric | Baseline | Current | Change | Tolerance | Status |\n");
        sb.append("|---|---|---:|---:|---:|---:|---|\n");
        for (Gate.Row r : o.rows()) {
            String status = switch (r.status()) {
                case OK -> "ok";
                case IMPROVED -> "improved";
                case REGRESSION -> "**REGRESSION**";
            };
            sb.append("| ").append(md(r.system())).append(" | ").append(r.metric().name()).append(" (")
                    .append(r.metric().unit()).append(") | ").append(num(r.baseline())).append(" | ")
                    .append(num(r.current())).append(" | ").append(Gate.pct(r.changePct())).append(" | ")
                    .append(String.format(Locale.ROOT, "±%.2f%%", r.tolerancePct())).append(" | ").append(status)
                    .append(" |\n");
        }
        StringBuilder notes = new StringBuilder();
        notes(notes, o, "- ", "\n");
        sb.append(notes);
        return sb.toString();
    }

    private static String xml(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                        sb.append(' ');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    private static String md(String s) {
        return s.replace("|", "\\|");
    }
}
