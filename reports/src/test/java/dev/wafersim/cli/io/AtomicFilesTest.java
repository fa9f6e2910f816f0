package dev.wafersim.cli.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wafersim.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output files: regular files replaced whole, links followed, devices and FIFOs written through and never
 * replaced, every failure one ConfigException naming the path. (Tests run as root, so a read-only
 * directory does not stop them; the failures tested are those that stop root too.)
 */
class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void write_existingRegularFile_replacedWholeNoTemporaryLeft() throws Exception {
        Path f = tmp.resolve("r.json");
        Files.writeString(f, "old content that is longer");
        AtomicFiles.writeString(f, "new");
        assertEquals("new", Files.readString(f));
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temporary file left beside it");
        }
    }

    @Test
    void write_symbolicLink_targetReplacedAndLinkKept() throws Exception {
        Path target = tmp.resolve("real.json");
        Files.writeString(target, "old");
        Path link = tmp.resolve("link.json");
        Files.createSymbolicLink(link, target.getFileName());
        AtomicFiles.writeString(link, "new");
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertEquals("new", Files.readString(target), "its target got the content");
    }

    @Test
    void write_danglingSymbolicLink_createsItsTarget() throws Exception {
        Path link = tmp.resolve("link.json");
        Files.createSymbolicLink(link, Path.of("sub/made.json"));
        Files.createDirectories(tmp.resolve("sub"));
        AtomicFiles.writeString(link, "x");
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("x", Files.readString(tmp.resolve("sub/made.json")));
    }

    @Test
    void write_fifo_writtenThroughAndStillAFifo() throws Exception {
        Path fifo = tmp.resolve("pipe");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor());
        CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readString(fifo);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        AtomicFiles.writeString(fifo, "through the pipe");
        assertEquals("through the pipe", reader.get(30, TimeUnit.SECONDS));
        assertFalse(Files.isRegularFile(fifo, LinkOption.NOFOLLOW_LINKS), "the FIFO was not replaced by a file");
        assertTrue(Files.exists(fifo));
    }

    @Test
    void write_devFull_reportsNoSpaceAndLeavesTheDevice() {
        Path full = Path.of("/dev/full");
        ConfigException e = assertThrows(ConfigException.class, () -> AtomicFiles.writeString(full, "x"));
        assertTrue(e.getMessage().startsWith("output file /dev/full cannot be written: "), e.getMessage());
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("no space left"), e.getMessage());
        assertFalse(Files.isRegularFile(full), "/dev/full is still a device");
    }

    @Test
    void write_devNull_writtenThroughNotReplaced() {
        AtomicFiles.writeString(Path.of("/dev/null"), "discarded");
        assertFalse(Files.isRegularFile(Path.of("/dev/null")));
    }

    @Test
    void writesThrough_descriptorNames_evenWhenTheyResolveToAFile() throws Exception {
        // /dev/stdout redirected to a file resolves to a regular file; replacing that file would detach it
        // from the shell's descriptor, so descriptor names are always written through.
        assertTrue(AtomicFiles.writesThrough(Path.of("/dev/stdout")));
        assertTrue(AtomicFiles.namesDescriptor(Path.of("/proc/self/fd/1")));
        assertTrue(AtomicFiles.namesDescriptor(Path.of("/dev/fd/3")));
        assertFalse(AtomicFiles.namesDescriptor(Path.of("/dev/shm/result.json")));
        assertFalse(AtomicFiles.writesThrough(tmp.resolve("new.json")));
    }

    @Test
    void write_parentIsARegularFile_oneLineNamingIt() throws Exception {
        Path file = tmp.resolve("plain");
        Files.writeString(file, "");
        ConfigException e = assertThrows(ConfigException.class,
                () -> AtomicFiles.writeString(file.resolve("sub/r.json"), "x"));
        assertEquals("output file " + file.resolve("sub/r.json") + " cannot be written: " + file
                + " is a regular file, not a directory", e.getMessage());
    }

    @Test
    void write_directory_refused() {
        ConfigException e = assertThrows(ConfigException.class, () -> AtomicFiles.writeString(tmp, "x"));
        assertTrue(e.getMessage().endsWith("cannot be written: is a directory"), e.getMessage());
        assertTrue(Files.isDirectory(tmp));
    }
}
