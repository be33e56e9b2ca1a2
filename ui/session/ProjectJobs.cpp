#include "ui/session/ProjectJobs.h"

#include "core/common/AtomicFile.h"
#include "core/train/ProjectPrediction.h"
#include "ui/session/ErrorText.h"

#include <QDir>
#include <QFileInfo>
#include <QtConcurrent>

#include <atomic>
#include <cmath>
#include <functional>
#include <memory>

namespace medseg::ui {

// Progress of a job, queued to the GUI thread; cancel through the shared flag.
class JobProgress : public core::ProgressSink
{
public:
    JobProgress(ProjectJobs *jobs, std::shared_ptr<std::atomic<bool>> cancel)
        : m_jobs(jobs)
        , m_cancel(std::move(cancel))
    {}
    bool progress(std::int64_t done, std::int64_t total, const std::string &what) override
    {
        QMetaObject::invokeMethod(
            m_jobs,
            [jobs = m_jobs, done = int(done), total = int(total),
             text = QString::fromStdString(what)] { Q_EMIT jobs->progressed(done, total, text); },
            Qt::QueuedConnection);
        return !m_cancel->load();
    }
    bool isCancelled() const override { return m_cancel->load(); }

private:
    ProjectJobs *m_jobs;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

namespace {

// "csf: Dice 0.91 ± 0.03, HD95 2.1 mm" per label, over the cases.
QString evaluationText(const core::EvaluationSummary &summary, const QStringList &names)
{
    QStringList lines;
    for (std::size_t l = 0; l < summary.labels.size(); ++l) {
        std::vector<double> dice, hd95;
        for (const core::CaseEvaluation &item : summary.cases) {
            dice.push_back(item.classes[l].dice);
            if (std::isfinite(item.classes[l].hausdorff95Mm))
                hd95.push_back(item.classes[l].hausdorff95Mm);
        }
        const core::ScoreStatistics d = core::statisticsOf(dice);
        const core::ScoreStatistics h = core::statisticsOf(hd95);
        const int label = summary.labels[l];
        const QString name = label < names.size() ? names[label] : QString::number(label);
        lines << ProjectJobs::tr("%1: Dice %2 ± %3, HD95 %4 mm")
                     .arg(name)
                     .arg(d.mean, 0, 'f', 3)
                     .arg(d.standardDeviation, 0, 'f', 3)
                     .arg(h.count > 0 ? QString::number(h.mean, 'f', 1)
                                      : ProjectJobs::tr("undefined"));
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace

ProjectJobs::ProjectJobs(QObject *parent)
    : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcher<Result>::finished, this, &ProjectJobs::onFinished);
}

ProjectJobs::~ProjectJobs()
{
    cancel();
    m_watcher.waitForFinished();
}

void ProjectJobs::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

QString ProjectJobs::defaultPredictionFolder(const QString &project, const QString &model)
{
    const QFileInfo file(model);
    return QDir(project).filePath(QStringLiteral("predictions/") + file.dir().dirName() +
                                  QLatin1Char('-') + file.completeBaseName());
}

bool ProjectJobs::start(std::function<Result(JobProgress &)> job)
{
    if (isBusy())
        return false;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    auto cancel = m_cancel;
    m_watcher.setFuture(QtConcurrent::run([this, cancel, job = std::move(job)]() -> Result {
        JobProgress progress(this, cancel);
        try {
            return job(progress);
        } catch (const core::CancelledError &) {
            return {{}, {}, tr("Cancelled.")};
        } catch (const std::exception &error) {
            return {{}, {}, errorText(error)};
        }
    }));
    Q_EMIT busyChanged(true);
    return true;
}

bool ProjectJobs::predictAll(const QString &project, const QString &model, const QString &outFolder)
{
    return start([=](JobProgress &progress) {
        const core::ProjectPredictionResult result = core::predictProject(
            project.toStdString(), model.toStdString(), outFolder.toStdString(), &progress);
        QString message = tr("Wrote %n label file(s) to %1.", nullptr, int(result.files.size()))
                              .arg(QDir::toNativeSeparators(outFolder));
        for (const std::string &skipped : result.skipped)
            message += QLatin1Char('\n') + tr("Skipped %1").arg(QString::fromStdString(skipped));
        return Result{message, outFolder, {}};
    });
}

bool ProjectJobs::evaluateRun(const QString &project, const QString &runFolder,
                              const QString &model)
{
    return start([=](JobProgress &progress) {
        const core::EvaluationSummary summary = core::evaluateRunOnProject(
            project.toStdString(), runFolder.toStdString(), model.toStdString(), &progress);
        const QString file = QDir(runFolder).filePath(QStringLiteral("evaluation.json"));
        core::AtomicFile::writeAll(file.toStdString(), core::evaluationJson(summary));
        QStringList names;
        for (const core::ModelClass &c : core::readModelBundleInfo(model.toStdString()).classes) {
            while (names.size() <= c.index)
                names << QString();
            names[c.index] = QString::fromStdString(c.name);
        }
        const QString message =
            tr("%1 on %n validation case(s):", nullptr, int(summary.cases.size()))
                .arg(QFileInfo(model).fileName()) +
            QLatin1Char('\n') + evaluationText(summary, names);
        return Result{message, file, {}};
    });
}

void ProjectJobs::onFinished()
{
    Q_EMIT busyChanged(false);
    const Result result = m_watcher.result();
    if (!result.error.isEmpty())
        Q_EMIT failed(result.error);
    else
        Q_EMIT finished(result.message, result.written);
}

} // namespace medseg::ui
