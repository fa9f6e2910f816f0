package dev.wafersim.fabric.gpu;

import java.util.Arrays;

/**
 * A set of GPUs that run collectives together (an NCCL communicator), made by
 * {@link ProgramBuilder#group}. Members call the group's collectives in the same order with the same
 * sizes; the k-th call of every member is one collective.
 */
public final class CommGroup {
    private final int id;
    private final String name;
    private final int[] gpus;
    private final GroupPlacement placement;

    CommGroup(int id, String name, int[] gpus, GroupPlacement placement) {
        this.id = id;
        this.name = name;
        this.gpus = gpus.clone();
        this.placement = placement;
    }

    /** Index of the group in its program. */
    public int id() {
        return id;
    }

    /** The group's name (e.g. {@code tp0}). */
    public String name() {
        return name;
    }

    /** The members, in the order given. */
    public int[] gpus() {
        return gpus.clone();
    }

    /** Number of members. */
    public int size() {
        return gpus.length;
    }

    /** Member {@code i}. */
    public int gpu(int i) {
        return gpus[i];
    }

    /** True when {@code gpu} is a member. */
    public boolean contains(int gpu) {
        for (int g : gpus) {
            if (g == gpu) {
                return true;
            }
        }
        return false;
    }

    /** How the members are spread over nodes. */
    public GroupPlacement placement() {
        return placement;
    }

    @Override
    public String toString() {
        return "group '" + name + "' " + Arrays.toString(gpus);
    }
}
