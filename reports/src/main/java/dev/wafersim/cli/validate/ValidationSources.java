package dev.wafersim.cli.validate;

import dev.wafersim.fabric.gpu.GpuCalibration;
import dev.wafersim.workloads.gpu.GpuDecodeValidation;
import dev.wafersim.workloads.gpu.GpuPrefillValidation;
import dev.wafersim.workloads.run.SystemKind;
import dev.wafersim.workloads.wafer.WaferDecodeValidation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every validation source the project carries, in the order {@code wafersim validate} runs them. The table
 * is fixed at class initialization; adding a source is one line in {@link #table()}.
 */
public final class ValidationSources {
    private static final List<ValidationSource> TABLE = Collections.unmodifiableList(table());

    private ValidationSources() {
    }

    private static List<ValidationSource> table() {
        List<ValidationSource> t = new ArrayList<>();
        t.add(ValidationSource.ofCalibrationPoints("gpu-decode", SystemKind.GPU,
                "GPU end to end: published per-token decode latencies of whole models (PyTorch eager, gpt-fast, NVIDIA"
                        + " NIM), simulated with the shipped presets and the measurement's software stack"
                        + " (workloads.gpu.GpuDecodeValidation)",
                GpuDecodeValidation::points));
        t.add(ValidationSource.ofCalibrationPoints("gpu-prefill", SystemKind.GPU,
                "GPU prefill: published first-token latencies at batch 1 (TensorRT-LLM v0.9 perf overview), simulated"
                        + " by the GPU step model (workloads.gpu.GpuPrefillValidation)",
                GpuPrefillValidation::points));
        t.add(ValidationSource.ofCalibrationPoints("gpu-calibration", SystemKind.GPU,
                "GPU kernels and collectives (NCCL, one-shot, two-shot, NVLS): measured kernel times and collective latencies against the GPU"
                        + " model (fabric.gpu.GpuCalibration)",
                GpuCalibration::points));
        // Wafer points: one line per source, e.g.
        t.add(ValidationSource.ofCalibrationPoints("wafer-decode", SystemKind.WAFER,
                "wafer end to end: published Cerebras decode rate and deployment", WaferDecodeValidation::points));
        return t;
    }

    /** Every source, in run order. */
    public static List<ValidationSource> all() {
        return TABLE;
    }
}
