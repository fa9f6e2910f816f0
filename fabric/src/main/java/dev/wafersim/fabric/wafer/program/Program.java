package dev.wafersim.fabric.wafer.program;

import dev.wafersim.memory.sram.SramLayout;
import java.util.List;

/**
 * The code and data layout of one PE role: every PE loaded with the same program runs the same
 * tasks on the same SRAM layout (a CSL program template). Per-PE differences (which colour, which
 * direction) are expressed by loading different programs on different PEs; {@link ProgramBuilder}
 * makes that cheap and collectives cache programs per role.
 *
 * @param name          role name, for messages
 * @param tasks         tasks by id (null where an id is unused), at most 32
 * @param inputColours  colour bound to each input queue, or -1
 * @param outputColours colour bound to each output queue, or -1
 * @param layout        the SRAM placement of the role's buffers
 * @param threadsUsed   1 + the highest microthread used
 */
public record Program(String name, List<Task> tasks, int[] inputColours, int[] outputColours, SramLayout layout,
                      int threadsUsed) {

    /** Highest number of tasks per program. */
    public static final int MAX_TASKS = 32;

    /** The task with this id, or null. */
    public Task task(int id) {
        return id >= 0 && id < tasks.size() ? tasks.get(id) : null;
    }

    /** SRAM bytes the role's data occupies (excluding the code reserve). */
    public int dataBytes() {
        return layout.usedBytes();
    }
}
