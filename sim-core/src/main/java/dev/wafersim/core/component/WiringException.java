package dev.wafersim.core.component;

/** A system was wired wrongly: a port left unconnected, bound twice, or a duplicate component name. */
public final class WiringException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WiringException(String message) {
        super(message);
    }
}
