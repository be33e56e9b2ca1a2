#include "core/train/Metrics.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace medseg::core {

namespace {

double meanOfForeground(const std::vector<double> &values)
{
    double sum = 0;
    int count = 0;
    for (std::size_t c = 1; c < values.size(); ++c)
        if (!std::isnan(values[c])) {
            sum += values[c];
            ++count;
        }
    return count ? sum / count : std::numeric_limits<double>::quiet_NaN();
}

} // namespace

SegmentationMetrics::SegmentationMetrics(int classCount, int ignoreIndex)
    : m_classCount(classCount)
    , m_ignoreIndex(ignoreIndex)
    , m_confusion(std::size_t(std::max(0, classCount)) * std::size_t(std::max(0, classCount)), 0)
{
    if (classCount < 1)
        throw std::runtime_error("segmentation metrics need at least one class");
}

void SegmentationMetrics::add(const torch::Tensor &predictions, const torch::Tensor &targets)
{
    if (!predictions.sizes().equals(targets.sizes()))
        throw std::runtime_error("segmentation metrics: predictions and targets differ in shape");
    const std::int64_t k = m_classCount;
    // The confusion matrix is counted on the tensors' device; one small copy comes back.
    const at::Tensor t = targets.flatten().to(at::kLong);
    const at::Tensor p = predictions.flatten().to(at::kLong);
    const at::Tensor valid = (t != m_ignoreIndex) & (t >= 0) & (t < k) & (p >= 0) & (p < k);
    const at::Tensor cells = (t * k + p).masked_select(valid);
    const at::Tensor counts = at::bincount(cells, {}, k * k).to(at::kCPU).to(at::kLong);
    const std::int64_t *data = counts.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < k * k; ++i)
        m_confusion[std::size_t(i)] += data[i];
}

void SegmentationMetrics::merge(const SegmentationMetrics &other)
{
    if (other.m_classCount != m_classCount)
        throw std::runtime_error("segmentation metrics: cannot merge " +
                                 std::to_string(other.m_classCount) + " classes into " +
                                 std::to_string(m_classCount));
    for (std::size_t i = 0; i < m_confusion.size(); ++i)
        m_confusion[i] += other.m_confusion[i];
}

void SegmentationMetrics::reset()
{
    std::fill(m_confusion.begin(), m_confusion.end(), 0);
}

int SegmentationMetrics::classCount() const
{
    return m_classCount;
}

const std::vector<std::int64_t> &SegmentationMetrics::confusion() const
{
    return m_confusion;
}

std::vector<double> SegmentationMetrics::dice() const
{
    const int k = m_classCount;
    std::vector<double> result(std::size_t(k), std::numeric_limits<double>::quiet_NaN());
    for (int c = 0; c < k; ++c) {
        double tp = double(m_confusion[std::size_t(c * k + c)]);
        double truth = 0, predicted = 0;
        for (int o = 0; o < k; ++o) {
            truth += double(m_confusion[std::size_t(c * k + o)]);
            predicted += double(m_confusion[std::size_t(o * k + c)]);
        }
        if (truth > 0)
            result[std::size_t(c)] = 2.0 * tp / (truth + predicted);
    }
    return result;
}

std::vector<double> SegmentationMetrics::iou() const
{
    const int k = m_classCount;
    std::vector<double> result(std::size_t(k), std::numeric_limits<double>::quiet_NaN());
    for (int c = 0; c < k; ++c) {
        double tp = double(m_confusion[std::size_t(c * k + c)]);
        double truth = 0, predicted = 0;
        for (int o = 0; o < k; ++o) {
            truth += double(m_confusion[std::size_t(c * k + o)]);
            predicted += double(m_confusion[std::size_t(o * k + c)]);
        }
        if (truth > 0)
            result[std::size_t(c)] = tp / (truth + predicted - tp);
    }
    return result;
}

std::vector<std::int64_t> SegmentationMetrics::absentClassPixels() const
{
    const int k = m_classCount;
    std::vector<std::int64_t> result(std::size_t(k), 0);
    for (int c = 0; c < k; ++c) {
        std::int64_t truth = 0, predicted = 0;
        for (int o = 0; o < k; ++o) {
            truth += m_confusion[std::size_t(c * k + o)];
            predicted += m_confusion[std::size_t(o * k + c)];
        }
        if (truth == 0)
            result[std::size_t(c)] = predicted;
    }
    return result;
}

double SegmentationMetrics::meanForegroundDice() const
{
    return meanOfForeground(dice());
}

double SegmentationMetrics::meanForegroundIou() const
{
    return meanOfForeground(iou());
}

std::int64_t SegmentationMetrics::pixelCount() const
{
    std::int64_t total = 0;
    for (std::int64_t value : m_confusion)
        total += value;
    return total;
}

double SegmentationMetrics::pixelAccuracy() const
{
    const std::int64_t total = pixelCount();
    if (total == 0)
        return std::numeric_limits<double>::quiet_NaN();
    std::int64_t correct = 0;
    for (int c = 0; c < m_classCount; ++c)
        correct += m_confusion[std::size_t(c * m_classCount + c)];
    return double(correct) / double(total);
}

} // namespace medseg::core
