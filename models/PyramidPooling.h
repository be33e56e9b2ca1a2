#pragma once

// PSPNet's pyramid pooling module (Zhao et al. 2017): the feature map is average-pooled to b x b
// grids, each reduced by a 1x1 conv to C/len(bins) channels, upsampled back (bilinear,
// align_corners=false) and concatenated with the input: C + len(bins) * (C/len(bins)) channels.
//
// A 1x1 grid holds one value per channel, so BatchNorm after it has no statistics to compute at
// batch size 1 in training and throws. That branch therefore uses a biased conv + ReLU without a
// norm (as segmentation_models_pytorch does); every other branch is conv + BatchNorm + ReLU. We
// keep BatchNorm elsewhere (rather than GroupNorm everywhere) because it folds into the conv on
// export.
//
// On CUDA the pooling and the upsampling run as two batched GEMMs over the pixels (SpatialMaps.h),
// which computes the same maps several times faster than PyTorch's kernels; elsewhere (the CPU,
// ONNX export) the usual adaptive_avg_pool2d and interpolate run.

#include "models/SpatialMaps.h"

#include <torch/nn.h>

#include <cstdint>
#include <vector>

namespace medseg::models {

struct PyramidPoolingImpl : torch::nn::Module
{
    PyramidPoolingImpl(int64_t in_channels, std::vector<int> bins);
    torch::Tensor forward(const torch::Tensor &x);

    // The branches before their upsampling: stage i's output on its bins[i] x bins[i] grid,
    // [N, branch_channels, bin, bin]. forward() is cat(x, upsampled grids); PSPNet's factored
    // head (PyramidConv.h) convolves the grids without upsampling them.
    std::vector<torch::Tensor> grids(const torch::Tensor &x);

    int64_t outChannels() const;

    // stages[i] is a Sequential: conv, BatchNorm (unless bins[i] == 1), ReLU.
    torch::nn::ModuleList stages{nullptr};
    std::vector<int> bins;
    int64_t in_channels;
    int64_t branch_channels;
    Resampling resampling = Resampling::Automatic;

private:
    torch::Tensor forwardWithOperators(const torch::Tensor &x);
    torch::Tensor forwardWithGemms(const torch::Tensor &x);
    void checkInput(const torch::Tensor &x) const;
    std::vector<torch::Tensor> poolingAndUpsamplingMaps(const torch::Tensor &x);
    // The stages' grids from x as [N, H*W, C] rows and the stacked pooling maps.
    std::vector<torch::Tensor> gridsFromPixelRows(const torch::Tensor &rows,
                                                  const torch::Tensor &pool);

    // Per input size: the pooling maps of all bins stacked, [R, H*W], and the upsampling maps
    // side by side, [H*W, R] (R = the sum of the bins squared).
    SpatialMapCache maps_;
};
TORCH_MODULE(PyramidPooling);

} // namespace medseg::models
