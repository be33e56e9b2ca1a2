#pragma once

#include "core/train/ModelBundle.h"

// ONNX export of a PSPNet from our own modules (LibTorch has no ONNX exporter, and PyTorch's
// cannot export adaptive pooling to 3, 5 or 7 bins): BatchNorm folded into the convolutions,
// dynamic batch, height and width, fp32 at opset 11, 13 or 17, or int8 QDQ (opset 13+) after
// static calibration. The preprocessing travels with the model as metadata_props and a JSON
// model card; neither holds patient data.

#include "core/export/OnnxGraph.h"
#include "models/PSPNet.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace medseg::core {

struct ExportClass
{
    int index = 0;
    std::string name;
    std::array<std::uint8_t, 3> colour{0, 0, 0};
};

// What a deployment needs to feed the model as in training.
struct ExportMetadata
{
    std::vector<ExportClass> classes;
    // How a slice becomes the input (the model bundle's: intensity rules per channel, mean/std,
    // input size and resize), written as the model's .json writes it.
    Preprocessing preprocessing;
    // What prediction adds to the argmax (flip TTA, largest regions per class): the exported
    // graph gives the logits, so a runtime applies these itself; the card says which.
    InferenceRefinement refinement;
    std::string modelVersion = "1";
    std::string datasetSummary; // counts only, e.g. "212 slices from 4 patients; 6 classes"
    std::string createdAt;      // ISO 8601 UTC
    std::string trainingPlan;   // JSON: recipe, its reason, stages (ModelBundle::trainingPlan)
};

enum class CalibrationMethod { MinMax, Percentile };

struct OnnxExportOptions
{
    int opset = 17;             // 11, 13 or 17; int8 needs 13+
    bool softmaxOutput = false; // adds "probabilities" [N, classes, H, W]
    bool argmaxOutput = false;  // adds "labels" [N, H, W] (int64)
    std::optional<QuantProfile> int8;
    // Height and width of a static graph with input [1, C, height, width]: sizes become constants
    // and nothing is computed from shapes, for runtimes that cannot evaluate shape subgraphs
    // (OpenCV 4.6's dnn module). Unset: dynamic batch, height and width.
    std::optional<std::array<int64_t, 2>> staticSize;
    // PSPNet's bottleneck without upsampling the pyramid's branches (models/PyramidConv.h): the
    // same values for a fraction of the cost (14% fewer multiply-adds with ResNet18, about 40%
    // with MobileNetV3 and EfficientNet-B0). Dynamic graphs only; a static one is always
    // upsampled.
    bool factorPyramidHead = true;
    CalibrationMethod calibration = CalibrationMethod::MinMax;
    double percentile = 99.99;
    // Normalized network inputs [N, C, H, W] (any size) for int8 calibration.
    std::vector<at::Tensor> calibrationBatches;
    ExportMetadata metadata;
};

// Builds the ONNX model (the network must be in eval mode; it is not changed). Graph input
// "input" [batch, C, height, width]; output "logits" [batch, classes, height, width], plus the
// optional outputs. Throws std::invalid_argument on an unsupported option or module.
onnx::ModelProto buildOnnxModel(models::PSPNet &model, const OnnxExportOptions &options);

// Runs onnx::checker and strict shape inference; throws std::runtime_error with the reason.
void checkOnnxModel(const onnx::ModelProto &model);

// Writes the model atomically; throws std::runtime_error naming the file.
void saveOnnxModel(const onnx::ModelProto &model, const std::string &path);

// The model card (JSON text) written beside the .onnx, and where it goes: NAME.onnx ->
// NAME.modelcard.json.
std::string modelCardJson(const models::ModelConfig &config, const OnnxExportOptions &options);
std::string modelCardPath(const std::string &onnxPath);
// The validation report beside an exported file: NAME.onnx (or NAME.pt) ->
// NAME.export-report.json, so that exports of several formats in one folder keep their own.
std::string exportReportPath(const std::string &exportedPath);

// Writes `text` to `path` atomically; throws std::runtime_error naming the file.
void writeTextFile(const std::string &path, const std::string &text);

} // namespace medseg::core
