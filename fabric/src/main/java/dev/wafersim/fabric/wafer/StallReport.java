package dev.wafersim.fabric.wafer;

import java.util.Locale;

/**
 * What a stalled fabric is waiting for, in words: the message of the deadlock and watchdog errors
 * (a run that stops with wavelets or operations pending must name the stalled parts, never just
 * stop). Read-only over the routers' and PEs' state; costs nothing unless a run stalls.
 *
 * <p>Contract: lists first every router buffer that holds wavelets (router, colour, count, and what
 * its head waits for: a credit from each neighbour its route sends to, or a place in the PE's
 * queue), then every PE thread that is not idle (program, thread, and the input queue or output
 * colour it waits on), in grid order, at most {@code limit} lines, then "... and N more".
 */
final class StallReport {
    private final Grid grid;
    private final RouterSlots slots;
    private final PeEngine pes;
    private final ReceiveFusion fusion;

    StallReport(Grid grid, RouterSlots slots, PeEngine pes, ReceiveFusion fusion) {
        this.grid = grid;
        this.slots = slots;
        this.pes = pes;
        this.fusion = fusion;
    }

    /** The stalled parts, one line each (each starting with a newline), at most {@code limit}. */
    String describe(int limit) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        int more = 0;
        for (int s = 0; s < slots.count; s++) {
            int b = s * slots.stride;
            int count = slots.held(b);
            if (count == 0) {
                continue;
            }
            if (shown >= limit) {
                more++;
                continue;
            }
            shown++;
            int r = slots.router(b);
            int out = slots.current(b) >>> RouterSlots.OUT_SHIFT;
            sb.append("\n  router of ").append(grid.pe(r)).append(", colour ").append(slots.colour(b)).append(": ")
                    .append(count).append(" wavelet(s) held; head waits for");
            for (int m = out; m != 0; m &= m - 1) {
                int d = Integer.numberOfTrailingZeros(m);
                if (d == Fabric.RAMP) {
                    sb.append(" a place in the PE's input queue");
                } else {
                    sb.append(" a credit from ").append(grid.pe(grid.neighbour(r, d))).append(" (")
                            .append(Grid.DIR_NAMES[d]).append(')');
                }
            }
        }
        int[] pb = pes.pb;
        for (int pe = 0; pe < pes.count; pe++) {
            int base = pe * pes.stride;
            Role role = pes.roleArr[pb[base + PeEngine.ROLE]];
            for (int th = 0; th < role.threadsUsed; th++) {
                int tb = base + PeEngine.THREADS + th * PeEngine.THREAD_STRIDE;
                int op = pb[tb + PeEngine.TH_OP];
                if ((pb[tb + PeEngine.TH_SM] & 0xFF) == PeEngine.IDLE || op < 0) {
                    continue;
                }
                if (shown >= limit) {
                    more++;
                    continue;
                }
                shown++;
                sb.append("\n  ").append(grid.pe(pb[base + PeEngine.ROUTER])).append(" [").append(role.program.name())
                        .append("] ").append(th == 0 ? "main thread" : "microthread " + th).append(": ");
                if (role.inQ0[op] >= 0) {
                    int q = role.inQ0[op];
                    int pos = pb[tb + PeEngine.TH_POS];
                    if (role.fusable[op]) {
                        // Wavelets fused since the PE's last visit (see ReceiveFusion).
                        int qbase = pb[base + pes.in + 2 * q] * pes.queues.stride;
                        int sb0 = pes.queues.words[qbase + PeQueues.SLOT] * slots.stride;
                        pos += fusion.accounted(sb0) * role.elemsPerStep[op];
                    }
                    sb.append(String.format(Locale.ROOT, "%s of %d elements at element %d waits for input queue %d"
                                    + " (colour %d)", role.ops[op].code(), role.len[op], pos, q,
                            role.program.inputColours()[q]));
                } else if (role.outQ[op] >= 0) {
                    int q = role.outQ[op];
                    sb.append(String.format(Locale.ROOT, "waits for a credit to send on colour %d",
                            role.program.outputColours()[q]));
                } else {
                    sb.append("busy");
                }
            }
        }
        if (more > 0) {
            sb.append("\n  ... and ").append(more).append(" more");
        }
        if (shown == 0) {
            sb.append("\n  (tasks activated but never run)");
        }
        return sb.toString();
    }
}
