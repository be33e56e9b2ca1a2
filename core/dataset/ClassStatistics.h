#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace medseg::core {

// Pixel counts per class over a set of masks and the class weights derived from them for a
// weighted loss. Pixels of value 255 (VOC's "ignore") are counted apart and weigh nothing.
//   frequency f_c = n_c / N, N = all pixels that are not ignored;
//   inverse-frequency weight w_c = 1 / f_c, normalised so that the weights sum to 1; a class
//     with no pixels gets 0;
//   clipped weights: w_c = 1 / f_c clipped to [median / maxRatio, median * maxRatio] (median
//     over the present classes), a class with no pixels gets the largest clipped weight (so a
//     class that appears later in training is not ignored), then normalised to sum 1.
class ClassStatistics
{
public:
    explicit ClassStatistics(int classCount = 0);

    // Adds one mask. Values of 255 are ignored pixels; other values must be below
    // classCount() unless growClasses is set (then the class list grows).
    void add(const std::uint8_t *mask, std::size_t count, bool growClasses = true);

    int classCount() const { return int(m_counts.size()); }
    const std::vector<std::int64_t> &counts() const { return m_counts; }
    std::int64_t total() const; // pixels that are not ignored
    std::int64_t ignored() const { return m_ignored; }
    std::vector<double> frequencies() const;
    std::vector<double> inverseFrequencyWeights() const;
    std::vector<double> clippedWeights(double maxRatio = 10.0) const;

private:
    std::vector<std::int64_t> m_counts;
    std::int64_t m_ignored = 0;
};

} // namespace medseg::core
