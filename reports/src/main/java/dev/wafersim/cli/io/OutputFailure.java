package dev.wafersim.cli.io;

import dev.wafersim.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Turns an {@link IOException} on an output path into one line for the user: the option, the path and
 * the reason ({@code --out results/x.csv cannot be written: results is a regular file, not a directory}),
 * as a {@link ConfigException} (exit code 2) — never a stack trace.
 */
public final class OutputFailure {
    private OutputFailure() {
    }

    /**
     * The exception to throw for {@code e} while writing {@code path}.
     *
     * @param what how the user named the path: an option ({@code --out}) or a phrase ({@code output file})
     */
    public static ConfigException of(String what, Path path, IOException e) {
        return new ConfigException(what + " " + path + " cannot be written: " + reason(path, e), e);
    }

    /** The reason of {@code e} in words, with the blocking ancestor named when a parent is not a directory. */
    public static String reason(Path path, IOException e) {
        Path blocker = fileAncestor(path);
        if (blocker != null) {
            return blocker + " is a regular file, not a directory";
        }
        if (e instanceof NoSuchFileException n) {
            return "no such file or directory" + other(n, path);
        }
        if (e instanceof AccessDeniedException a) {
            return "permission denied" + other(a, path);
        }
        if (e instanceof NotDirectoryException n) {
            return "not a directory" + other(n, path);
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + " exists and is not a directory";
        }
        if (e instanceof FileSystemException f) {
            String r = f.getReason() != null ? f.getReason() : "input/output error";
            return lower(r) + other(f, path);
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : lower(m);
    }

    /** The nearest existing ancestor of {@code path} that is not a directory, or null. */
    private static Path fileAncestor(Path path) {
        Path p = path.toAbsolutePath().getParent();
        while (p != null) {
            if (Files.exists(p)) {
                return Files.isDirectory(p) ? null : p;
            }
            p = p.getParent();
        }
        return null;
    }

    private static String other(FileSystemException e, Path path) {
        String f = e.getFile();
        if (f == null || f.equals(path.toString()) || Path.of(f).toAbsolutePath().equals(path.toAbsolutePath())) {
            return "";
        }
        return " (" + f + ")";
    }

    private static String lower(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
