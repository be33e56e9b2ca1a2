#pragma once

// Jobs that run a model over a whole saved project, in the background with progress and
// cancel: "Predict all volumes" (the Review tab: every case into a label file on its grid, as
// `medseg predict MODEL PROJECT -o OUT`) and "Evaluate" (the Runs tab: a run's model on the
// validation cases it was chosen on, scored as `medseg evaluate` scores, the result saved in the
// run folder as evaluation.json in nnU-Net's summary.json layout).

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>

namespace medseg::ui {

class JobProgress;

class ProjectJobs : public QObject
{
    Q_OBJECT

public:
    explicit ProjectJobs(QObject *parent = nullptr);
    ~ProjectJobs() override;

    // False when a job runs already. finished() or failed() follows.
    bool predictAll(const QString &project, const QString &model, const QString &outFolder);
    bool evaluateRun(const QString &project, const QString &runFolder, const QString &model);
    bool isBusy() const { return m_watcher.isRunning(); }
    void cancel();

    // The folder "Predict all volumes" writes to by default: PROJECT/predictions/RUN-MODEL.
    static QString defaultPredictionFolder(const QString &project, const QString &model);

Q_SIGNALS:
    void busyChanged(bool busy);
    void progressed(int done, int total, const QString &what);
    // What the job did, in the user's language, and the folder or file it wrote.
    void finished(const QString &message, const QString &written);
    void failed(const QString &message);

private:
    struct Result
    {
        QString message;
        QString written;
        QString error;
    };
    bool start(std::function<Result(JobProgress &)> job);
    void onFinished();

    QFutureWatcher<Result> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

} // namespace medseg::ui
