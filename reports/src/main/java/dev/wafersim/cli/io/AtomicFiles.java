package dev.wafersim.cli.io;

import dev.wafersim.core.config.ConfigException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes output files whole or not at all, without replacing what is not a regular file.
 *
 * <ul>
 *   <li>A regular file (or a new name) is written atomically: the content goes to a temporary file in the
 *       same directory, which is then renamed over the target. A reader never sees half a file, and a
 *       failed or killed run leaves any earlier file untouched.</li>
 *   <li>A symbolic link is followed (link by link, so a dangling link creates its target): its target is
 *       replaced as above and the link stays a link.</li>
 *   <li>Anything else that exists — a device such as {@code /dev/null} or {@code /dev/full}, a FIFO, a
 *       socket — and the names of open descriptors ({@code /dev/stdout}, {@code /dev/stderr},
 *       {@code /dev/fd/N}, {@code /proc/PID/fd/N}, even when standard output is redirected to a file) are
 *       written through: opened for appending, written, closed. They are never replaced.</li>
 *   <li>A directory is refused.</li>
 * </ul>
 *
 * <p>Every failure, including a write error such as ENOSPC on {@code /dev/full}, is a
 * {@link ConfigException} (exit code 2) naming the path and the reason ({@link OutputFailure}); a
 * temporary file is removed.
 */
public final class AtomicFiles {
    /** Symbolic links followed before giving up (as the kernel's ELOOP limit). */
    private static final int MAX_LINKS = 40;

    /** What the help says about output files (one line). */
    public static final String HELP = "Output files: a regular file is replaced atomically (written beside it, then renamed; a"
            + " symbolic link's target is replaced); a device, FIFO or /dev/stdout is written through.";

    private AtomicFiles() {
    }

    /** Writes {@code text} as UTF-8 to {@code target}; see the class comment. */
    public static void writeString(Path target, String text) {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes} to {@code target}; see the class comment. */
    public static void write(Path target, byte[] bytes) {
        try {
            if (writesThrough(target)) {
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    out.write(bytes);
                    out.flush();
                }
                return;
            }
            replace(followLinks(target), bytes);
        } catch (IOException e) {
            throw OutputFailure.of("output file", target, e);
        }
    }

    /**
     * True when {@code target} is written through rather than replaced: it names an open descriptor, or
     * it exists (links followed) and is neither a regular file nor a directory.
     *
     * @throws IOException when it is a directory
     */
    static boolean writesThrough(Path target) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new java.nio.file.FileSystemException(target.toString(), null, "is a directory");
        }
        return namesDescriptor(abs) || Files.exists(abs) && !Files.isRegularFile(abs);
    }

    /** {@code /dev/stdout}, {@code /dev/stderr}, {@code /dev/fd/N} or {@code /proc/PID/fd/N}. */
    static boolean namesDescriptor(Path abs) {
        String s = abs.toString().replace('\\', '/');
        return s.equals("/dev/stdout") || s.equals("/dev/stderr") || s.matches("/dev/fd/[0-9]+")
                || s.matches("/proc/[^/]+/fd/[0-9]+");
    }

    /**
     * The file a path names once its symbolic links are followed: {@code target} itself when it is not a
     * link; a dangling link gives the path it points to.
     */
    static Path followLinks(Path target) throws IOException {
        Path p = target.toAbsolutePath();
        for (int i = 0; i < MAX_LINKS; i++) {
            if (!Files.isSymbolicLink(p)) {
                return p;
            }
            Path link = Files.readSymbolicLink(p);
            p = p.getParent() == null ? link : p.getParent().resolve(link).normalize();
        }
        throw new java.nio.file.FileSystemException(target.toString(), null, "too many levels of symbolic links");
    }

    private static void replace(Path abs, byte[] bytes) throws IOException {
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            if (dir != null && !Files.isDirectory(dir)) {
                Files.createDirectories(dir);
            }
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                out.write(bytes);
            }
            readable(tmp, abs);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The original error is the one to report; a stray temporary file is harmless.
                }
            }
        }
    }

    /**
     * Gives the temporary file the permissions of the file it replaces, or rw-r--r-- for a new one: a
     * temporary file is created rw------- and results are meant to be read by others (CI artifacts).
     */
    private static void readable(Path tmp, Path target) throws IOException {
        if (!Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        Set<PosixFilePermission> perms = Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                ? Files.getPosixFilePermissions(target) : PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }
}
