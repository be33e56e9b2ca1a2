#pragma once

// What other threads (the GUI, a signal watcher) may ask of a running Trainer::fit(): stop,
// pause and resume, and a preview of a slice with the model as it is.

#include <torch/types.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>

namespace medseg::core {

// Thread-safe requests to a running fit().
class TrainingControl
{
public:
    void requestStop();
    void pause();
    void resume();
    bool isPaused() const;
    bool stopRequested() const;
    // Latest request wins: an older one not yet served is dropped. image: [C, H, W] or [H, W]
    // uint8, any size (predicted at the stage's input size, labels at the image's size).
    std::int64_t requestPreview(torch::Tensor image);

    // Used by the trainer. Blocks while paused, returning early when a stop or a preview is
    // requested (so previews are served while paused).
    void waitWhilePaused();
    std::optional<std::pair<std::int64_t, torch::Tensor>> takePreviewRequest();

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_resumed;
    bool m_stop = false;
    bool m_paused = false;
    std::int64_t m_nextPreviewId = 1;
    std::optional<std::pair<std::int64_t, torch::Tensor>> m_preview;
};

} // namespace medseg::core
