#include "core/dicom/WindowLevel.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

namespace medseg::core {
namespace {

// Beyond this many entries a table costs more to build than it saves (32-bit data with a
// window millions wide); such windows are computed per value.
constexpr std::int64_t MaxTableSize = std::int64_t(1) << 22;

std::string lower(std::string text)
{
    for (char &c : text)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::uint8_t floorToByte(double y)
{
    if (!(y > 0.0)) // also NaN
        return 0;
    if (y >= 255.0)
        return 255;
    return std::uint8_t(y);
}

// Truncation toward zero, as DCMTK applies to rescaled values, clamped to int's range.
std::int64_t truncated(float value, std::int64_t lo, std::int64_t hi)
{
    if (!(value >= float(lo)))
        return lo;
    if (!(value <= float(hi)))
        return hi;
    return std::clamp<std::int64_t>(std::int64_t(value), lo, hi);
}

std::string formatNumber(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

} // namespace

double linearVoiExact(double value, const Window &window, bool invert)
{
    // PS3.3 C.11.2.1.2.1 as the standard writes it. DCMTK rearranges the same function
    // (offset + x * gradient); the two agree to within rounding, i.e. within one grey level.
    const double width = std::max(1.0, window.width);
    const double center = window.center;
    const double width1 = width - 1.0;
    double y = 0.0;
    if (value <= center - 0.5 - width1 / 2.0)
        y = 0.0;
    else if (value > center - 0.5 + width1 / 2.0)
        y = 255.0;
    else
        y = std::clamp(((value - (center - 0.5)) / width1 + 0.5) * 255.0, 0.0, 255.0);
    return invert ? 255.0 - y : y;
}

std::uint8_t applyLinearVoi(double value, const Window &window)
{
    return floorToByte(linearVoiExact(value, window, false));
}

std::vector<Window> windowPresets(const std::string &modality)
{
    if (lower(modality) != "ct")
        return {};
    return {
        {40, 80, "CT brain"},    {75, 215, "CT subdural"},    {40, 40, "CT stroke"},
        {-600, 1500, "CT lung"}, {50, 350, "CT mediastinum"}, {40, 400, "CT abdomen"},
        {60, 160, "CT liver"},   {400, 1800, "CT bone"},
    };
}

Window findPreset(const std::string &name)
{
    std::string wanted = lower(name);
    while (!wanted.empty() && wanted.back() == ' ')
        wanted.pop_back();
    for (const Window &preset : windowPresets("CT")) {
        const std::string full = lower(preset.name);
        if (wanted == full || "ct " + wanted == full)
            return preset;
    }
    return Window{0.0, 0.0, {}};
}

// The window from lo to hi: for whole numbers as DCMTK's min-max window (center (lo + hi + 1)
// / 2, width hi - lo + 1, so that lo maps to 0 and hi to 255); for fractional values (float
// images: probabilities, normalised MR) exactly from lo to hi.
Window dataWindow(double lo, double hi, const std::string &name)
{
    if (lo == std::floor(lo) && hi == std::floor(hi))
        return Window{(lo + hi + 1.0) / 2.0, hi - lo + 1.0, name};
    return Window{(lo + hi) / 2.0, std::max(hi - lo, 1e-6), name};
}

Window minMaxWindow(const float *values, std::size_t count, std::size_t stride)
{
    stride = std::max<std::size_t>(1, stride);
    float lo = std::numeric_limits<float>::infinity();
    float hi = -std::numeric_limits<float>::infinity();
    for (std::size_t n = 0; n < count; ++n) {
        const float v = values[n * stride];
        if (v < lo)
            lo = v;
        if (v > hi)
            hi = v;
    }
    if (lo > hi) // nothing but NaNs, or no values
        return Window{0.5, 1.0, "min-max"};
    return dataWindow(lo, hi, "min-max");
}

Window percentileWindow(const float *values, std::size_t count, double lowPercent,
                        double highPercent, std::size_t stride)
{
    stride = std::max<std::size_t>(1, stride);
    // A million samples place a percentile within 0.1% of the exact one; a whole CT volume
    // would otherwise cost a copy of 100 M floats.
    const std::size_t step = std::max<std::size_t>(1, count / (std::size_t(1) << 20));
    std::vector<float> sample;
    sample.reserve(count / step + 1);
    for (std::size_t n = 0; n < count; n += step) {
        const float v = values[n * stride];
        if (!std::isnan(v))
            sample.push_back(v);
    }
    const std::string name =
        formatNumber(lowPercent) + "-" + formatNumber(highPercent) + " percentile";
    if (sample.empty())
        return Window{0.5, 1.0, name};
    lowPercent = std::clamp(lowPercent, 0.0, 100.0);
    highPercent = std::clamp(highPercent, lowPercent, 100.0);
    const auto rank = [&](double percent) {
        return std::size_t(std::llround(percent / 100.0 * double(sample.size() - 1)));
    };
    const std::size_t loRank = rank(lowPercent);
    const std::size_t hiRank = rank(highPercent);
    std::nth_element(sample.begin(), sample.begin() + std::ptrdiff_t(loRank), sample.end());
    const double lo = sample[loRank];
    std::nth_element(sample.begin() + std::ptrdiff_t(loRank),
                     sample.begin() + std::ptrdiff_t(hiRank), sample.end());
    const double hi = sample[hiRank];
    return dataWindow(lo, hi, name);
}

WindowLut::WindowLut(const Window &window, int minValue, int maxValue, bool invert)
    : m_window(window)
    , m_invert(invert)
{
    if (minValue > maxValue)
        std::swap(minValue, maxValue);
    if (window.isFine()) {
        // Narrow windows (float images): evaluated per value, fractions kept.
        m_continuous = true;
        m_minValue = minValue;
        m_maxValue = maxValue;
        return;
    }
    // Only the sloped part of the window needs entries: below it everything is black, above
    // it white, and the table's end entries say so.
    const double width = std::max(1.0, window.width);
    const double left = window.center - 0.5 - (width - 1.0) / 2.0;
    const double right = window.center - 0.5 + (width - 1.0) / 2.0;
    const auto clampToDomain = [&](double v) {
        return std::int64_t(std::clamp(v, double(minValue), double(maxValue)));
    };
    const std::int64_t first = clampToDomain(std::floor(left) - 1.0);
    const std::int64_t last = clampToDomain(std::ceil(right) + 1.0);
    m_minValue = int(first);
    m_maxValue = int(last);
    if (last - first + 1 > MaxTableSize) {
        m_direct = true;
        m_minValue = minValue;
        m_maxValue = maxValue;
        return;
    }
    m_table.resize(std::size_t(last - first + 1));
    for (std::int64_t v = first; v <= last; ++v)
        m_table[std::size_t(v - first)] = floorToByte(linearVoiExact(double(v), window, invert));
}

WindowLut::WindowLut(const VoiLut &lut, int minValue, int maxValue, bool invert)
    : m_invert(invert)
{
    if (minValue > maxValue)
        std::swap(minValue, maxValue);
    const int bits = std::clamp(lut.bitsPerEntry, 1, 16);
    const double maxEntry = double((1 << bits) - 1);
    const auto entryGrey = [&](std::size_t index) {
        const double entry = lut.entries.empty() ? 0.0 : double(lut.entries[index]);
        const double y = std::clamp(entry * 255.0 / maxEntry, 0.0, 255.0);
        return floorToByte(invert ? 255.0 - y : y);
    };
    if (lut.entries.empty()) {
        m_minValue = m_maxValue = minValue;
        m_table.assign(1, entryGrey(0));
        return;
    }
    const std::int64_t lutFirst = lut.firstMapped;
    const std::int64_t lutLast = lutFirst + std::int64_t(lut.entries.size()) - 1;
    std::int64_t first = std::max<std::int64_t>(minValue, lutFirst);
    std::int64_t last = std::min<std::int64_t>(maxValue, lutLast);
    if (first > last) {
        // The data lie entirely below or above the LUT: one entry says it all.
        m_minValue = m_maxValue = minValue;
        m_table.assign(1, entryGrey(maxValue < lutFirst ? 0 : lut.entries.size() - 1));
        return;
    }
    m_minValue = int(first);
    m_maxValue = int(last);
    m_table.resize(std::size_t(last - first + 1));
    for (std::int64_t v = first; v <= last; ++v)
        m_table[std::size_t(v - first)] = entryGrey(std::size_t(v - lutFirst));
}

std::uint8_t WindowLut::map(float value) const
{
    if (m_continuous) {
        if (std::isnan(value))
            return m_invert ? 255 : 0;
        if (m_window.width >= 1.0)
            return floorToByte(linearVoiExact(double(value), m_window, m_invert));
        // Below one unit wide the standard's formula would widen the window to 1.
        const double y =
            std::clamp((double(value) - (m_window.center - m_window.width / 2.0)) / m_window.width,
                       0.0, 1.0) *
            255.0;
        return floorToByte(m_invert ? 255.0 - y : y);
    }
    const std::int64_t v = truncated(value, m_minValue, m_maxValue);
    if (m_direct)
        return floorToByte(linearVoiExact(double(v), m_window, m_invert));
    return m_table[std::size_t(v - m_minValue)];
}

void WindowLut::apply(const float *in, std::size_t count, std::uint8_t *out,
                      std::size_t inStride) const
{
    // Table ends beyond 2^24 are not exact in float; those (rare) tables take the safe path.
    const bool floatExact = std::abs(std::int64_t(m_minValue)) <= (std::int64_t(1) << 24) &&
                            std::abs(std::int64_t(m_maxValue)) <= (std::int64_t(1) << 24);
    if (m_direct || m_continuous || !floatExact) {
        for (std::size_t n = 0; n < count; ++n)
            out[n] = map(in[n * inStride]);
        return;
    }
    // The hot loop of every slice view: clamp in float (NaN goes to the first entry), truncate
    // toward zero, one table read.
    const float lo = float(m_minValue);
    const float hi = float(m_maxValue);
    const std::uint8_t *table = m_table.data();
    const int first = m_minValue;
    if (inStride == 1) {
        for (std::size_t n = 0; n < count; ++n) {
            float v = in[n];
            v = v >= lo ? v : lo;
            v = v <= hi ? v : hi;
            out[n] = table[int(v) - first];
        }
    } else {
        for (std::size_t n = 0; n < count; ++n) {
            float v = in[n * inStride];
            v = v >= lo ? v : lo;
            v = v <= hi ? v : hi;
            out[n] = table[int(v) - first];
        }
    }
}

} // namespace medseg::core
