package dev.wafersim.core.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Levenshtein edit distance and the project's one "did you mean" suggester: for unknown keys, parameter
 * names, model and system names, options and commands alike, with one threshold ({@link #isClose}).
 */
public final class EditDistance {
    /** Most suggestions offered at once. */
    public static final int MAX_SUGGESTIONS = 3;

    private EditDistance() {
    }

    /** True when {@code distance} edits make a name of {@code length} characters a likely typo: at most max(3, length / 3). */
    public static boolean isClose(int distance, int length) {
        return distance <= Math.max(3, length / 3);
    }

    /**
     * The names of {@code known} nearest to {@code name} (case-insensitive), when close ({@link #isClose});
     * at most {@link #MAX_SUGGESTIONS}, in the order of {@code known}; else empty.
     */
    public static List<String> closest(String name, Collection<String> known) {
        String lower = name.trim().toLowerCase(Locale.ROOT);
        List<String> best = new ArrayList<>();
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = between(lower, k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best.clear();
            }
            if (d == bestDistance) {
                best.add(k);
            }
        }
        if (best.isEmpty() || !isClose(bestDistance, lower.length())) {
            return List.of();
        }
        return List.copyOf(best.subList(0, Math.min(MAX_SUGGESTIONS, best.size())));
    }

    /** {@code " (did you mean a or b?)"} for {@link #closest}, or the empty string. */
    public static String didYouMean(String name, Collection<String> known) {
        List<String> c = closest(name, known);
        return c.isEmpty() ? "" : " (did you mean " + String.join(" or ", c) + "?)";
    }

    /** The fewest single-character insertions, deletions and substitutions that turn a into b. */
    public static int between(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
