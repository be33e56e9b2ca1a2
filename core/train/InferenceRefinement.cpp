#include "core/train/InferenceRefinement.h"

#include <algorithm>

namespace medseg::core {

bool InferenceRefinement::keepsLargestComponent(int c) const
{
    return std::binary_search(largestComponentClasses.begin(), largestComponentClasses.end(), c);
}

void keepLargestComponents(std::uint8_t *labels, int width, int height,
                           const std::vector<int> &classes)
{
    const std::size_t size = std::size_t(width) * std::size_t(height);
    std::vector<int> region(size, -1);
    std::vector<std::size_t> stack;
    for (const int c : classes) {
        std::fill(region.begin(), region.end(), -1);
        std::vector<std::size_t> sizes;
        for (std::size_t start = 0; start < size; ++start) {
            if (labels[start] != c || region[start] >= 0)
                continue;
            const int id = int(sizes.size());
            std::size_t count = 0;
            stack.assign(1, start);
            region[start] = id;
            while (!stack.empty()) {
                const std::size_t p = stack.back();
                stack.pop_back();
                ++count;
                const int x = int(p % std::size_t(width)), y = int(p / std::size_t(width));
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx) {
                        const int nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= width || ny >= height)
                            continue;
                        const std::size_t q =
                            std::size_t(ny) * std::size_t(width) + std::size_t(nx);
                        if (labels[q] == c && region[q] < 0) {
                            region[q] = id;
                            stack.push_back(q);
                        }
                    }
            }
            sizes.push_back(count);
        }
        if (sizes.size() < 2)
            continue;
        const int largest = int(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
        for (std::size_t p = 0; p < size; ++p)
            if (region[p] >= 0 && region[p] != largest)
                labels[p] = 0;
    }
}

} // namespace medseg::core
