#include "core/dataset/ClassStatistics.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace medseg::core {

ClassStatistics::ClassStatistics(int classCount)
    : m_counts(std::size_t(std::max(0, classCount)), 0)
{}

void ClassStatistics::add(const std::uint8_t *mask, std::size_t count, bool growClasses)
{
    std::array<std::int64_t, 256> histogram{};
    for (std::size_t n = 0; n < count; ++n)
        ++histogram[mask[n]];
    m_ignored += histogram[255];
    for (int value = 0; value < 255; ++value) {
        if (!histogram[std::size_t(value)])
            continue;
        if (value >= classCount()) {
            if (!growClasses)
                throw std::out_of_range("class index " + std::to_string(value) +
                                        " beyond the class table");
            m_counts.resize(std::size_t(value) + 1, 0);
        }
        m_counts[std::size_t(value)] += histogram[std::size_t(value)];
    }
}

std::int64_t ClassStatistics::total() const
{
    std::int64_t sum = 0;
    for (std::int64_t n : m_counts)
        sum += n;
    return sum;
}

std::vector<double> ClassStatistics::frequencies() const
{
    const double all = double(total());
    std::vector<double> result(m_counts.size(), 0.0);
    if (all > 0)
        for (std::size_t c = 0; c < m_counts.size(); ++c)
            result[c] = double(m_counts[c]) / all;
    return result;
}

namespace {

std::vector<double> normalisedToOne(std::vector<double> weights)
{
    double sum = 0;
    for (double w : weights)
        sum += w;
    if (sum > 0)
        for (double &w : weights)
            w /= sum;
    return weights;
}

} // namespace

std::vector<double> ClassStatistics::inverseFrequencyWeights() const
{
    const std::vector<double> f = frequencies();
    std::vector<double> weights(f.size(), 0.0);
    for (std::size_t c = 0; c < f.size(); ++c)
        if (f[c] > 0)
            weights[c] = 1.0 / f[c];
    return normalisedToOne(weights);
}

std::vector<double> ClassStatistics::clippedWeights(double maxRatio) const
{
    if (maxRatio < 1.0)
        throw std::invalid_argument("clipped class weights: the ratio must be at least 1");
    const std::vector<double> f = frequencies();
    std::vector<double> present;
    for (double value : f)
        if (value > 0)
            present.push_back(1.0 / value);
    std::vector<double> weights(f.size(), 0.0);
    if (present.empty())
        return weights;
    std::sort(present.begin(), present.end());
    const std::size_t middle = present.size() / 2;
    const double median =
        present.size() % 2 ? present[middle] : 0.5 * (present[middle - 1] + present[middle]);
    const double low = median / maxRatio, high = median * maxRatio;
    double largest = 0.0;
    for (std::size_t c = 0; c < f.size(); ++c)
        if (f[c] > 0) {
            weights[c] = std::clamp(1.0 / f[c], low, high);
            largest = std::max(largest, weights[c]);
        }
    for (std::size_t c = 0; c < f.size(); ++c)
        if (f[c] <= 0)
            weights[c] = largest;
    return normalisedToOne(weights);
}

} // namespace medseg::core
