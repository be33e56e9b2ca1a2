#pragma once

#include <functional>

namespace medseg::core::detail {

// Worker threads for `requested` (0: one per core, at least 1), never more than `work` items.
int threadCount(int requested, int work);

// Runs body(i) for every i in [0, count) on `threads` threads, handing out indices in increasing
// order so that early items (the first slices, the first files) finish first. Once stop()
// returns true no further items are started. `body` must not throw: exceptions never cross
// threads here, each caller turns its failures into per-item results.
void parallelFor(int count, int threads, const std::function<void(int)> &body,
                 const std::function<bool()> &stop = {});

} // namespace medseg::core::detail
