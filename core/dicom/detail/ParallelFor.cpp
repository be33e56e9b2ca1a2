#include "core/dicom/detail/ParallelFor.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace medseg::core::detail {

int threadCount(int requested, int work)
{
    int threads = requested > 0 ? requested : int(std::thread::hardware_concurrency());
    threads = std::max(1, threads);
    return std::max(1, std::min(threads, work));
}

void parallelFor(int count, int threads, const std::function<void(int)> &body,
                 const std::function<bool()> &stop)
{
    if (count <= 0)
        return;
    std::atomic<int> next{0};
    std::atomic<bool> stopped{false};
    const auto worker = [&] {
        for (;;) {
            if (stopped.load(std::memory_order_relaxed))
                return;
            if (stop && stop()) {
                stopped = true;
                return;
            }
            const int i = next.fetch_add(1, std::memory_order_relaxed);
            if (i >= count)
                return;
            body(i);
        }
    };
    threads = std::max(1, std::min(threads, count));
    std::vector<std::thread> pool;
    pool.reserve(std::size_t(threads - 1));
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(worker);
    worker(); // the calling thread works too
    for (auto &thread : pool)
        thread.join();
}

} // namespace medseg::core::detail
