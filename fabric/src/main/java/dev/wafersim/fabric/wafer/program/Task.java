package dev.wafersim.fabric.wafer.program;

import java.util.List;

/**
 * A task: instructions that run to completion on the main thread once picked. A local task runs
 * when activated (at start, by {@link Op#activate}, or by an asynchronous operation completing); a
 * data task runs once per wavelet arriving on its input queue, with that wavelet as the
 * {@link Operand#wavelet()} operand. Lower task ids are picked first.
 *
 * @param id            task id, 0..31
 * @param name          for messages
 * @param data          true for a data task
 * @param inputQueue    the input queue a data task is bound to (-1 for local tasks)
 * @param activeAtStart a local task activated when the program starts
 * @param blockedAtStart blocked when the program starts
 * @param ops           the instructions
 */
public record Task(int id, String name, boolean data, int inputQueue, boolean activeAtStart, boolean blockedAtStart,
                   List<Op> ops) {
    public Task {
        ops = List.copyOf(ops);
    }
}
