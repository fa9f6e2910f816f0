package dev.wafersim.core.time;

/**
 * Thrown when a simulated-time computation would overflow a {@code long} count of picoseconds or
 * when a negative delay is requested. Both are programming or configuration errors: a run that hits
 * one must stop rather than silently wrap around.
 */
public final class SimTimeException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    public SimTimeException(String message) {
        super(message);
    }
}
