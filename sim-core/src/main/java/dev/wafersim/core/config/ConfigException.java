package dev.wafersim.core.config;

/**
 * Bad input from the user: a configuration key, value, model file, command-line option or trace.
 * The message names the key, the value and what is allowed; the command line turns it into one line
 * on standard error and exit code 2, without a stack trace.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
