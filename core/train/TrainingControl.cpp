#include "core/train/TrainingControl.h"

namespace medseg::core {

void TrainingControl::requestStop()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_resumed.notify_all();
}

void TrainingControl::pause()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_paused = true;
}

void TrainingControl::resume()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_paused = false;
    }
    m_resumed.notify_all();
}

bool TrainingControl::isPaused() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_paused;
}

bool TrainingControl::stopRequested() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_stop;
}

std::int64_t TrainingControl::requestPreview(torch::Tensor image)
{
    std::int64_t id = 0;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        id = m_nextPreviewId++;
        m_preview = std::make_pair(id, std::move(image));
    }
    m_resumed.notify_all();
    return id;
}

void TrainingControl::waitWhilePaused()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_resumed.wait(lock, [this] { return !m_paused || m_stop || m_preview.has_value(); });
}

std::optional<std::pair<std::int64_t, torch::Tensor>> TrainingControl::takePreviewRequest()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::optional<std::pair<std::int64_t, torch::Tensor>> request;
    request.swap(m_preview);
    return request;
}

} // namespace medseg::core
