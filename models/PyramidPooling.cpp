#include "models/PyramidPooling.h"

#include <stdexcept>
#include <string>

namespace medseg::models {

PyramidPoolingImpl::PyramidPoolingImpl(int64_t in_channels, std::vector<int> bins_)
    : bins(std::move(bins_))
    , in_channels(in_channels)
{
    if (bins.empty())
        throw std::invalid_argument("pyramid pooling needs at least one bin");
    branch_channels = in_channels / static_cast<int64_t>(bins.size());
    if (branch_channels < 1)
        throw std::invalid_argument("more pyramid pooling bins than input channels");
    stages = register_module("stages", torch::nn::ModuleList());
    for (int bin : bins) {
        if (bin < 1)
            throw std::invalid_argument("pyramid pooling bins must be positive, got " +
                                        std::to_string(bin));
        const bool norm = bin > 1;
        torch::nn::Sequential stage(torch::nn::Conv2d(
            torch::nn::Conv2dOptions(in_channels, branch_channels, 1).bias(!norm)));
        if (norm)
            stage->push_back(torch::nn::BatchNorm2d(branch_channels));
        // In place, as torchvision's: an out-of-place ReLU re-strides the bin-1 branch's
        // [N, C, 1, 1] tensor as NCHW, its upsampling then runs in NCHW, and concatenating it with
        // the channels_last branches costs two slow strided copies per step (1.3 ms of 27 in a
        // PSPNet-ResNet18 step at 512x512, batch 16, on an H200).
        stage->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
        stages->push_back(stage);
    }
}

int64_t PyramidPoolingImpl::outChannels() const
{
    return in_channels + branch_channels * static_cast<int64_t>(bins.size());
}

torch::Tensor PyramidPoolingImpl::forward(const torch::Tensor &x)
{
    return resampleWithGemms(resampling, x) ? forwardWithGemms(x) : forwardWithOperators(x);
}

std::vector<torch::Tensor> PyramidPoolingImpl::grids(const torch::Tensor &x)
{
    checkInput(x);
    std::vector<torch::Tensor> out;
    out.reserve(bins.size());
    if (!resampleWithGemms(resampling, x)) {
        for (size_t i = 0; i < bins.size(); ++i)
            out.push_back(stages[i]->as<torch::nn::Sequential>()->forward(
                torch::adaptive_avg_pool2d(x, {bins[i], bins[i]})));
        return out;
    }
    return gridsFromPixelRows(toPixelRows(x), poolingAndUpsamplingMaps(x)[0]);
}

std::vector<torch::Tensor> PyramidPoolingImpl::gridsFromPixelRows(const torch::Tensor &rows,
                                                                  const torch::Tensor &pool)
{
    const auto pooled = applySpatialMap(pool, rows);
    std::vector<torch::Tensor> out;
    out.reserve(bins.size());
    int64_t row = 0;
    for (size_t i = 0; i < bins.size(); ++i) {
        const int64_t bin = bins[i];
        const auto grid = fromPixelRows(pooled.narrow(1, row, bin * bin), bin, bin);
        out.push_back(stages[i]->as<torch::nn::Sequential>()->forward(grid));
        row += bin * bin;
    }
    return out;
}

void PyramidPoolingImpl::checkInput(const torch::Tensor &x) const
{
    TORCH_CHECK(x.dim() == 4 && x.size(1) == in_channels, "pyramid pooling expects [N, ",
                in_channels, ", H, W], got ", x.sizes());
}

std::vector<torch::Tensor> PyramidPoolingImpl::poolingAndUpsamplingMaps(const torch::Tensor &x)
{
    const int64_t h = x.size(2);
    const int64_t w = x.size(3);
    return maps_.get({h, w}, x, [&] {
        std::vector<torch::Tensor> pool;
        std::vector<torch::Tensor> upsample;
        for (int bin : bins) {
            pool.push_back(adaptivePoolMatrix(h, w, bin, bin));
            upsample.push_back(bilinearMatrix(bin, bin, h, w));
        }
        return std::vector<torch::Tensor>{torch::cat(pool, 0), torch::cat(upsample, 1)};
    });
}

torch::Tensor PyramidPoolingImpl::forwardWithOperators(const torch::Tensor &x)
{
    std::vector<torch::Tensor> outputs{x};
    outputs.reserve(bins.size() + 1);
    for (const auto &grid : grids(x))
        outputs.push_back(interpolateBilinear(grid, x.size(2), x.size(3)));
    return torch::cat(outputs, 1);
}

// The same computation with the pixels as matrix rows: one GEMM pools every bin at once, each
// stage runs on its grid, and one GEMM upsamples all stages together. For that the stages'
// outputs form a block-diagonal [N, R, bins * branch_channels] matrix (stage i's rows hold its
// channels in block i, zeros elsewhere); the zeros cost a few idle FLOPs, far cheaper than four
// separate products and a concatenation of their outputs.
torch::Tensor PyramidPoolingImpl::forwardWithGemms(const torch::Tensor &x)
{
    checkInput(x);
    const auto maps = poolingAndUpsamplingMaps(x);
    const auto rows = toPixelRows(x);
    const auto branches = gridsFromPixelRows(rows, maps[0]);
    const int64_t width = branch_channels * static_cast<int64_t>(bins.size());
    std::vector<torch::Tensor> blocks;
    blocks.reserve(bins.size());
    for (size_t i = 0; i < bins.size(); ++i) {
        const int64_t left = static_cast<int64_t>(i) * branch_channels;
        blocks.push_back(torch::constant_pad_nd(toPixelRows(branches[i]),
                                                {left, width - left - branch_channels}));
    }
    const auto upsampled = applySpatialMap(maps[1], torch::cat(blocks, 1));
    return fromPixelRows(torch::cat({rows, upsampled.to(rows.scalar_type())}, 2), x.size(2),
                         x.size(3));
}

} // namespace medseg::models
