package dev.wafersim.cli.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wafersim.cli.io.Inputs;
import dev.wafersim.cli.io.Json;
import dev.wafersim.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The manifest a shard writes beside its CSV ({@code SHARD.csv.manifest.json}): which sweep the shard belongs
 * to (its {@link SweepManifest#hash manifest hash} and definition), how it was split ({@code I/N} and the
 * {@link ShardPartition#hash partition hash}), and the points of this shard. {@code wafersim sweep merge} reads
 * it to tell shards of different sweeps apart, to name the points that are missing and to draw the charts.
 *
 * @param wafersimVersion the version that ran the shard
 * @param manifestHash    the sweep's manifest hash
 * @param points          the number of points of the whole sweep
 * @param shard           this shard
 * @param partitionHash   the hash of the point-to-shard assignment
 * @param shardPoints     this shard's points, in point order
 * @param shardCostMicros its points' estimated cost ({@link PointCost}), us
 * @param sweepCostMicros every point's estimated cost, us
 * @param sweep           the sweep's definition ({@link SweepManifest#definition})
 */
public record ShardManifest(String wafersimVersion, String manifestHash, int points, SweepShard shard,
                           String partitionHash, int[] shardPoints, long shardCostMicros, long sweepCostMicros,
                           JsonNode sweep) {
    /** What the {@code format} key holds. */
    public static final String FORMAT = "wafersim sweep shard manifest";
    /** The version of the format this code writes and reads. */
    public static final int FORMAT_VERSION = 1;
    /** The suffix added to the shard CSV's name. */
    public static final String SUFFIX = ".manifest.json";

    public ShardManifest {
        Objects.requireNonNull(manifestHash, "manifestHash");
        Objects.requireNonNull(shard, "shard");
        shardPoints = shardPoints.clone();
    }

    /** The manifest file of the shard CSV {@code csv}: the same name with {@link #SUFFIX} added. */
    public static Path pathOf(Path csv) {
        return csv.resolveSibling(csv.getFileName().toString() + SUFFIX);
    }

    /** Writes this manifest beside {@code csv}, atomically. */
    public void writeBeside(Path csv) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("format", FORMAT);
        o.put("formatVersion", FORMAT_VERSION);
        o.put("wafersimVersion", wafersimVersion);
        o.put("manifestHash", manifestHash);
        o.put("points", points);
        o.put("shard", shard.label());
        o.put("partitionHash", partitionHash);
        o.put("estimatedShardCostMs", shardCostMicros / 1000);
        o.put("estimatedSweepCostMs", sweepCostMicros / 1000);
        ArrayNode ps = o.putArray("shardPoints");
        for (int p : shardPoints) {
            ps.add(p);
        }
        o.set("sweep", sweep);
        Json.write(pathOf(csv), o);
    }

    /**
     * Reads the manifest beside the shard CSV {@code csv}.
     *
     * @throws ConfigException when it is missing or is not a shard manifest of this format
     */
    public static ShardManifest readBeside(Path csv) {
        Path file = pathOf(csv);
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(csv + ": no shard manifest beside it (expected " + file + ", which wafersim sweep"
                    + " --shard writes next to its --out; copy it along with the CSV), or the file is not a sweep shard");
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid JSON" + Inputs.at(e) + "; expected a sweep shard manifest");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + Inputs.reason(e), e);
        }
        String origin = file.toString();
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw new ConfigException(origin + ": not a sweep shard manifest (format is not '" + FORMAT + "')");
        }
        if (root.path("formatVersion").asInt(-1) != FORMAT_VERSION) {
            throw new ConfigException(origin + ": formatVersion=" + root.path("formatVersion") + " is not allowed; this"
                    + " wafersim reads version " + FORMAT_VERSION + " (merge with the wafersim that ran the shards, "
                    + root.path("wafersimVersion").asText("unknown") + ")");
        }
        String hash = text(root, "manifestHash", origin);
        int points = root.path("points").asInt(-1);
        if (points < 1) {
            throw new ConfigException(origin + ": points=" + root.path("points") + " is not allowed; expected a count >= 1");
        }
        SweepShard shard = SweepShard.parse(text(root, "shard", origin), origin + ": shard");
        JsonNode ps = root.path("shardPoints");
        if (!ps.isArray()) {
            throw new ConfigException(origin + ": shardPoints is missing; expected the list of the shard's points");
        }
        int[] mine = new int[ps.size()];
        for (int i = 0; i < mine.length; i++) {
            int p = ps.get(i).asInt(-1);
            if (!ps.get(i).isInt() || p < 0 || p >= points) {
                throw new ConfigException(origin + ": shardPoints[" + i + "]=" + ps.get(i) + " is not allowed; expected a"
                        + " point from 0 to " + (points - 1));
            }
            mine[i] = p;
        }
        return new ShardManifest(root.path("wafersimVersion").asText("unknown"), hash, points, shard,
                text(root, "partitionHash", origin), mine, root.path("estimatedShardCostMs").asLong() * 1000,
                root.path("estimatedSweepCostMs").asLong() * 1000, root.path("sweep"));
    }

    private static String text(JsonNode root, String key, String origin) {
        JsonNode n = root.path(key);
        if (!n.isTextual() || n.asText().isBlank()) {
            throw new ConfigException(origin + ": " + key + " is missing; expected it in a sweep shard manifest");
        }
        return n.asText();
    }

    @Override
    public int[] shardPoints() {
        return shardPoints.clone();
    }
}
