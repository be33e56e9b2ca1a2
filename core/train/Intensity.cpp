#include "core/train/Intensity.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace medseg::core {
namespace {

constexpr double Infinity = std::numeric_limits<double>::infinity();
constexpr std::size_t MaxSamples = std::size_t(1) << 21;

struct SchemeName
{
    IntensityScheme scheme;
    const char *name;
};
constexpr SchemeName SchemeNames[] = {{IntensityScheme::Grey8, "grey8"},
                                      {IntensityScheme::Window, "window"},
                                      {IntensityScheme::CtPercentiles, "ct_percentiles"},
                                      {IntensityScheme::ZScore, "zscore"},
                                      {IntensityScheme::Percentiles, "percentiles"}};

std::string number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

// Every k-th finite value (k so that at most about MaxSamples are kept), `nonzero`: those != 0.
std::vector<float> sampleOf(const float *values, std::size_t count, bool nonzero)
{
    const std::size_t stride = std::max<std::size_t>(1, count / MaxSamples);
    std::vector<float> samples;
    samples.reserve(count / stride + 1);
    for (std::size_t i = 0; i < count; i += stride)
        if (std::isfinite(values[i]) && (!nonzero || values[i] != 0.0f))
            samples.push_back(values[i]);
    return samples;
}

// The p-th percentile (0..100) with linear interpolation between order statistics, as numpy's
// default. Reorders `values`.
double percentile(std::vector<float> &values, double p)
{
    if (values.empty())
        return 0.0;
    const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * double(values.size() - 1);
    const auto below = std::size_t(std::floor(rank));
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(below), values.end());
    const double lo = values[below];
    if (below + 1 >= values.size())
        return lo;
    const double hi = *std::min_element(values.begin() + std::ptrdiff_t(below) + 1, values.end());
    return lo + (rank - double(below)) * (hi - lo);
}

// Mean and standard deviation (population, as numpy's std) of the finite values in [low, high]
// (clipped to it), or over the non-zero values only.
std::pair<double, double> meanAndStd(const float *values, std::size_t count, double low,
                                     double high, bool nonzero)
{
    double sum = 0.0, squares = 0.0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const float v = values[i];
        if (!std::isfinite(v) || (nonzero && v == 0.0f))
            continue;
        const double x = std::clamp(double(v), low, high);
        sum += x;
        squares += x * x;
        ++n;
    }
    if (n == 0)
        return {0.0, 1.0};
    const double mean = sum / double(n);
    return {mean, std::sqrt(std::max(0.0, squares / double(n) - mean * mean))};
}

// nnU-Net divides by max(std, 1e-8); a constant volume becomes 0 everywhere.
double inverseStd(double std)
{
    return 1.0 / std::max(std, 1e-8);
}

// DICOM's linear VOI function to 0..255 (core/dicom/WindowLevel.cpp's linearVoiExact, which the
// VOC export floors), on the value truncated toward zero as WindowLut's integer table reads it.
float windowed(double value, double center, double width, bool invert)
{
    const double v = std::trunc(value);
    const double width1 = std::max(1.0, width) - 1.0;
    const double c = center - 0.5;
    double y = 0.0;
    if (v <= c - width1 / 2.0)
        y = 0.0;
    else if (v > c + width1 / 2.0)
        y = 255.0;
    else
        y = std::clamp(((v - c) / width1 + 0.5) * 255.0, 0.0, 255.0);
    if (invert)
        y = 255.0 - y;
    return float(std::floor(y) / 255.0);
}

} // namespace

std::string toString(IntensityScheme scheme)
{
    for (const SchemeName &entry : SchemeNames)
        if (entry.scheme == scheme)
            return entry.name;
    return "grey8";
}

IntensityScheme intensitySchemeFromString(const std::string &name)
{
    for (const SchemeName &entry : SchemeNames)
        if (name == entry.name)
            return entry.scheme;
    throw std::runtime_error("unknown intensity normalisation '" + name +
                             "' (grey8, window, ct_percentiles, zscore or percentiles)");
}

ChannelIntensity ChannelIntensity::window(double center, double width)
{
    ChannelIntensity rule;
    rule.channel = "CT";
    rule.scheme = IntensityScheme::Window;
    rule.windowCenter = center;
    rule.windowWidth = width;
    return rule;
}

bool ChannelIntensity::isUnitRange() const
{
    return scheme == IntensityScheme::Grey8 || scheme == IntensityScheme::Window ||
           scheme == IntensityScheme::Percentiles;
}

