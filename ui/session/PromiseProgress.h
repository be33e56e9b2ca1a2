#pragma once

#include "core/common/Progress.h"

#include <QPromise>

namespace medseg::ui {

// Lets core work report into the QPromise of a QtConcurrent::run task: progress becomes the
// future's progress (watched by a QFutureWatcher on the GUI thread) and QFuture::cancel()
// becomes the core's cancel request.
template <typename T>
class PromiseProgress : public core::ProgressSink
{
public:
    explicit PromiseProgress(QPromise<T> &promise)
        : m_promise(promise)
    {}

    bool progress(std::int64_t done, std::int64_t total, const std::string &stage) override
    {
        if (total > 0) {
            m_promise.setProgressRange(0, int(total));
            m_promise.setProgressValueAndText(int(done), QString::fromStdString(stage));
        }
        return !m_promise.isCanceled();
    }
    bool isCancelled() const override { return m_promise.isCanceled(); }

private:
    QPromise<T> &m_promise;
};

} // namespace medseg::ui
