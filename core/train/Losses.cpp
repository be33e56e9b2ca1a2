#include "core/train/Losses.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace medseg::core {

namespace {

std::string shapeText(at::IntArrayRef sizes)
{
    std::string text = "[";
    for (std::size_t i = 0; i < sizes.size(); ++i)
        text += (i ? ", " : "") + std::to_string(sizes[i]);
    return text + "]";
}

void checkShapes(const at::Tensor &logits, const at::Tensor &targets, const char *loss)
{
    if (logits.dim() != 4 || targets.dim() != 3 || logits.size(0) != targets.size(0) ||
        logits.size(2) != targets.size(1) || logits.size(3) != targets.size(2))
        throw std::runtime_error(std::string(loss) +
                                 ": needs logits [N, K, H, W] and targets [N, H, W]; got " +
                                 shapeText(logits.sizes()) + " and " + shapeText(targets.sizes()));
}

// Targets with the ignored pixels set to class 0, and the mask of the pixels that count.
// On the CPU, classes beyond the logits are refused here (on CUDA that check would cost a
// device synchronisation per step; gather's own device assert catches them there).
std::pair<at::Tensor, at::Tensor> validTargets(const at::Tensor &targets, std::int64_t classes,
                                               int ignoreIndex, const char *loss)
{
    const at::Tensor valid = targets != ignoreIndex;
    const at::Tensor clean = at::where(valid, targets, at::zeros_like(targets)).to(at::kLong);
    if (clean.device().is_cpu() && clean.numel() > 0) {
        const std::int64_t lo = clean.min().item<std::int64_t>();
        const std::int64_t hi = clean.max().item<std::int64_t>();
        if (lo < 0 || hi >= classes)
            throw std::runtime_error(std::string(loss) + ": target class " +
                                     std::to_string(lo < 0 ? lo : hi) + " outside 0.." +
                                     std::to_string(classes - 1) + " (and not the ignore index " +
                                     std::to_string(ignoreIndex) + ")");
    }
    return {clean, valid};
}

} // namespace

torch::Tensor softDiceLoss(const torch::Tensor &logits, const torch::Tensor &targets,
                           const DiceLossOptions &options)
{
    checkShapes(logits, targets, "Dice loss");
    const std::int64_t k = logits.size(1);
    const auto [clean, valid] = validTargets(targets, k, options.ignoreIndex, "Dice loss");
    // float32 even under bf16/fp16 autocast: sums over whole batches lose too much otherwise.
    const at::Tensor validF = valid.unsqueeze(1).to(at::kFloat);
    const at::Tensor probs = at::softmax(logits.to(at::kFloat), 1) * validF;
    const at::Tensor classes = at::arange(k, clean.options()).view({1, k, 1, 1});
    const at::Tensor onehot = (clean.unsqueeze(1) == classes).to(at::kFloat) * validF;
    const std::vector<std::int64_t> dims{0, 2, 3};
    const at::Tensor intersection = (probs * onehot).sum(dims);
    const at::Tensor cardinality = probs.sum(dims) + onehot.sum(dims);
    at::Tensor dice = (2.0 * intersection + options.smooth) / (cardinality + options.smooth);
    if (!options.includeBackground) {
        if (k < 2)
            throw std::runtime_error("Dice loss without background needs 2 or more classes");
        dice = dice.narrow(0, 1, k - 1);
    }
    return 1.0 - dice.mean();
}

torch::Tensor focalLoss(const torch::Tensor &logits, const torch::Tensor &targets,
                        const FocalLossOptions &options)
{
    checkShapes(logits, targets, "focal loss");
    const std::int64_t k = logits.size(1);
    if (!options.classWeights.empty() && std::int64_t(options.classWeights.size()) != k)
        throw std::runtime_error("focal loss: " + std::to_string(options.classWeights.size()) +
                                 " class weights for " + std::to_string(k) + " classes");
    const auto [clean, valid] = validTargets(targets, k, options.ignoreIndex, "focal loss");
    const at::Tensor logProbs = at::log_softmax(logits.to(at::kFloat), 1);
    const at::Tensor logPt = logProbs.gather(1, clean.unsqueeze(1)).squeeze(1);
    const at::Tensor pt = at::exp(logPt);
    at::Tensor loss = -at::pow(1.0 - pt, options.gamma) * logPt;
    if (!options.classWeights.empty()) {
        const at::Tensor weights =
            at::tensor(options.classWeights, at::TensorOptions().dtype(at::kDouble))
                .to(logProbs.device(), at::kFloat);
        loss = loss * weights.index_select(0, clean.flatten()).view_as(loss);
    }
    const at::Tensor validF = valid.to(at::kFloat);
    // No pixel counts: 0, still attached to the graph.
    return (loss * validF).sum() / validF.sum().clamp_min(1.0);
}

torch::Tensor medicalLoss(const torch::Tensor &logits, const torch::Tensor &targets,
                          const MedicalLossOptions &options)
{
    if (options.alpha >= 1.0)
        return softDiceLoss(logits, targets, options.dice);
    if (options.alpha <= 0.0)
        return focalLoss(logits, targets, options.focal);
    return options.alpha * softDiceLoss(logits, targets, options.dice) +
           (1.0 - options.alpha) * focalLoss(logits, targets, options.focal);
}

bool updateLossScale(bool gradientsFinite, double &scale, std::int64_t &finiteSteps,
                     std::int64_t growthInterval)
{
    if (!gradientsFinite) {
        scale = std::max(1.0, scale / 2);
        finiteSteps = 0;
        return false;
    }
    if (++finiteSteps >= growthInterval) {
        scale *= 2;
        finiteSteps = 0;
    }
    return true;
}

} // namespace medseg::core
