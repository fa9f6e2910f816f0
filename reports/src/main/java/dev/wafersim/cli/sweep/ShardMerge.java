package dev.wafersim.cli.sweep;

import dev.wafersim.cli.io.Csv;
import dev.wafersim.cli.io.OutputFailure;
import dev.wafersim.core.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Joins the files of a sharded sweep ({@code wafersim sweep --shard I/N}) into the rows of the whole sweep.
 *
 * <p>Every shard must come from the same sweep (the same manifest hash), split the same way (the same N and
 * partition hash); each row must be a point of its shard, with the key values of that point. A point found in
 * two files is a duplicate: reported and kept once when the rows are the same, refused when they differ (two
 * different simulations of one experiment: different wafersim versions). Points found in no file are
 * missing. The merged rows are in point order without the {@code shard} and {@code manifestHash} columns:
 * the rows and columns a sweep run in one process writes.
 */
public final class ShardMerge {
    /**
     * One shard's file as read.
     *
     * @param csv      the path given
     * @param manifest the manifest beside it
     * @param table    its rows
     */
    public record Input(Path csv, ShardManifest manifest, Csv.Table table) {
    }

    /**
     * What the shards hold.
     *
     * @param definition the sweep's definition
     * @param plan       its points
     * @param manifest   the manifest of the first file (the sweep's hash, N)
     * @param header     the columns of the merged file (those of the unsharded sweep)
     * @param rows       point to its fields (merged columns), in point order
     * @param missing    the points no file holds, in order
     * @param notes      duplicates kept once, one line each
     * @param shardsRead the shards a file was given for
     */
    public record Result(SweepManifest.Definition definition, SweepPlan plan, ShardManifest manifest, List<String> header,
                         TreeMap<Integer, List<String>> rows, List<Integer> missing, List<String> notes,
                         Set<Integer> shardsRead) {
    }

    private ShardMerge() {
    }

