package dev.wafersim.fabric.wafer.program;

import dev.wafersim.memory.sram.SramLayout;
import dev.wafersim.memory.sram.SramParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds a {@link Program}: place buffers (SRAM capacity is enforced as they are placed), bind
 * queues to colours, and add tasks.
 */
public final class ProgramBuilder {
    private final String name;
    private final SramLayout layout;
    private final Task[] tasks = new Task[Program.MAX_TASKS];
    private final int[] inputColours;
    private final int[] outputColours;
    private int threadsUsed = 1;

    /**
     * @param name  role name
     * @param sram  the PE's SRAM (for capacity)
     * @param owner who the placement is for in messages, e.g. {@code PE (4,0) [chain reduce middle]}
     */
    public ProgramBuilder(String name, SramParams sram, String owner) {
        this.name = name;
        this.layout = new SramLayout(sram, owner);
        this.inputColours = new int[32];
        this.outputColours = new int[32];
        Arrays.fill(inputColours, -1);
        Arrays.fill(outputColours, -1);
    }

    /** Places a buffer of {@code bytes} bytes, 16-byte aligned, and returns its byte address. */
    public int buffer(String bufferName, long bytes) {
        return layout.place(bufferName, bytes, 16);
    }

    /** Binds input queue {@code q} to {@code colour}. */
    public ProgramBuilder input(int q, int colour) {
        inputColours[checkQueue(q)] = colour;
        return this;
    }

    /** Binds output queue {@code q} to {@code colour}. */
    public ProgramBuilder output(int q, int colour) {
        outputColours[checkQueue(q)] = colour;
        return this;
    }

    private static int checkQueue(int q) {
        if (q < 0 || q >= 32) {
            throw new IllegalArgumentException("queue id must be in [0, 32), got " + q);
        }
        return q;
    }

    /** Starts a local task with this id. */
    public TaskBuilder task(int id, String taskName) {
        return new TaskBuilder(id, taskName, false, -1);
    }

    /** Starts a data task bound to input queue {@code q}. */
    public TaskBuilder dataTask(int id, String taskName, int q) {
        return new TaskBuilder(id, taskName, true, checkQueue(q));
    }

    /** The finished program. */
    public Program build() {
        int last = -1;
        for (int i = 0; i < tasks.length; i++) {
            if (tasks[i] != null) {
                last = i;
            }
        }
        List<Task> list = new ArrayList<>(Arrays.asList(tasks).subList(0, last + 1));
        return new Program(name, list, inputColours.clone(), outputColours.clone(), layout, threadsUsed);
    }

    /** Adds instructions to one task. */
    public final class TaskBuilder {
        private final int id;
        private final String taskName;
        private final boolean data;
        private final int queue;
        private boolean active;
        private boolean blocked;
        private final List<Op> ops = new ArrayList<>();

        private TaskBuilder(int id, String taskName, boolean data, int queue) {
            if (id < 0 || id >= Program.MAX_TASKS) {
                throw new IllegalArgumentException("task id must be in [0, " + Program.MAX_TASKS + "), got " + id);
            }
            if (tasks[id] != null) {
                throw new IllegalArgumentException("program " + name + " defines task " + id + " twice");
            }
            this.id = id;
            this.taskName = taskName;
            this.data = data;
            this.queue = queue;
        }

        /** Activated when the program starts (local tasks). */
        public TaskBuilder activeAtStart() {
            if (data) {
                throw new IllegalStateException("data tasks are started by wavelets, not activated");
            }
            active = true;
            return this;
        }

        /** Blocked when the program starts. */
        public TaskBuilder blockedAtStart() {
            blocked = true;
            return this;
        }

        /** Appends an instruction. */
        public TaskBuilder op(Op op) {
            ops.add(op);
            if (op.microthread() + 1 > threadsUsed) {
                threadsUsed = op.microthread() + 1;
            }
            return this;
        }

        /** Finishes the task. */
        public ProgramBuilder done() {
            if (ops.isEmpty()) {
                throw new IllegalStateException("task " + taskName + " has no instructions");
            }
            tasks[id] = new Task(id, taskName, data, queue, active, blocked, ops);
            return ProgramBuilder.this;
        }
    }
}
