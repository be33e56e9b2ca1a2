#pragma once

// Adaptive average pooling and bilinear resizing written as matrices over the spatial positions.
//
// Both are linear maps that treat every image and channel alike: pooled = P x and resized = U y,
// where x and y are one channel's pixels flattened row-major and P, U are [out_h*out_w, in_h*in_w]
// Kronecker products of the 1-D maps along the rows and along the columns. On a channels_last
// tensor viewed as [N, H*W, C] each is then one batched GEMM, forward and backward.
//
// Why: on CUDA, PyTorch's channels_last adaptive_avg_pool2d to small grids and the backward of
// bilinear upsampling from them are slow kernels (few outputs, long serial windows; atomics into a
// few pixels). In a PSPNet-ResNet18 training step (512x512, batch 16, bf16, H200) the pyramid
// pooling's three pools took 3.1 ms and its four upsampling backwards 1.6 ms of 27 ms; as GEMMs on
// tensor cores they take a few microseconds each.

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace medseg::models {

// How a model pools and resizes; both ways give the same values, to rounding.
enum class Resampling {
    Automatic, // GEMMs on CUDA, PyTorch's operators elsewhere (the CPU, ONNX export)
    Operators, // adaptive_avg_pool2d and bilinear interpolate
    Gemms,     // spatial maps as matrix products
};

// Whether `mode` computes x's pooling and resizing as GEMMs.
bool resampleWithGemms(Resampling mode, const torch::Tensor &x);

// [out, in]: row i averages the inputs [floor(i*in/out), ceil((i+1)*in/out)), the windows of
// adaptive_avg_pool (which overlap when out does not divide in, or when out > in).
torch::Tensor adaptivePoolWeights(int64_t in, int64_t out);

// [out, in]: row i holds the weights upsample_bilinear2d (align_corners=false, no scale factor)
// gives output i: source (i + 0.5) * in / out - 0.5 clamped at 0, split between its two neighbours.
torch::Tensor bilinearWeights(int64_t in, int64_t out);

// The 2-D maps, [out_h*out_w, in_h*in_w], float64 on the CPU (cast them once per device).
torch::Tensor adaptivePoolMatrix(int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w);
torch::Tensor bilinearMatrix(int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w);

// [N, C, H, W] -> [N, H*W, C]: a view when x is channels_last, one copy otherwise.
torch::Tensor toPixelRows(const torch::Tensor &x);

// [N, H*W, C] -> [N, C, H, W] with channels_last strides (a view).
torch::Tensor fromPixelRows(const torch::Tensor &rows, int64_t h, int64_t w);

// map [R, P] applied to every image of rows [N, P, C]: [N, R, C]. The map is cast to the rows'
// type; under autocast the product runs in the autocast type like any matmul.
torch::Tensor applySpatialMap(const torch::Tensor &map, const torch::Tensor &rows);

// The maps of the few most recently used sizes, on their device and in their type, so that a
// forward pass builds none: maps are built on the CPU, and a CUDA graph cannot capture the copy
// (a training step's warm-up steps fill the cache before the capture). Thread-safe.
class SpatialMapCache
{
public:
    using Build = std::function<std::vector<torch::Tensor>()>;

    // The maps stored under `key` for `like`'s device and type; `build` makes them (float64
    // CPU tensors) when they are missing.
    std::vector<torch::Tensor> get(const std::vector<int64_t> &key, const torch::Tensor &like,
                                   const Build &build);

private:
    struct Entry
    {
        std::vector<int64_t> key;
        torch::TensorOptions options;
        std::vector<torch::Tensor> maps;
    };
    static constexpr size_t kEntries = 4;

    std::mutex mutex_;
    std::vector<Entry> entries_; // newest last
};

// PyTorch's bilinear interpolate (align_corners=false) of x [N, C, H, W] to [N, C, out_h, out_w].
torch::Tensor interpolateBilinear(const torch::Tensor &x, int64_t out_h, int64_t out_w);

// Bilinear resizing (align_corners=false) of x [N, C, H, W] to [N, C, out_h, out_w], the values of
// upsample_bilinear2d, as two GEMMs: along the rows of every plane, then along the columns.
// Returns a contiguous (NCHW) tensor.
torch::Tensor resizeBilinear(const torch::Tensor &x, int64_t out_h, int64_t out_w,
                             SpatialMapCache &cache);

} // namespace medseg::models
