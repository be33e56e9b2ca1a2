#pragma once

// The checks run on every export, written to export-report.json: onnx::checker and strict shape
// inference; fp32 ONNX (ONNX Runtime) against LibTorch on the logits at several input sizes,
// including sizes that are not multiples of 8 or of the pyramid bins; int8 against fp32 (argmax
// agreement, mean Dice drop) on validation slices; file sizes. ONNX Runtime comes from
// onnxruntime-node (see OnnxRuntimeNode); where it is missing the runtime checks are recorded as
// "not run: ..." and the static checks still run.

#include "core/export/OnnxRuntimeNode.h"
#include "models/PSPNet.h"

#include <onnx/onnx_pb.h> // defines ONNX_API, then includes onnx-ml.pb.h

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace medseg::core {

struct ExportValidationSettings
{
    std::vector<std::array<int64_t, 2>> sizes{{33, 47}, {64, 64}, {97, 71}}; // height, width
    double maxAbsDiff = 1e-4;
    double minArgmaxAgreement = 0.99;
    double maxDiceDrop = 0.01;
    // Normalized slices [N, C, H, W] for int8 against fp32; labels [N, H, W] (int64) optional:
    // with labels, Dice is against them; without, against the fp32 prediction.
    std::vector<at::Tensor> validationInputs;
    std::vector<at::Tensor> validationLabels;
    uint64_t seed = 1;
    int threads = 1;
};

struct SizeCheck
{
    int64_t height = 0;
    int64_t width = 0;
    double maxAbsDiff = 0.0;
};

struct ExportReport
{
    std::string format = "onnx"; // or "torchscript": checkerFp32 is then the reload by
                                 // torch::jit::load, the fp32 checks run the reloaded module
    std::string checkerFp32;     // "passed" or the error
    std::string checkerInt8;     // empty without int8
    std::string fp32Status;      // "passed", "failed" or "not run: ..."
    std::vector<SizeCheck> fp32Sizes;
    std::string int8Status; // empty without int8
    double argmaxAgreement = 0.0;
    double diceFp32 = 0.0;
    double diceInt8 = 0.0;
    double diceDrop = 0.0;
    std::string diceReference; // "labels" or "fp32 prediction"
    int64_t validationPixels = 0;
    int64_t fp32Bytes = 0;
    int64_t int8Bytes = 0;
    // The input check: the preprocessing read back from the exported file gives the network the
    // same input as the model's own for the same image ("passed", "failed: ...", "not run: ...").
    std::string inputStatus;
    std::string inputSource; // the image it ran on
    int inputSlices = 0;
    double inputMaxAbsDiff = 0.0;

    // A check that ran failed (a checker error, a difference over its threshold, int8 with
    // nothing to validate on).
    bool failed() const;
    // Every runtime check ran: the exported file was run and compared with the network.
    bool verified() const;
    // Why it was not verified (empty when it was), as the runtime check recorded it.
    std::string notVerifiedReason() const;
    // Verified and nothing failed. A check that did not run is never counted as passed.
    bool passed() const { return verified() && !failed(); }
    // "passed", "failed" or "not verified".
    std::string status() const;
    std::string toJson() const;
};

class ExportValidator
{
public:
    ExportValidator(ExportValidationSettings settings, OnnxRuntimeNode runtime);

    // `fp32Path` must hold `fp32`; `int8Path`/`int8` are empty/null without int8.
    ExportReport validate(models::PSPNet &model, const onnx::ModelProto &fp32,
                          const std::string &fp32Path, const onnx::ModelProto *int8,
                          const std::string &int8Path) const;

private:
    ExportValidationSettings m_settings;
    OnnxRuntimeNode m_runtime;
};

} // namespace medseg::core
