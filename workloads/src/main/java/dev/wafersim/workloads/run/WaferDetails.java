package dev.wafersim.workloads.run;

/**
 * What a wafer decode run reports about its machine.
 *
 * @param sramBytesUsed           SRAM holding layers, tables and KV cache over all wafers, bytes
 * @param wafers                  wafers in the pipeline
 * @param mappingStrategy         the mapping ({@code layer-regions}, {@code layer-regions-packed})
 * @param regionCols              columns of a layer region (PEs)
 * @param regionRows              rows of a layer region (PEs)
 * @param exact                   whether every layer of every step was simulated
 * @param tilePadElements         padding between weight-tile columns actually used (elements)
 * @param fabricEpisodesSimulated cycle-level fabric runs the result is built from
 * @param waveletHopsSimulated    wavelet hops those runs simulated
 * @param clockGHz                the fabric clock after rounding its period to whole ps
 */
public record WaferDetails(long sramBytesUsed, int wafers, String mappingStrategy, int regionCols, int regionRows,
                           boolean exact, int tilePadElements, long fabricEpisodesSimulated,
                           long waveletHopsSimulated, double clockGHz) implements MachineDetails {
    @Override
    public SystemKind kind() {
        return SystemKind.WAFER;
    }
}
