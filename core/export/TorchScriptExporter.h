#pragma once

// TorchScript export, for LibTorch and PyTorch deployments that do not have MedSeg's code: the
// network in eval mode, BatchNorm folded into the convolutions, as a scripted module whose
// forward is TorchScript source written from our modules (the same walk as the ONNX export).
// LibTorch's C++ API can neither script nor trace a module, so the source is generated; the
// archive loads with torch::jit::load (C++) and torch.jit.load (Python).
//
//     forward(input: Tensor [N, C, H, W] float) -> Tensor logits [N, classes, H, W]
//
// Batch, height and width are dynamic. The model card (preprocessing, classes) travels inside
// the archive as the extra file "medseg/modelcard.json".

#include "models/PSPNet.h"

#include <string>

namespace medseg::core {

// The name of the model card inside the archive.
inline constexpr const char *kTorchScriptModelCard = "medseg/modelcard.json";

// The generated TorchScript source of forward() (for diagnostics and tests).
std::string torchScriptSource(models::PSPNet &model);

// Writes the archive atomically. Throws std::invalid_argument for a model in training mode or an
// unsupported module, std::runtime_error naming the file when it cannot be written.
void saveTorchScriptModel(models::PSPNet &model, const std::string &path,
                          const std::string &modelCardJson);

} // namespace medseg::core
