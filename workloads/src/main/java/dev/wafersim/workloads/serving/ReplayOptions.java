package dev.wafersim.workloads.serving;

import dev.wafersim.workloads.client.ClientParams;
import dev.wafersim.workloads.speculative.AcceptanceProcess;
import java.util.Objects;

/**
 * What a replay adds around the machine besides the scheduler: the client path between users and the server,
 * and speculative decoding.
 *
 * @param client     the client path ({@link ClientParams#none()}: times at the server)
 * @param acceptance speculative decoding's acceptance process (K drafts per verify step), or null for plain
 *                   decoding. The pass times must then come from a step model that times a verify row
 *                   ({@code new = logits = K + 1}) with its draft passes ({@code speculative.SpeculativeStepModel}).
 */
public record ReplayOptions(ClientParams client, AcceptanceProcess acceptance) {
    /** No client path, plain decoding. */
    public static final ReplayOptions NONE = new ReplayOptions(ClientParams.none(), null);

    public ReplayOptions {
        Objects.requireNonNull(client, "client");
    }

    /** Tokens a decode row feeds through the target: 1, or K + 1 for a verify step. */
    public int decodeWidth() {
        return acceptance == null ? 1 : acceptance.k() + 1;
    }
}
