#include "core/train/BackgroundWrite.h"

#include <utility>

namespace medseg::core {

BackgroundWrite::~BackgroundWrite()
{
    if (m_pending.valid())
        m_pending.wait();
}

void BackgroundWrite::start(std::function<void()> write)
{
    wait();
    m_pending = std::async(std::launch::async, std::move(write));
}

void BackgroundWrite::wait()
{
    if (m_pending.valid())
        m_pending.get();
}

} // namespace medseg::core
