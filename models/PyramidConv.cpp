#include "models/PyramidConv.h"

#include "models/Layers.h"

#include <torch/torch.h>

#include <algorithm>

namespace medseg::models {

torch::Tensor shiftedTaps(const torch::Tensor &map, int64_t k)
{
    TORCH_CHECK(map.dim() == 2 && k >= 1 && k % 2 == 1, "shiftedTaps needs a 2-D map and an odd k");
    const int64_t out = map.size(0);
    const int64_t in = map.size(1);
    auto taps = torch::zeros({out, k, in}, map.options());
    for (int64_t t = 0; t < k; ++t) {
        const int64_t offset = t - k / 2;
        const int64_t first = std::max<int64_t>(0, -offset);
        const int64_t end = std::min(out, out - offset);
        if (end > first)
            taps.select(1, t)
                .narrow(0, first, end - first)
                .copy_(map.narrow(0, first + offset, end - first));
    }
    return taps.reshape({out, k * in});
}

torch::Tensor pyramidConv(const torch::Tensor &x, const std::vector<torch::Tensor> &grids,
                          const torch::Tensor &weight, SpatialMapCache &cache, bool convolutions)
{
    TORCH_CHECK(x.dim() == 4 && weight.dim() == 4, "pyramidConv expects 4-D input and weight");
    const int64_t n = x.size(0);
    const int64_t c = x.size(1);
    const int64_t h = x.size(2);
    const int64_t w = x.size(3);
    const int64_t o = weight.size(0);
    const int64_t k = weight.size(2);
    TORCH_CHECK(weight.size(3) == k && k % 2 == 1, "pyramidConv needs an odd square kernel, got ",
                weight.sizes());
    std::vector<int64_t> key{h, w, k};
    int64_t channels = c;
    for (const auto &grid : grids) {
        TORCH_CHECK(grid.dim() == 4 && grid.size(0) == n, "pyramid grid ", grid.sizes(),
                    " does not match input ", x.sizes());
        channels += grid.size(1);
        key.push_back(grid.size(2));
        key.push_back(grid.size(3));
    }
    TORCH_CHECK(weight.size(1) == channels, "pyramidConv weight ", weight.sizes(), " for ",
                channels, " input channels");

    // Per branch b, its k shifted row maps side by side, A_b [H, k*h_b], and its k shifted
    // column maps stacked, B_b [k*w_b, W]: maps[2 + 2b] and maps[3 + 2b]. maps[0] holds all
    // branches' A_b side by side, maps[1] all B_b stacked and transposed, [W, sum k*w_b].
    const auto maps = cache.get(key, x, [&] {
        std::vector<torch::Tensor> built(2);
        std::vector<torch::Tensor> rows;
        std::vector<torch::Tensor> columns;
        for (const auto &grid : grids) {
            rows.push_back(shiftedTaps(bilinearWeights(grid.size(2), h), k));
            columns.push_back(shiftedTaps(bilinearWeights(grid.size(3), w), k).t().contiguous());
            built.push_back(rows.back());
            built.push_back(columns.back());
        }
        built[0] = torch::cat(rows, 1);
        built[1] = torch::cat(columns, 0).t().contiguous();
        return built;
    });

    // One split, not a slice per branch: each slice's backward would write a zero gradient the
    // size of the whole weight.
    std::vector<int64_t> widths{c};
    for (const auto &grid : grids)
        widths.push_back(grid.size(1));
    const auto parts = weight.split_with_sizes(widths, 1);
    auto out = torch::conv2d(x, parts[0], {}, 1, k / 2);

    // Each branch's taps mix its channels on its grid: [(O, ky, kx), C_b] x [N, C_b, (i, j)],
    // viewed as [N, O, ky, kx, i, j]. Then the row maps and the column maps, as plain GEMMs whose
    // last one writes the convolution's output layout.
    const bool channelsFirst = out.is_contiguous();
    std::vector<torch::Tensor> partial;
    partial.reserve(grids.size());
    for (size_t b = 0; b < grids.size(); ++b) {
        const auto &grid = grids[b];
        const int64_t cb = grid.size(1);
        const int64_t gh = grid.size(2);
        const int64_t gw = grid.size(3);
        const auto taps = parts[1 + b].permute({0, 2, 3, 1}).reshape({o * k * k, cb});
        const auto mixed =
            (convolutions ? torch::conv2d(grid.contiguous(), taps.view({o * k * k, cb, 1, 1}))
                          : torch::matmul(taps, grid.reshape({n, cb, gh * gw})))
                .view({n, o, k, k, gh, gw});
        if (channelsFirst) {
            // Rows first: [H, (ky, i)] x [(ky, i), (N, O, kx, j)] -> [N*O, H, (kx, j)].
            const auto byRow = mixed.permute({2, 4, 0, 1, 3, 5}).reshape({k * gh, n * o * k * gw});
            partial.push_back(
                torch::mm(maps[2 + 2 * b], byRow).view({h, n * o, k * gw}).transpose(0, 1));
        } else {
            // Columns first: [(N, O, ky, i), (kx, j)] x [(kx, j), W] -> [N, (ky, i), W, O].
            const auto byColumn =
                mixed.permute({0, 1, 2, 4, 3, 5}).reshape({n * o * k * gh, k * gw});
            partial.push_back(
                torch::mm(byColumn, maps[3 + 2 * b]).view({n, o, k * gh, w}).permute({0, 2, 3, 1}));
        }
    }
    if (channelsFirst) {
        // [(N, O, H), sum k*w_b] x [sum k*w_b, W]: NCHW.
        const auto rows = torch::cat(partial, 2).view({n * o * h, -1});
        out.add_(linearRows(rows, maps[1], {}, convolutions).view({n, o, h, w}));
    } else {
        // [H, sum k*h_b] x [N, sum k*h_b, (W, O)]: NHWC.
        const auto columns = torch::cat(partial, 1).view({n, -1, w * o});
        out.add_(torch::matmul(maps[0], columns).view({n, h, w, o}).permute({0, 3, 1, 2}));
    }
    return out;
}

} // namespace medseg::models
