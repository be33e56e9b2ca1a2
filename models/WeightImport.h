#pragma once

// Loading torchvision ImageNet weights (or any torch.save'd state dict with torchvision's key
// names) into a backbone, with an exact account of what matched.

#include "models/Backbone.h"
#include "models/PSPNet.h"
#include "models/StateDictFile.h"

#include <cstdint>
#include <string>
#include <vector>

namespace medseg::models {

struct ShapeMismatch
{
    std::string key;
    std::vector<int64_t> model_shape;
    std::vector<int64_t> file_shape;
};

// All key lists are sorted. `ok()` means every parameter and buffer of the module was loaded and
// nothing in the file was left unexplained.
struct ImportReport
{
    std::string source;
    std::vector<std::string> loaded;       // copied into the module (including `adapted`)
    std::vector<std::string> adapted;      // first conv: RGB weights adapted to in_channels
    std::vector<std::string> missing;      // in the module, not in the file (left as they were)
    std::vector<std::string> unexpected;   // in the file, not in the module
    std::vector<ShapeMismatch> mismatched; // in both with different shapes (not loaded)
    std::vector<std::string> skipped;      // the file's classifier head, which a backbone without
                                           // `classifier` deliberately leaves out

    bool ok() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
    // Human-readable, one key per line, for the CLI.
    std::string summary() const;
};

struct LoadOptions
{
    // Key of a first convolution whose RGB weights ([O, 3, kH, kW]) may be adapted to the
    // module's input channels (see adaptInputConvWeight); empty for none.
    std::string first_conv_key;
    // File keys under these prefixes are reported as `skipped` instead of `unexpected`.
    std::vector<std::string> skipped_prefixes;
};

// Copies every tensor of `state` whose key and shape match a parameter or buffer of `module`
// (converting dtype, keeping the module's device) and reports the rest. Nothing is thrown for
// mismatches: the caller decides from the report.
ImportReport loadStateDict(torch::nn::Module &module, const StateDict &state,
                           const LoadOptions &options = {});

// Reads `path` (a torchvision ImageNet weight file or a state dict with the same key names) and
// loads it into `backbone`, adapting the first convolution to its input channels and skipping
// the classifier head when the backbone has none. Throws std::runtime_error when the file cannot
// be read as a state dict.
ImportReport importBackboneWeights(BackboneImpl &backbone, const std::string &path);
ImportReport importBackboneWeights(BackboneImpl &backbone, const StateDict &state);
ImportReport importBackboneWeights(PSPNetImpl &model, const std::string &path);

} // namespace medseg::models
