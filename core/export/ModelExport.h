#pragma once

// One export job, as the GUI's Export button and `medseg export` both run it: a trained model
// (a ModelBundle .pt, or a training run folder) to ONNX, fp32 or calibrated int8, or to
// TorchScript, with its model card and the validation report (NAME.export-report.json) beside it.

#include "core/common/Progress.h"
#include "core/export/ExportValidator.h"
#include "core/export/OnnxExporter.h"
#include "core/train/ModelBundle.h"

#include <string>
#include <vector>

namespace medseg::core {

enum class ExportFormat {
    Onnx,       // ONNX Runtime, TensorRT, OpenCV (static size): fp32 or int8
    TorchScript // LibTorch and PyTorch (torch::jit::load, torch.jit.load): fp32
};

struct ModelExportJob
{
    ExportFormat format = ExportFormat::Onnx;
    std::string model;  // a bundle .pt or a run folder (its best.pt, else final.pt)
    std::string output; // the .onnx (or TorchScript .pt) to write
    // ONNX: opset, int8 profile, calibration method, extra outputs, static size; metadata is
    // filled from the model bundle. TorchScript takes none of them (int8 is refused).
    OnnxExportOptions options;
    // Slices as training saw them: [C, H, W] uint8 (C = 1 or 3; / 255), or float (intensities
    // already through the model's rules, core/train/NetworkInput.h's unitOf). Calibration needs
    // some for int8; validation slices (with [H, W] class masks when known) check int8 against
    // fp32.
    std::vector<at::Tensor> calibrationImages;
    std::vector<at::Tensor> validationImages;
    std::vector<at::Tensor> validationMasks; // empty, or one per validation image
    // A case as it comes from its file, for the input check: [C, D, H, W] float raw values (the
    // model's image channels; HU, MR signal) or, for a model of 8-bit grey slices, its grey
    // levels. Without one the check runs on the validation slices (rules already applied).
    at::Tensor checkCase;
    std::string checkCaseName;      // the file, for the report
    bool checkCaseInverted = false; // MONOCHROME1
};

struct ModelExportResult
{
    std::string modelPath; // the bundle that was exported
    std::string onnxPath;  // the exported file (ONNX or TorchScript)
    std::string modelCardPath;
    std::string reportPath;
    ExportReport report;
};

// A run folder's model: best.pt (the best validation score), else final.pt, else model.pt.
// Any other path is returned unchanged.
std::string resolveExportModel(const std::string &modelOrRun);

// The network input for a slice [C, H, W] (8-bit: / 255; float: as it is): grey replicated (or
// RGB averaged) to the model's channels, fitted into the trained input size, then
// (x - mean[c]) / std[c]; [1, C, S, S] float (core/train/NetworkInput.h, as training and
// prediction).
at::Tensor exportNetworkInput(const at::Tensor &image, const ModelBundle &bundle);

// The preprocessing a runtime reads from an exported file: the ONNX file's
// "medseg.preprocessing" metadata, or a TorchScript archive's model card beside it. Throws
// std::runtime_error naming the file.
Preprocessing exportedPreprocessing(const std::string &exportedPath, ExportFormat format);

// Throws std::invalid_argument for options that cannot work (int8 without calibration slices,
// int8 at opset 11) and std::runtime_error naming the file for unreadable models or unwritable
// outputs. `progress` hears the steps (build, save, validate) and may cancel between them.
ModelExportResult exportModel(const ModelExportJob &job, ProgressSink *progress = nullptr);

} // namespace medseg::core
