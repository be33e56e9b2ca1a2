#pragma once

// Segmentation losses over logits [N, K, H, W] and targets [N, H, W] (int64 class indexes;
// `ignoreIndex` pixels count nowhere). All return a scalar tensor that can be backpropagated.

#include <torch/types.h>

#include <vector>

namespace medseg::core {

struct DiceLossOptions
{
    double smooth = 1.0;           // added to numerator and denominator, per class
    bool includeBackground = true; // class 0 counts in the mean
    int ignoreIndex = 255;
};

// 1 - mean over classes of (2 * sum(p * g) + smooth) / (sum(p) + sum(g) + smooth), with p the
// softmax probabilities and g the one-hot targets, summed over the batch and pixels. A class
// absent from the batch and not predicted scores 1 (thanks to `smooth`), so it adds no loss.
torch::Tensor softDiceLoss(const torch::Tensor &logits, const torch::Tensor &targets,
                           const DiceLossOptions &options = {});

struct FocalLossOptions
{
    double gamma = 2.0;
    std::vector<double> classWeights; // empty: all 1; else one per class (alpha_c)
    int ignoreIndex = 255;
};

// Softmax focal loss: mean over non-ignored pixels of -w_t * (1 - p_t)^gamma * log(p_t).
torch::Tensor focalLoss(const torch::Tensor &logits, const torch::Tensor &targets,
                        const FocalLossOptions &options = {});

struct MedicalLossOptions
{
    double alpha = 0.7; // alpha * Dice + (1 - alpha) * Focal
    DiceLossOptions dice;
    FocalLossOptions focal;
};

torch::Tensor medicalLoss(const torch::Tensor &logits, const torch::Tensor &targets,
                          const MedicalLossOptions &options = {});

// fp16 dynamic loss scaling as torch.cuda.amp.GradScaler does it, after one step's gradients
// were unscaled: with an inf or NaN among them the step is skipped and the scale halved (not
// below 1); after `growthInterval` finite steps in a row the scale doubles, so that it recovers
// from an early overflow. `finiteSteps` counts those steps (checkpointed with the scale).
// Returns whether the optimizer step may run.
bool updateLossScale(bool gradientsFinite, double &scale, std::int64_t &finiteSteps,
                     std::int64_t growthInterval = 2000);

} // namespace medseg::core
