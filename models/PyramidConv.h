#pragma once

// PSPNet's bottleneck convolution over the pyramid pooling's output, computed without upsampling
// the pyramid's branches.
//
// The bottleneck convolves cat(x, up(g_1), ..., up(g_k)): the features x and the branches g_b,
// each a [N, C_b, h_b, w_b] grid upsampled bilinearly to x's size. The convolution is linear in
// its input and so is the upsampling, which is a matrix along the rows (U_b, [H, h_b]) and one
// along the columns (V_b, [W, w_b]). For kernel tap (ky, kx) the convolution reads the upsampled
// map shifted by the tap's offset, with zeros outside (the padding), which is the upsampling by the
// shifted matrices U_b,ky and V_b,kx (rows that fall into the padding are zero). So branch b's
// share of the output is
//
//     sum over ky, kx of   U_b,ky  (W_b[:, :, ky, kx] g_b)  V_b,kx^T
//
// and each product runs on the branch's small grid: mix the channels with every tap's weights
// (C_b -> k*k*O values per grid cell), then apply the k shifted row maps side by side and the k
// shifted column maps stacked, as plain GEMMs, the last of which writes the convolution's output
// layout (NCHW or channels_last). Only the features' part remains an ordinary convolution.
//
// The values are the same up to rounding, forward and backward (autograd differentiates the
// products). The saving is the convolution over the upsampled branches: half the bottleneck's
// input channels, O * sum(C_b) * k*k multiply-adds per output pixel. In a PSPNet at output stride
// 8 (256x256 input) that is 14% of all the multiply-adds with ResNet18, 10% with ConvNeXt-Tiny, and
// 43% and 39% with MobileNetV3-Large and EfficientNet-B0, whose 960 and 1280 feature channels make
// the bottleneck their largest layer (what it saves in time: bench/README.md). The factored form's
// largest product, over the full-size output, takes H*W*O*k*sum(w_b) multiply-adds against the
// direct convolution's H*W*O*k*k*sum(C_b): about 1% with bins 1, 3, 5, 7 and 4 x 128 branch
// channels. Nor does it materialise the upsampled branches or their concatenation, forward or
// backward.

#include "models/SpatialMaps.h"

#include <torch/types.h>

#include <vector>

namespace medseg::models {

// conv2d(cat({x, upsampled grids...}, 1), weight) with stride 1, dilation 1, one group, no bias
// and padding kernel / 2 (an odd square kernel), where each grid is upsampled to x's size by
// bilinear interpolation (align_corners=false) as PyramidPooling does. weight is
// [O, C + sum C_b, k, k]; the result is [N, O, H, W] with x's memory format. `cache` keeps the
// shifted upsampling maps of the last sizes. With `convolutions` the products on the grids run as
// 1x1 convolutions (gemmsAsConvolutions() in Layers.h says when that is faster).
torch::Tensor pyramidConv(const torch::Tensor &x, const std::vector<torch::Tensor> &grids,
                          const torch::Tensor &weight, SpatialMapCache &cache, bool convolutions);

// [out, k * in]: k copies of map [out, in] side by side, copy t shifted by t - k / 2 rows (row r
// holds map's row r + t - k / 2, zero where that is outside the map). Exposed for the tests.
torch::Tensor shiftedTaps(const torch::Tensor &map, int64_t k);

} // namespace medseg::models
