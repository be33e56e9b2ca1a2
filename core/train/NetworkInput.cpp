#include "core/train/NetworkInput.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace medseg::core {
namespace {

// constant_pad_nd's {left, right, top, bottom} around the slice's region.
std::vector<std::int64_t> paddingOf(const InputPlacement &p)
{
    return {p.left, p.size - p.cols - p.left, p.top, p.size - p.rows - p.top};
}

bool isPadded(const InputPlacement &p)
{
    return p.rows != p.size || p.cols != p.size;
}

} // namespace

torch::Tensor unitOf(const torch::Tensor &image)
{
    at::Tensor x =
        image.scalar_type() == at::kByte ? image.to(at::kFloat).div(255.0) : image.to(at::kFloat);
    if (x.dim() == 2)
        x = x.unsqueeze(0); // [H, W] grey
    if (x.dim() == 3)
        x = x.unsqueeze(0);
    if (x.dim() != 4)
        throw std::runtime_error("an image must be [C, H, W] or [N, C, H, W]");
    return x;
}

torch::Tensor normalizedSlices(const std::vector<VolumeIntensity> &rules,
                               const std::vector<const float *> &channels, std::int64_t count,
                               std::int64_t height, std::int64_t width)
{
    if (rules.size() != channels.size() || channels.empty())
        throw std::runtime_error("each image channel needs its intensity rule");
    const auto channelCount = std::int64_t(channels.size());
    at::Tensor out = at::empty({count, channelCount, height, width}, at::kFloat);
    float *data = out.data_ptr<float>();
    const auto slice = std::size_t(height * width);
    for (std::int64_t n = 0; n < count; ++n)
        for (std::int64_t c = 0; c < channelCount; ++c)
            normalizeIntensities(rules[std::size_t(c)],
                                 channels[std::size_t(c)] + slice * std::size_t(n), slice,
                                 data + slice * std::size_t(n * channelCount + c));
    return out;
}

InputPlacement placementFor(std::int64_t height, std::int64_t width,
                            const Preprocessing &preprocessing)
{
    return placeSlice(height, width, preprocessing.inputSize, preprocessing.resize);
}

torch::Tensor caseSlices(const std::vector<VolumeIntensity> &rules,
                         const std::vector<const float *> &volumes, std::int64_t depth,
                         std::int64_t first, std::int64_t count, std::int64_t height,
                         std::int64_t width, int adjacent)
{
    if (adjacent < 1 || adjacent % 2 == 0)
        throw std::runtime_error("adjacent slices must be an odd number (1, 3 or 5)");
    if (first < 0 || count < 0 || first + count > depth)
        throw std::runtime_error("slices outside the volume");
    const std::size_t sliceSize = std::size_t(height) * std::size_t(width);
    const auto sliceOf = [&](const float *volume, std::int64_t z) {
        return volume + sliceSize * std::size_t(std::clamp<std::int64_t>(z, 0, depth - 1));
    };
    if (adjacent == 1) {
        std::vector<const float *> starts;
        for (const float *volume : volumes)
            starts.push_back(sliceOf(volume, first));
        return normalizedSlices(rules, starts, count, height, width);
    }
    const int radius = adjacent / 2;
    std::vector<VolumeIntensity> expanded;
    for (const VolumeIntensity &rule : rules)
        expanded.insert(expanded.end(), std::size_t(adjacent), rule);
    std::vector<at::Tensor> slices;
    for (std::int64_t z = first; z < first + count; ++z) {
        std::vector<const float *> neighbours;
        for (const float *volume : volumes)
            for (int offset = -radius; offset <= radius; ++offset)
                neighbours.push_back(sliceOf(volume, z + offset));
        slices.push_back(normalizedSlices(expanded, neighbours, 1, height, width));
    }
    return slices.empty() ? at::empty({0, std::int64_t(volumes.size()) * adjacent, height, width})
                          : at::cat(slices);
}

torch::Tensor matchChannels(const torch::Tensor &unit, int inChannels)
{
    if (unit.dim() != 4)
        throw std::runtime_error("network input must be [N, C, H, W]");
    const std::int64_t channels = unit.size(1);
    if (channels == inChannels)
        return unit;
    if (channels == 1)
        return unit.expand({unit.size(0), inChannels, unit.size(2), unit.size(3)});
    if (inChannels == 1)
        return unit.mean(1, true);
    throw std::runtime_error("the images have " + std::to_string(channels) +
                             " channels; the model expects " + std::to_string(inChannels));
}

torch::Tensor placeImage(const torch::Tensor &image, const InputPlacement &placement)
{
    if (placement.isIdentity())
        return image;
    at::Tensor x = image.to(at::kFloat).contiguous();
    if (x.size(2) != placement.rows || x.size(3) != placement.cols)
        x = at::upsample_bilinear2d(x, {placement.rows, placement.cols}, false);
    return isPadded(placement) ? at::constant_pad_nd(x, paddingOf(placement), 0.0) : x;
}

torch::Tensor placeMask(const torch::Tensor &mask, const InputPlacement &placement,
                        std::int64_t padLabel)
{
    at::Tensor m = mask.to(at::kLong);
    if (placement.isIdentity())
        return m;
    const bool single = m.dim() == 2;
    if (single)
        m = m.unsqueeze(0);
    if (m.size(1) != placement.rows || m.size(2) != placement.cols)
        m = at::upsample_nearest2d(m.to(at::kFloat).unsqueeze(1), {placement.rows, placement.cols})
                .squeeze(1)
                .round()
                .to(at::kLong);
    if (isPadded(placement))
        m = at::constant_pad_nd(m, paddingOf(placement), double(padLabel));
    return single ? m.squeeze(0) : m;
}

torch::Tensor normalizeChannels(const torch::Tensor &x, const Preprocessing &preprocessing)
{
    const std::int64_t channels = x.size(1);
    std::vector<float> mean(std::size_t(channels), 0.0f), std(std::size_t(channels), 1.0f);
    for (std::size_t c = 0; c < mean.size(); ++c) {
        if (!preprocessing.mean.empty())
            mean[c] = preprocessing.mean[c % preprocessing.mean.size()];
        if (!preprocessing.std.empty())
            std[c] = preprocessing.std[c % preprocessing.std.size()];
    }
    const auto options = at::TensorOptions().dtype(at::kFloat);
    const at::Tensor m = at::tensor(mean, options).view({1, channels, 1, 1}).to(x.device());
    const at::Tensor s = at::tensor(std, options).view({1, channels, 1, 1}).to(x.device());
    return (x.to(at::kFloat) - m) / s;
}

torch::Tensor networkInput(const torch::Tensor &unit, const Preprocessing &preprocessing,
                           int inChannels)
{
    const InputPlacement placement = placementFor(unit.size(2), unit.size(3), preprocessing);
    return normalizeChannels(placeImage(matchChannels(unit.to(at::kFloat), inChannels), placement),
                             preprocessing)
        .contiguous();
}

torch::Tensor logitsToSlice(const torch::Tensor &logits, const InputPlacement &placement)
{
    if (placement.isIdentity())
        return logits;
    at::Tensor x = logits;
    if (isPadded(placement))
        x = x.narrow(2, placement.top, placement.rows).narrow(3, placement.left, placement.cols);
    if (x.size(2) != placement.height || x.size(3) != placement.width)
        x = at::upsample_bilinear2d(x.contiguous(), {placement.height, placement.width}, false);
    return x;
}

} // namespace medseg::core
