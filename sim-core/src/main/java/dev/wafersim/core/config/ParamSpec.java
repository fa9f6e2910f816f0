package dev.wafersim.core.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The declaration of one parameter: its dotted key, type, unit, allowed range and meaning. Values
 * come from a preset file and overrides; the spec validates them and turns text into typed values.
 *
 * @param key         dotted name, e.g. {@code fabric.hopLatencyCycles}
 * @param type        value type
 * @param unit        unit of the value ({@code cycles}, {@code bytes}, {@code GHz}, {@code -} for none)
 * @param min         smallest allowed value (numbers only)
 * @param max         largest allowed value (numbers only)
 * @param choices     allowed words ({@link ParamType#CHOICE} only)
 * @param description what the parameter means, one sentence
 */
public record ParamSpec(String key, ParamType type, String unit, double min, double max, List<String> choices,
                        String description) {

    public ParamSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(description, "description");
        choices = List.copyOf(choices);
        if (min > max) {
            throw new IllegalArgumentException("parameter " + key + ": min > max");
        }
    }

    /** A 32-bit integer parameter in [min, max]. */
    public static ParamSpec integer(String key, String unit, long min, long max, String description) {
        if (min < Integer.MIN_VALUE || max > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("parameter " + key + ": int range exceeds 32 bits");
        }
        return new ParamSpec(key, ParamType.INT, unit, min, max, List.of(), description);
    }

    /** A 64-bit integer parameter in [min, max]. */
    public static ParamSpec longInt(String key, String unit, long min, long max, String description) {
        return new ParamSpec(key, ParamType.LONG, unit, min, max, List.of(), description);
    }

    /** A floating-point parameter in [min, max]. */
    public static ParamSpec real(String key, String unit, double min, double max, String description) {
        return new ParamSpec(key, ParamType.DOUBLE, unit, min, max, List.of(), description);
    }

    /** A boolean parameter. */
    public static ParamSpec flag(String key, String description) {
        return new ParamSpec(key, ParamType.BOOLEAN, "-", 0, 1, List.of(), description);
    }

    /** A parameter that takes one of the given words. */
    public static ParamSpec choice(String key, String description, String... choices) {
        if (choices.length == 0) {
            throw new IllegalArgumentException("parameter " + key + ": no choices");
        }
        return new ParamSpec(key, ParamType.CHOICE, "-", 0, 0, List.of(choices), description);
    }

    /** A free-text parameter. */
    public static ParamSpec text(String key, String description) {
        return new ParamSpec(key, ParamType.STRING, "-", 0, 0, List.of(), description);
    }

    /** What values are allowed, for error messages: e.g. {@code an integer in [1, 64] (cycles)}. */
    public String allowed() {
        String u = unit.equals("-") ? "" : " (" + unit + ")";
        return switch (type) {
            case INT, LONG -> "an integer in [" + fmt(min) + ", " + fmt(max) + "]" + u;
            case DOUBLE -> "a number in [" + fmt(min) + ", " + fmt(max) + "]" + u;
            case BOOLEAN -> "true or false";
            case CHOICE -> "one of " + String.join(", ", choices);
            case STRING -> "text";
        };
    }

    private static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%d", (long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }

    /**
     * Parses a value given as text (command line, CSV).
     *
     * @param origin where the text came from, for the error message (e.g. {@code --set})
     * @throws ConfigException naming the key, the value and what is allowed
     */
    public Object parse(String text, String origin) {
        String t = text.trim();
        try {
            return switch (type) {
                case INT -> check((double) Integer.parseInt(t.replace("_", "")), text, origin, Integer.parseInt(t.replace("_", "")));
                case LONG -> check((double) Long.parseLong(t.replace("_", "")), text, origin, Long.parseLong(t.replace("_", "")));
                case DOUBLE -> {
                    double d = Double.parseDouble(t);
                    yield check(d, text, origin, d);
                }
                case BOOLEAN -> {
                    if (t.equalsIgnoreCase("true")) {
                        yield Boolean.TRUE;
                    }
                    if (t.equalsIgnoreCase("false")) {
                        yield Boolean.FALSE;
                    }
                    throw bad(text, origin);
                }
                case CHOICE -> {
                    for (String c : choices) {
                        if (c.equalsIgnoreCase(t)) {
                            yield c;
                        }
                    }
                    throw bad(text, origin);
                }
                case STRING -> text;
            };
        } catch (NumberFormatException e) {
            throw bad(text, origin);
        }
    }

    /**
     * Validates a value read from YAML or JSON (Integer, Long, Double, Boolean or String).
     *
     * @throws ConfigException naming the key, the value and what is allowed
     */
    public Object coerce(Object value, String origin) {
        if (value == null) {
            throw new ConfigException(origin + ": " + key + " has no value; expected " + allowed());
        }
        if (value instanceof String s) {
            return parse(s, origin);
        }
        switch (type) {
            case INT, LONG -> {
                if (value instanceof Integer || value instanceof Long || value instanceof Short) {
                    long l = ((Number) value).longValue();
                    if (type == ParamType.INT && (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE)) {
                        throw bad(String.valueOf(value), origin);
                    }
                    check((double) l, String.valueOf(value), origin, l);
                    return type == ParamType.INT ? (Object) (int) l : (Object) l;
                }
                if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9e15) {
                    return coerce(d.longValue(), origin);
                }
                throw bad(String.valueOf(value), origin);
            }
            case DOUBLE -> {
                if (value instanceof Number n) {
                    double d = n.doubleValue();
                    return check(d, String.valueOf(value), origin, d);
                }
                throw bad(String.valueOf(value), origin);
            }
            case BOOLEAN -> {
                if (value instanceof Boolean) {
                    return value;
                }
                throw bad(String.valueOf(value), origin);
            }
            default -> {
                return parse(String.valueOf(value), origin);
            }
        }
    }

    private <T> T check(double v, String text, String origin, T typed) {
        if (!(v >= min && v <= max) || Double.isNaN(v)) {
            throw bad(text, origin);
        }
        return typed;
    }

    private ConfigException bad(String text, String origin) {
        return new ConfigException(origin + ": " + key + "=" + text + " is not allowed; expected " + allowed());
    }
}