    /**
     * Reads a shard's file and the manifest beside it. The file is read under a shared lock: a shard still
     * running holds the exclusive one, and is refused.
     *
     * @throws ConfigException when the file or its manifest is missing, unreadable or malformed, or it is locked
     */
    public static Input read(Path csv) {
        if (csv.getFileName() != null && csv.getFileName().toString().endsWith(ShardManifest.SUFFIX)) {
            throw new ConfigException(csv + " is a shard's manifest; give the shard CSVs (the manifest beside each is read"
                    + " with it)");
        }
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(csv, StandardOpenOption.READ)) {
            FileLock lock;
            try {
                lock = ch.tryLock(0, Long.MAX_VALUE, true);
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new ConfigException(csv + " is locked: a wafersim sweep is still writing it (it holds the exclusive"
                        + " lock); merge when the shard has finished");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            while (ch.read(buf) > 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            lock.release();
            bytes = out.toByteArray();
        } catch (NoSuchFileException e) {
            throw new ConfigException(csv + ": no such file; expected the CSV of a sweep shard");
        } catch (IOException e) {
            throw new ConfigException(csv + ": cannot be read: " + OutputFailure.reason(csv, e), e);
        }
        ShardManifest manifest = ShardManifest.readBeside(csv);
        return new Input(csv, manifest, Csv.parse(bytes, csv.toString()));
    }

    /**
     * Merges the shards' files.
     *
     * @throws ConfigException for files of different sweeps or splits, rows that are not points of their shard,
     *                         and duplicates that differ
     */
    public static Result merge(List<Input> inputs) {
        if (inputs.isEmpty()) {
            throw new ConfigException("no shard files given; expected the CSVs written by wafersim sweep --shard I/N");
        }
        Input first = inputs.get(0);
        ShardManifest m = first.manifest();
        for (Input in : inputs) {
            ShardManifest o = in.manifest();
            if (!o.manifestHash().equals(m.manifestHash())) {
                throw new ConfigException("shards of different sweeps: " + first.csv() + " is shard " + m.shard()
                        + " of sweep manifest " + m.manifestHash() + ", " + in.csv() + " is shard " + o.shard() + " of "
                        + o.manifestHash() + "; the plan changed between shards (an axis, a fixed option, a parameter, a"
                        + " default or the wafersim version" + (m.wafersimVersion().equals(o.wafersimVersion()) ? ""
                        : ": " + m.wafersimVersion() + " and " + o.wafersimVersion()) + "); expected every shard from"
                        + " one sweep: rerun the shards that differ");
            }
            if (o.shard().count() != m.shard().count()) {
                throw new ConfigException("a mix of shard counts: " + first.csv() + " is shard " + m.shard() + ", "
                        + in.csv() + " is shard " + o.shard() + "; expected every shard of one split (--shard I/"
                        + m.shard().count() + " for every file)");
            }
            if (!o.partitionHash().equals(m.partitionHash())) {
                throw new ConfigException("shards split differently: " + first.csv() + " and " + in.csv() + " are shards"
                        + " of " + m.shard().count() + " of the same sweep, but their processes assigned the points to"
                        + " shards differently (wafersim versions " + m.wafersimVersion() + " and " + o.wafersimVersion()
                        + " estimate the points' costs differently); expected every shard run by one wafersim version");
            }
        }
        String origin = ShardManifest.pathOf(first.csv()).toString();
        SweepManifest.Definition def = SweepManifest.readDefinition(m.sweep(), origin);
        SweepPlan plan = new SweepPlan(def.axes());
        if (plan.size() != m.points()) {
            throw new ConfigException(origin + ": points=" + m.points() + " but its sweep definition has " + plan.size()
                    + " points; the manifest was edited or damaged");
        }
        List<String> keys = def.axes().stream().map(SweepAxis::key).toList();
        List<String> shardHeader = SweepCsv.sharded(keys, m.shard(), m.manifestHash()).header();
        List<String> header = new SweepCsv(keys).header();
        int shardCol = shardHeader.indexOf(SweepCsv.SHARD);
        int hashCol = shardHeader.indexOf(SweepCsv.MANIFEST_HASH);

        TreeMap<Integer, List<String>> rows = new TreeMap<>();
        Map<Integer, String> where = new HashMap<>();
        List<String> notes = new ArrayList<>();
        Set<Integer> shardsRead = new TreeSet<>();
        for (Input in : inputs) {
            Csv.Table t = in.table();
            if (!t.header().equals(shardHeader)) {
                throw new ConfigException(in.csv() + ": its columns are not those of a shard of this sweep (expected "
                        + String.join(",", shardHeader) + "); it was edited, or it is not the file its manifest "
                        + ShardManifest.pathOf(in.csv()) + " describes");
            }
            shardsRead.add(in.manifest().shard().index());
            Set<Integer> ofShard = new java.util.HashSet<>();
            for (int p : in.manifest().shardPoints()) {
                ofShard.add(p);
            }
            for (int r = 0; r < t.rows().size(); r++) {
                List<String> row = t.rows().get(r);
                String at = in.csv() + " line " + t.lines().get(r);
                int p = point(row.get(0), plan.size(), at);
                if (!row.subList(1, 1 + keys.size()).equals(plan.values(p))) {
                    throw new ConfigException(at + ": point " + p + " holds " + row.subList(1, 1 + keys.size())
                            + " but the sweep's point " + p + " is " + plan.values(p) + "; the file was edited");
                }
                if (!row.get(hashCol).equals(m.manifestHash()) || !row.get(shardCol).equals(in.manifest().shard().label())
                        || !ofShard.contains(p)) {
                    throw new ConfigException(at + ": point " + p + " is a row of shard " + row.get(shardCol) + " of sweep"
                            + " manifest " + row.get(hashCol) + ", not a point of shard " + in.manifest().shard() + " of "
                            + m.manifestHash() + " as the manifest beside the file says; rows of another run were added"
                            + " to it");
                }
                List<String> merged = List.copyOf(row.subList(0, header.size()));
                List<String> before = rows.putIfAbsent(p, merged);
                if (before == null) {
                    where.put(p, at);
                } else if (before.equals(merged)) {
                    notes.add("point " + p + " (" + describe(plan, p) + ") is in " + where.get(p) + " and " + at
                            + " (the same row; kept once)");
                } else {
                    throw new ConfigException("point " + p + " (" + describe(plan, p) + ") is in " + where.get(p) + " and "
                            + at + " with different results: two different simulations of one experiment (different"
                            + " wafersim versions?); expected each point from one run: remove one of the files");
                }
            }
        }
        List<Integer> missing = new ArrayList<>();
        for (int p = 0; p < plan.size(); p++) {
            if (!rows.containsKey(p)) {
                missing.add(p);
            }
        }
        return new Result(def, plan, m, header, rows, missing, notes, shardsRead);
    }

    /**
     * What is missing, in one message: the points (the first ten with their values), the shards no file was
     * given for, and the shards whose file lacks some of its points.
     */
    public static String describeMissing(Result r, List<Input> inputs) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.missing().size()).append(" of ").append(r.plan().size()).append(" points missing: ");
        int shown = Math.min(10, r.missing().size());
        for (int k = 0; k < shown; k++) {
            int p = r.missing().get(k);
            sb.append(k == 0 ? "" : "; ").append(p).append(" (").append(describe(r.plan(), p)).append(')');
        }
        if (r.missing().size() > shown) {
            sb.append("; and ").append(r.missing().size() - shown).append(" more");
        }
        int n = r.manifest().shard().count();
        List<String> absent = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            if (!r.shardsRead().contains(s)) {
                absent.add(s + "/" + n);
            }
        }
        if (!absent.isEmpty()) {
            sb.append(". No file for shard").append(absent.size() == 1 ? " " : "s ")
                    .append(String.join(", ", absent.size() > 10 ? absent.subList(0, 10) : absent))
                    .append(absent.size() > 10 ? ", ..." : "").append(" (run ").append(absent.size() == 1 ? "it" : "them")
                    .append(" with --shard I/").append(n).append(')');
        }
        for (Input in : inputs) {
            int[] ps = in.manifest().shardPoints();
            int have = 0;
            for (int p : ps) {
                if (r.rows().containsKey(p)) {
                    have++;
                }
            }
            if (have < ps.length) {
                sb.append(". ").append(in.csv()).append(" (shard ").append(in.manifest().shard()).append(") has ")
                        .append(have).append(" of its ").append(ps.length).append(" points (stopped early? rerun it"
                                + " with --resume)");
            }
        }
        return sb.toString();
    }

    private static int point(String text, int points, String at) {
        try {
            int p = Integer.parseInt(text);
            if (p >= 0 && p < points) {
                return p;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new ConfigException(at + ": point=" + text + " is not allowed; expected a point index from 0 to "
                + (points - 1));
    }

    /** {@code key=value, ...} of point {@code p}. */
    static String describe(SweepPlan plan, int p) {
        List<String> v = plan.values(p);
        StringBuilder sb = new StringBuilder();
        for (int a = 0; a < plan.axes().size(); a++) {
            sb.append(a == 0 ? "" : ", ").append(plan.axes().get(a).key()).append('=').append(v.get(a));
        }
        return sb.toString();
    }
}
