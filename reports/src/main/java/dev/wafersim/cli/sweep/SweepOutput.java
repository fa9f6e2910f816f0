package dev.wafersim.cli.sweep;

import dev.wafersim.cli.io.AtomicFiles;
import dev.wafersim.cli.io.Csv;
import dev.wafersim.cli.io.OutputFailure;
import dev.wafersim.core.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A sweep's CSV while the sweep runs: opened once, held under an exclusive lock
 * ({@link FileChannel#tryLock()}, an advisory {@code fcntl} lock on the file itself) until the sweep ends,
 * so a second sweep on the same file — {@code --resume} or {@code --overwrite} — is refused (exit 2)
 * instead of interleaving its rows. Each row is written whole with one {@code write} call as soon as its
 * point finishes; nothing is buffered, so a killed sweep leaves every finished row and at most one row cut
 * short, which {@link #readTable()} drops.
 *
 * <p>When the sweep has every point, {@link #replaceInOrder} rewrites the file with its rows in point order
 * (written beside it, then renamed over it, so a reader or a kill never sees half of it), which makes the
 * file of a sweep the same bytes whatever the thread count and however often it was resumed.
 *
 * <p>The file is read through the same channel: opening and closing another descriptor of a locked file
 * would release the process's lock on POSIX systems. Every I/O failure is a {@link ConfigException}
 * naming {@code --out}, the path and the reason ({@link OutputFailure}).
 */
public final class SweepOutput implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private SweepOutput(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Opens (creating it and its directories when missing) and locks {@code path}.
     *
     * @param append true to keep the content ({@code --resume}); false to empty it once locked
     * @throws ConfigException when another process or sweep holds the lock, or the path cannot be written
     */
    public static SweepOutput open(Path path, boolean append) {
        FileChannel ch = null;
        try {
            Path dir = path.toAbsolutePath().getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                Files.createDirectories(dir);
            }
            ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new ConfigException("--out " + path + " is locked: another wafersim sweep is writing it (it holds"
                        + " the exclusive lock on " + path + "); wait for it to finish, or give another --out");
            }
            if (!append) {
                ch.truncate(0);
            }
            SweepOutput out = new SweepOutput(path, ch, lock);
            ch = null;
            return out;
        } catch (IOException e) {
            throw OutputFailure.of("--out", path, e);
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // The first error is the one reported.
                }
            }
        }
    }

    /**
     * The table in the file; a last line cut short (no final newline, a sweep killed while writing it) is
     * cut off the file, so rows appended next start on a line of their own.
     */
    public Csv.Table readTable() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            channel.position(0);
            while (channel.read(buf) > 0) {
                bytes.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            Csv.Table t = Csv.parse(bytes.toByteArray(), path.toString());
            if (t.partialTail() > 0) {
                channel.truncate(channel.size() - t.partialTail());
            }
            return t;
        } catch (IOException e) {
            throw OutputFailure.of("--out", path, e);
        }
    }

    /** Appends one line (with its newline) at the end of the file, in one write. */
    public void writeLine(String line) {
        try {
            ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            channel.position(channel.size());
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw OutputFailure.of("--out", path, e);
        }
    }

    /**
     * Replaces the file's content with {@code text} (the same rows, in point order) atomically: written beside
     * it and renamed over it while this sweep still holds the lock on the file it replaces. A path that is not a
     * regular file (a FIFO, a device) is left as it is.
     */
    public void replaceInOrder(String text) {
        if (!Files.isRegularFile(path)) {
            return;
        }
        try {
            AtomicFiles.writeString(path, text);
        } catch (ConfigException e) {
            throw new ConfigException("--out " + path + ": the finished sweep could not be put in point order (its rows"
                    + " are all there, in the order they finished): " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            throw OutputFailure.of("--out", path, e);
        }
    }
}
