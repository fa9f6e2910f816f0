package dev.wafersim.cli.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.wafersim.core.config.ConfigException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CSV through Jackson's CSV module (RFC 4180: comma separated, fields with a comma, a quote or edge
 * whitespace quoted, quotes doubled), with one record per line: line breaks inside fields are replaced by
 * spaces when writing, so a reader can tell a complete record by its final newline — what a sweep killed
 * in the middle of a row leaves is recognised and dropped ({@link Table#partialTail()}).
 */
public final class Csv {
    private static final CsvMapper MAPPER = new CsvMapper();
    private static final ObjectWriter WRITER = MAPPER.writer(CsvSchema.emptySchema()
            .withLineSeparator("\n"));
    private static final ObjectReader READER = MAPPER.readerForListOf(String.class)
            .with(CsvParser.Feature.WRAP_AS_ARRAY);

    private Csv() {
    }

    /** One record as a line, with the final newline. */
    public static String line(List<String> fields) {
        List<String> clean = new ArrayList<>(fields.size());
        for (String f : fields) {
            clean.add(f == null ? "" : f.replace('\r', ' ').replace('\n', ' '));
        }
        try {
            return WRITER.writeValueAsString(clean);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("CSV encoding of strings failed", e);
        }
    }

    /**
     * A CSV file: its header and complete records. A last line without its final newline (a write cut
     * short) is not a record and is reported in {@code partialTail}.
     *
     * @param header      the column names
     * @param rows        the records, each as long as the header
     * @param lines       the line number (1-based, the header being line 1) of each record
     * @param partialTail the bytes after the last newline (0 when the file ends with one)
     */
    public record Table(List<String> header, List<List<String>> rows, List<Integer> lines, int partialTail) {
        /** Index of {@code column}, or -1. */
        public int column(String column) {
            return header.indexOf(column);
        }

        /**
         * Refuses a table in which two records hold the same value in {@code column} (a sweep's
         * {@code point}): two runs wrote into one file at once, or it was edited.
         *
         * @param file what to call the file in the message
         * @param what what the caller was doing ({@code --resume}, {@code chart})
         * @throws ConfigException naming the value and both lines
         */
        public void requireUnique(String column, String file, String what) {
            int c = column(column);
            if (c < 0) {
                return;
            }
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < rows.size(); i++) {
                Integer first = seen.putIfAbsent(rows.get(i).get(c), lines.get(i));
                if (first != null) {
                    throw new ConfigException(what + ": " + file + " holds " + column + " " + rows.get(i).get(c)
                            + " twice (lines " + first + " and " + lines.get(i) + "): two sweeps wrote into it at once,"
                            + " or it was edited; expected each " + column + " once (rerun the sweep with --overwrite,"
                            + " or into another --out)");
                }
            }
        }
    }

    /**
     * Reads {@code file}.
     *
     * @throws ConfigException when the file is missing, unreadable, not UTF-8, empty, malformed, or has a
     *                         record whose length is not the header's
     */
    public static Table read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + OutputFailure.reason(file, e), e);
        }
        return parse(bytes, file.toString());
    }

    /**
     * Parses the bytes of a CSV file called {@code file} (for messages).
     *
     * @throws ConfigException as {@link #read}
     */
    public static Table parse(byte[] bytes, String file) {
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes, 0, end)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + ": not UTF-8 text; expected a CSV file");
        }
        List<String> header = null;
        List<List<String>> rows = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        try (MappingIterator<List<String>> it = READER.readValues(text)) {
            while (it.hasNextValue()) {
                int line = it.getCurrentLocation().getLineNr();
                List<String> r = it.nextValue();
                if (r.size() == 1 && r.get(0).isEmpty()) {
                    continue;
                }
                if (header == null) {
                    header = List.copyOf(r);
                    continue;
                }
                if (r.size() != header.size()) {
                    throw new ConfigException(file + ": line " + line + " has " + r.size() + " fields; the header has "
                            + header.size());
                }
                rows.add(r);
                lines.add(line);
            }
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid CSV" + Inputs.at(e) + ": " + Inputs.reason(e));
        } catch (RuntimeJsonMappingException e) {
            throw new ConfigException(file + ": not valid CSV: " + Inputs.reason(e));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + Inputs.reason(e), e);
        }
        if (header == null || header.stream().allMatch(String::isBlank)) {
            throw new ConfigException(file + ": no header line; expected a CSV file with column names first");
        }
        return new Table(header, rows, lines, bytes.length - end);
    }
}
