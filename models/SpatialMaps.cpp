#include "models/SpatialMaps.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace medseg::models {

namespace {

void checkSizes(int64_t in, int64_t out)
{
    if (in < 1 || out < 1)
        throw std::invalid_argument("spatial map sizes must be positive, got " +
                                    std::to_string(in) + " -> " + std::to_string(out));
}

} // namespace

bool resampleWithGemms(Resampling mode, const torch::Tensor &x)
{
    return mode == Resampling::Gemms || (mode == Resampling::Automatic && x.is_cuda());
}

torch::Tensor adaptivePoolWeights(int64_t in, int64_t out)
{
    checkSizes(in, out);
    auto weights = torch::zeros({out, in}, torch::kFloat64);
    auto w = weights.accessor<double, 2>();
    for (int64_t i = 0; i < out; ++i) {
        const int64_t start = (i * in) / out;
        const int64_t end = ((i + 1) * in + out - 1) / out;
        for (int64_t j = start; j < end; ++j)
            w[i][j] = 1.0 / static_cast<double>(end - start);
    }
    return weights;
}

torch::Tensor bilinearWeights(int64_t in, int64_t out)
{
    checkSizes(in, out);
    auto weights = torch::zeros({out, in}, torch::kFloat64);
    auto w = weights.accessor<double, 2>();
    const double scale = static_cast<double>(in) / static_cast<double>(out);
    for (int64_t i = 0; i < out; ++i) {
        const double source = std::max(0.0, (static_cast<double>(i) + 0.5) * scale - 0.5);
        const auto lower = static_cast<int64_t>(source);
        const int64_t upper = lower < in - 1 ? lower + 1 : lower;
        const double upperWeight = source - static_cast<double>(lower);
        w[i][lower] += 1.0 - upperWeight;
        w[i][upper] += upperWeight;
    }
    return weights;
}

torch::Tensor adaptivePoolMatrix(int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w)
{
    return torch::kron(adaptivePoolWeights(in_h, out_h), adaptivePoolWeights(in_w, out_w));
}

torch::Tensor bilinearMatrix(int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w)
{
    return torch::kron(bilinearWeights(in_h, out_h), bilinearWeights(in_w, out_w));
}

torch::Tensor toPixelRows(const torch::Tensor &x)
{
    TORCH_CHECK(x.dim() == 4, "expected an [N, C, H, W] tensor, got ", x.sizes());
    return x.permute({0, 2, 3, 1}).reshape({x.size(0), x.size(2) * x.size(3), x.size(1)});
}

torch::Tensor fromPixelRows(const torch::Tensor &rows, int64_t h, int64_t w)
{
    TORCH_CHECK(rows.dim() == 3 && rows.size(1) == h * w, "expected [N, ", h * w,
                ", C] pixel rows, got ", rows.sizes());
    return rows.view({rows.size(0), h, w, rows.size(2)}).permute({0, 3, 1, 2});
}

torch::Tensor applySpatialMap(const torch::Tensor &map, const torch::Tensor &rows)
{
    TORCH_CHECK(map.dim() == 2 && rows.dim() == 3 && map.size(1) == rows.size(1),
                "a [R, P] spatial map needs [N, P, C] rows, got ", map.sizes(), " and ",
                rows.sizes());
    const auto cast = map.to(rows.device(), rows.scalar_type());
    return torch::bmm(cast.expand({rows.size(0), map.size(0), map.size(1)}), rows);
}

std::vector<torch::Tensor> SpatialMapCache::get(const std::vector<int64_t> &key,
                                                const torch::Tensor &like, const Build &build)
{
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->key == key && it->options.device() == like.device() &&
            it->options.dtype() == like.dtype()) {
            std::rotate(it, it + 1, entries_.end()); // the newest goes last
            return entries_.back().maps;
        }
    }
    Entry entry{key, like.options(), build()};
    for (auto &map : entry.maps)
        map = map.to(entry.options);
    if (entries_.size() == kEntries)
        entries_.erase(entries_.begin());
    entries_.push_back(std::move(entry));
    return entries_.back().maps;
}

torch::Tensor interpolateBilinear(const torch::Tensor &x, int64_t out_h, int64_t out_w)
{
    return torch::nn::functional::interpolate(x, torch::nn::functional::InterpolateFuncOptions()
                                                     .size(std::vector<int64_t>{out_h, out_w})
                                                     .mode(torch::kBilinear)
                                                     .align_corners(false));
}

torch::Tensor resizeBilinear(const torch::Tensor &x, int64_t out_h, int64_t out_w,
                             SpatialMapCache &cache)
{
    TORCH_CHECK(x.dim() == 4, "expected an [N, C, H, W] tensor, got ", x.sizes());
    const int64_t n = x.size(0);
    const int64_t c = x.size(1);
    const int64_t h = x.size(2);
    const int64_t w = x.size(3);
    const auto maps = cache.get({h, w, out_h, out_w}, x, [&] {
        return std::vector<torch::Tensor>{bilinearWeights(h, out_h),
                                          bilinearWeights(w, out_w).t().contiguous()};
    });
    // [N*C*H, W] x [W, out_w] as one GEMM, then [out_h, H] x [H, out_w] for every plane.
    const auto rows = torch::matmul(x.contiguous().view({n * c * h, w}), maps[1]);
    const auto planes = rows.view({n * c, h, out_w});
    const auto resized = torch::bmm(maps[0].expand({n * c, out_h, h}), planes);
    return resized.view({n, c, out_h, out_w});
}

} // namespace medseg::models
