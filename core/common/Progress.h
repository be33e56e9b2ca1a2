#pragma once

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace medseg::core {

// How long work reports progress and learns that it should stop. The GUI implements it with
// a QPromise or atomics; the CLI with a progress bar. Implementations must be thread-safe:
// workers call them from several threads at once.
class ProgressSink
{
public:
    virtual ~ProgressSink() = default;

    // `done` of `total` units finished (total 0 while unknown). Returns false to ask the work
    // to cancel, as ITK-SNAP's progress delegates do.
    virtual bool progress(std::int64_t done, std::int64_t total, const std::string &stage = {}) = 0;
    // Polled between units of work.
    virtual bool isCancelled() const = 0;
};

// A sink that only remembers a cancel request; for callers that show no progress.
class CancelToken : public ProgressSink
{
public:
    void cancel() { m_cancelled = true; }
    bool progress(std::int64_t, std::int64_t, const std::string &) override { return !m_cancelled; }
    bool isCancelled() const override { return m_cancelled; }

private:
    std::atomic<bool> m_cancelled{false};
};

// Thrown by work that was cancelled through its ProgressSink.
class CancelledError : public std::runtime_error
{
public:
    CancelledError()
        : std::runtime_error("cancelled")
    {}
};

} // namespace medseg::core
