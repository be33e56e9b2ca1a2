#pragma once

// Files written beside the training loop, so that an epoch does not wait for a model to reach
// the disk (best.pt: 64 MB and an fsync for a ResNet18, half a second on a laptop, which would
// also make the epochs that improve slower than the others and the ETA jump with them).

#include <functional>
#include <future>

namespace medseg::core {

// One write at a time. start() first waits for the previous write and rethrows its error, so
// a full disk stops the run at the next save; wait() before anything reads what was written.
class BackgroundWrite
{
public:
    BackgroundWrite() = default;
    BackgroundWrite(const BackgroundWrite &) = delete;
    BackgroundWrite &operator=(const BackgroundWrite &) = delete;
    // Waits for a write still running; an error nobody waited for is dropped here (the run that
    // started it has already ended another way).
    ~BackgroundWrite();

    void start(std::function<void()> write);
    void wait();

private:
    std::future<void> m_pending;
};

} // namespace medseg::core
