#pragma once

// A trained model as one file set that prediction, export and the GUI open without the run it
// came from: `NAME.pt` (the state dict, models/StateDictFile format, torch.load-able) and
// `NAME.json` beside it (the network's ModelConfig, classes, and the preprocessing the model was
// trained with). No patient data: only class names, numbers and a dataset summary.

#include "core/train/InferenceRefinement.h"
#include "core/train/InputGeometry.h"
#include "core/train/Intensity.h"
#include "core/train/ValidationScores.h"
#include "models/ModelConfig.h"
#include "models/PSPNet.h"
#include "models/StateDictFile.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core {

struct ModelClass
{
    int index = 0;
    std::string name;
    std::array<std::uint8_t, 3> colour{0, 0, 0};
};

// How a slice becomes the network's input: each image channel's raw values through its
// intensity rule (core/train/Intensity.h; none recorded: one channel of 8-bit grey / 255),
// grey replicated to `config.in_channels`, fitted into the input size, then (x - mean[c]) /
// std[c] (ImageNet's statistics for [0, 1] intensities, 0 and 1 after a z-score).
struct Preprocessing
{
    std::vector<ChannelIntensity> intensity; // one per image channel, in the model's order
    std::vector<float> mean{0.485f, 0.456f, 0.406f};
    std::vector<float> std{0.229f, 0.224f, 0.225f};
    // The square size the network saw in training and how slices were fitted into it
    // (core/train/NetworkInput.h applies both, and maps the logits back). 0: slices go in at
    // their own size.
    int inputSize = 0;
    InputResize resize = InputResize::KeepAspect;
    // 2.5D: each image channel of slice z goes in with its neighbours, slices z - (k - 1) / 2
    // .. z + (k - 1) / 2 (the volume's end slices repeated), channel-major (core/train/
    // NetworkInput.h's caseSlices). 1: the slice alone.
    int adjacentSlices = 1;

    // The image channels a case must provide (1 for 8-bit grey models).
    int imageChannels() const { return intensity.empty() ? 1 : int(intensity.size()); }
    // The channels the network reads from a case: its image channels times the adjacent slices.
    int networkChannels() const { return imageChannels() * adjacentSlices; }
    // Channel c's rule (8-bit grey when none is recorded).
    ChannelIntensity channelRule(int c) const;
    // Whether raw values (HU, MR signal) go in as they are, rather than 8-bit grey as a window
    // or the screen shows them.
    bool readsRawValues() const;
    // Whether every channel's values lie in [0, 1] (no z-score).
    bool isUnitRange() const;
};

// The "preprocessing" object of the model's .json, which the ONNX metadata repeats: the
// intensity rules, mean/std and input geometry. Throws std::runtime_error naming `source`.
std::string preprocessingJson(const Preprocessing &preprocessing);
Preprocessing preprocessingFromJson(const std::string &json, const std::string &source = {});

struct ModelBundle
{
    models::ModelConfig config;
    std::vector<ModelClass> classes;
    Preprocessing preprocessing;
    std::string version = "1";  // model version, user-visible
    std::string datasetSummary; // e.g. "212 slices from 4 patients; 6 classes"
    std::string createdAt;      // ISO 8601 UTC
    ValidationScores validation;
    // How it was trained: core::trainingPlanJson (recipe, its reason, the stages); empty for
    // models from elsewhere.
    std::string trainingPlan;
    // What prediction adds to the argmax (flip TTA, largest regions), chosen on the validation
    // slices after training (core/train/InferenceRefinement.h); empty: none.
    InferenceRefinement refinement;
};

// Writes PATH (.pt) and the .json beside it atomically. Throws std::runtime_error naming the file.
// The model's own config is the one written (bundle.config is ignored where they differ), so the
// json always describes the weights. Each file goes to a temporary file in the same folder, is
// fsync'ed and renamed over the old one: readers see the old or the new file, never a part.
// The .pt is replaced first, then the .json.
void saveModelBundle(const std::string &ptPath, models::PSPNet &model, const ModelBundle &bundle);
// A model's weights (copied to the CPU) and its .json text, taken at one moment, so that writing
// them may run beside training while the model goes on changing.
struct ModelSnapshot
{
    models::StateDict state;
    std::string json;
};
ModelSnapshot snapshotModelBundle(models::PSPNet &model, const ModelBundle &bundle);
// Writes a snapshot as saveModelBundle writes the model: the .pt, then the .json, atomically.
void saveModelSnapshot(const std::string &ptPath, const ModelSnapshot &snapshot);
// Reads the .json beside PATH, builds the network and loads the weights (eval mode, on the CPU).
// Throws std::runtime_error naming the file on a missing, corrupt or mismatching file (the first
// mismatching tensors are named with both shapes). `model` may be null: then only the files are
// checked. *model is replaced only on success.
ModelBundle loadModelBundle(const std::string &ptPath, models::PSPNet *model);

// The .json beside a .pt: NAME.pt -> NAME.json (other names get ".json" appended).
std::string modelBundleJsonPath(const std::string &ptPath);
// The .json alone (model card, classes, preprocessing) without reading the weights, e.g. for a
// model list. Throws std::runtime_error naming the file.
ModelBundle readModelBundleInfo(const std::string &ptPath);
// The .json's text, and back ("source" names the file in errors).
std::string toJson(const ModelBundle &bundle);
ModelBundle modelBundleFromJson(const std::string &json, const std::string &source = {});

} // namespace medseg::core
