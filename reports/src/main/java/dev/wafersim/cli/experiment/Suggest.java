package dev.wafersim.cli.experiment;

import dev.wafersim.core.config.EditDistance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** "Did you mean" suggestions by edit distance, for unknown keys and names. */
public final class Suggest {
    private Suggest() {
    }

    /**
     * {@code " (did you mean a or b?)"} for the closest of {@code known} to {@code name} when it is close
     * (at most a third of the name's length, at least 2 edits allowed), else the empty string.
     */
    public static String didYouMean(String name, Collection<String> known) {
        List<String> best = closest(name, known);
        return best.isEmpty() ? "" : " (did you mean " + String.join(" or ", best) + "?)";
    }

    /** The known names closest to {@code name}, when close enough; else empty. */
    public static List<String> closest(String name, Collection<String> known) {
        String lower = name.toLowerCase(Locale.ROOT);
        List<String> best = new ArrayList<>();
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = EditDistance.between(lower, k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best.clear();
            }
            if (d == bestDistance) {
                best.add(k);
            }
        }
        if (bestDistance > Math.max(2, name.length() / 3)) {
            return List.of();
        }
        return best.subList(0, Math.min(3, best.size()));
    }
}