std::string ChannelIntensity::describe() const
{
    switch (scheme) {
    case IntensityScheme::Grey8:
        return "8-bit grey levels";
    case IntensityScheme::Window:
        return "window " + number(windowCenter) + "/" + number(windowWidth);
    case IntensityScheme::CtPercentiles:
        return "clip to " + number(clipLow) + ".." + number(clipHigh) + ", z-score (mean " +
               number(mean) + ", std " + number(std) + ")";
    case IntensityScheme::ZScore:
        return nonzeroMask ? "z-score over non-zero voxels, per volume" : "z-score per volume";
    case IntensityScheme::Percentiles:
        return "clip to the " + number(lowPercentile) + "-" + number(highPercentile) +
               " percentiles per volume";
    }
    return {};
}

void ChannelIntensity::check() const
{
    const std::string where = "channel '" + channel + "': ";
    if (scheme == IntensityScheme::Window && !(windowWidth >= 1.0))
        throw std::runtime_error(where + "window width must be 1 or more");
    if (scheme == IntensityScheme::CtPercentiles && (!(std > 0.0) || !(clipHigh >= clipLow)))
        throw std::runtime_error(where + "CT normalisation needs clip_low <= clip_high and a "
                                         "positive std");
    if (scheme == IntensityScheme::Percentiles &&
        !(lowPercentile >= 0.0 && lowPercentile < highPercentile && highPercentile <= 100.0))
        throw std::runtime_error(where + "percentiles must satisfy 0 <= low < high <= 100");
}

VolumeIntensity volumeIntensity(const ChannelIntensity &rule, const float *voxels,
                                std::size_t count, bool invert)
{
    VolumeIntensity v;
    v.rule = rule;
    v.invert = invert;
    v.low = -Infinity;
    v.high = Infinity;
    switch (rule.scheme) {
    case IntensityScheme::Grey8:
    case IntensityScheme::Window:
        v.scale = 1.0 / 255.0;
        break;
    case IntensityScheme::CtPercentiles:
        v.low = rule.clipLow;
        v.high = rule.clipHigh;
        v.offset = rule.mean;
        v.scale = inverseStd(rule.std);
        break;
    case IntensityScheme::ZScore: {
        const auto [mean, std] = meanAndStd(voxels, count, -Infinity, Infinity, rule.nonzeroMask);
        v.offset = mean;
        v.scale = inverseStd(std);
        break;
    }
    case IntensityScheme::Percentiles: {
        std::vector<float> samples = sampleOf(voxels, count, false);
        v.low = percentile(samples, rule.lowPercentile);
        v.high = percentile(samples, rule.highPercentile);
        v.offset = v.low;
        v.scale = v.high > v.low ? 1.0 / (v.high - v.low) : 0.0;
        break;
    }
    }
    return v;
}

void normalizeIntensities(const VolumeIntensity &v, const float *in, std::size_t count, float *out)
{
    const ChannelIntensity &rule = v.rule;
    if (rule.scheme == IntensityScheme::Window) {
        for (std::size_t i = 0; i < count; ++i)
            out[i] = windowed(double(in[i]), rule.windowCenter, rule.windowWidth, v.invert);
        return;
    }
    if (rule.scheme == IntensityScheme::Grey8) {
        for (std::size_t i = 0; i < count; ++i)
            out[i] = float(double(in[i]) / 255.0);
        return;
    }
    const bool masked = rule.scheme == IntensityScheme::ZScore && rule.nonzeroMask;
    for (std::size_t i = 0; i < count; ++i) {
        const double x = std::isfinite(in[i]) ? double(in[i]) : v.offset;
        out[i] = masked && in[i] == 0.0f
                     ? 0.0f
                     : float((std::clamp(x, v.low, v.high) - v.offset) * v.scale);
    }
}

ChannelIntensity ctPercentilesOf(std::vector<float> foreground, const std::string &channel)
{
    ChannelIntensity rule;
    rule.channel = channel;
    rule.scheme = IntensityScheme::CtPercentiles;
    foreground.erase(std::remove_if(foreground.begin(), foreground.end(),
                                    [](float v) { return !std::isfinite(v); }),
                     foreground.end());
    if (foreground.empty())
        throw std::runtime_error("channel '" + channel +
                                 "': no labeled voxels to take CT intensity statistics from");
    std::vector<float> work = foreground;
    rule.clipLow = percentile(work, 0.5);
    rule.clipHigh = percentile(work, 99.5);
    const auto [mean, std] =
        meanAndStd(foreground.data(), foreground.size(), rule.clipLow, rule.clipHigh, false);
    rule.mean = mean;
    rule.std = std::max(std, 1e-8);
    return rule;
}

bool prefersNonzeroMask(const float *voxels, std::size_t count)
{
    const std::size_t stride = std::max<std::size_t>(1, count / MaxSamples);
    std::size_t seen = 0, nonzero = 0;
    for (std::size_t i = 0; i < count; i += stride, ++seen)
        nonzero += voxels[i] != 0.0f;
    return seen > 0 && nonzero * 4 < seen * 3;
}

} // namespace medseg::core
