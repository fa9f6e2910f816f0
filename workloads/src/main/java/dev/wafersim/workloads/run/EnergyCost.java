package dev.wafersim.workloads.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * Energy and cost of a run ({@code workloads.energy.PowerModel}).
 *
 * @param energyJoules            energy of the whole system over the run, J
 * @param averagePowerW           that energy over the run's simulated time, W
 * @param energyJoulesPerToken    energy per output token, J (every token of every sequence)
 * @param costUsd                 the devices' price over the run's simulated time, USD
 * @param costUsdPerMillionTokens cost per million output tokens, USD
 * @param deviceStateShares       share of the device time in each power state
 * @param note                    a warning about the parameters, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EnergyCost(double energyJoules, double averagePowerW, double energyJoulesPerToken, double costUsd,
                         double costUsdPerMillionTokens, Map<String, Double> deviceStateShares, String note) {
    public EnergyCost {
        deviceStateShares = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(deviceStateShares));
    }
}
