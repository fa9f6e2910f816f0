package dev.wafersim.fabric.gpu;

/** The kinds of item in a GPU's program. */
public enum ItemKind {
    /** A kernel: bytes and FLOPs, or a given duration. */
    KERNEL,
    /** A collective over a {@link CommGroup}; completes for all members together. */
    COLLECTIVE,
    /** Sends a message to another GPU; the sender goes on once the data has left. */
    SEND,
    /** Receives the matching message from another GPU; waits until it has arrived. */
    RECV,
    /** The host waits until the device has finished everything before (e.g. to read the sampled token). */
    HOST_SYNC
}
