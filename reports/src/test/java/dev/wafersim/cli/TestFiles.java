package dev.wafersim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** Helpers shared by the command tests. */
final class TestFiles {
    private TestFiles() {
    }

    /** Asserts that {@code png} decodes and is {@code width x height} pixels. */
    static BufferedImage assertPng(Path png, int width, int height) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png + " does not decode as an image");
        assertEquals(width, img.getWidth(), png + " width");
        assertEquals(height, img.getHeight(), png + " height");
        return img;
    }

    /** Number of distinct colours in a sample of the image (a blank image has 1). */
    static int colours(BufferedImage img) {
        java.util.Set<Integer> c = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                c.add(img.getRGB(x, y));
            }
        }
        return c.size();
    }

    /** The lines of a text file. */
    static List<String> lines(Path file) throws IOException {
        return new ArrayList<>(Files.readAllLines(file));
    }

    /** args followed by more args. */
    static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
