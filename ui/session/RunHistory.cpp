#include "ui/session/RunHistory.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <limits>

namespace medseg::ui {
namespace {

constexpr int PollIntervalMs = 500;

double number(const QJsonObject &object, std::initializer_list<const char *> keys,
              double fallback = 0)
{
    for (const char *key : keys) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isDouble())
            return value.toDouble();
        if (value.isNull() && object.contains(QLatin1String(key)))
            return std::numeric_limits<double>::quiet_NaN(); // NaN is written as null
    }
    return fallback;
}

std::vector<double> numbers(const QJsonValue &value)
{
    std::vector<double> result;
    for (const QJsonValue &entry : value.toArray())
        result.push_back(entry.isDouble() ? entry.toDouble()
                                          : std::numeric_limits<double>::quiet_NaN());
    return result;
}

QJsonObject readJsonObject(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

// The classes of a run: best.json (a model bundle) names them and gives their colours;
// config.json only counts them.
QJsonArray classesOf(const QString &runDir)
{
    return readJsonObject(QDir(runDir).filePath(QStringLiteral("best.json")))
        .value(QStringLiteral("classes"))
        .toArray();
}

QStringList classNamesOf(const QJsonArray &classes)
{
    QStringList names;
    for (const QJsonValue &entry : classes)
        names.append(entry.toObject().value(QStringLiteral("name")).toString());
    return names;
}

QList<QColor> classColoursOf(const QJsonArray &classes)
{
    QList<QColor> colours;
    for (const QJsonValue &entry : classes) {
        const QJsonArray rgb = entry.toObject().value(QStringLiteral("color")).toArray();
        colours.append(rgb.size() == 3 ? QColor(rgb[0].toInt(), rgb[1].toInt(), rgb[2].toInt())
                                       : QColor());
    }
    return colours;
}

} // namespace

RunHistory::RunHistory(QObject *parent)
    : QObject(parent)
{
    m_pollTimer.setInterval(PollIntervalMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &RunHistory::readNewLines);
}

void RunHistory::clear()
{
    stopFollowing();
    m_steps.clear();
    m_epochs.clear();
    m_lastProgress = {};
    m_runDir.clear();
    m_error.clear();
    m_readOffset = 0;
    m_partialLine.clear();
    Q_EMIT changed();
}

void RunHistory::addStep(const core::TrainingProgress &progress)
{
    m_lastProgress = progress;
    m_steps.push_back({progress.step, progress.stage, progress.loss, progress.learningRate});
    Q_EMIT changed();
}

void RunHistory::addEpoch(const core::EpochResult &result)
{
    m_epochs.push_back(result);
    Q_EMIT changed();
}

bool RunHistory::addMetricsLine(const QByteArray &line)
{
    const QJsonObject object = QJsonDocument::fromJson(line).object();
    const QString type = object.value(QStringLiteral("type")).toString();
    if (type == QLatin1String("step")) {
        core::TrainingProgress progress;
        progress.stage = int(number(object, {"stage"}));
        progress.stageCount = int(number(object, {"stage_count", "stages"}));
        progress.stageName = object.value(QStringLiteral("stage_name")).toString().toStdString();
        progress.epoch = int(number(object, {"epoch"}));
        progress.epochs = int(number(object, {"epochs"}));
        progress.step = qint64(number(object, {"step"}));
        progress.totalSteps = qint64(number(object, {"total_steps"}));
        progress.stepInEpoch = qint64(number(object, {"step_in_epoch"}));
        progress.stepsInEpoch = qint64(number(object, {"steps_in_epoch"}));
        progress.loss = number(object, {"loss"});
        progress.learningRate = number(object, {"lr", "learning_rate"});
        progress.imagesPerSecond = number(object, {"images_per_second"});
        progress.etaSeconds = number(object, {"eta_seconds", "eta"});
        m_lastProgress = progress;
        m_steps.push_back({progress.step, progress.stage, progress.loss, progress.learningRate});
        return true;
    }
    if (type == QLatin1String("epoch")) {
        core::EpochResult result;
        result.stage = int(number(object, {"stage"}));
        result.epoch = int(number(object, {"epoch"}));
        result.step = qint64(number(object, {"step"}));
        result.trainLoss = number(object, {"train_loss"});
        result.valLoss = number(object, {"val_loss"});
        result.dice = numbers(object.value(QStringLiteral("dice")));
        result.iou = numbers(object.value(QStringLiteral("iou")));
        result.meanForegroundDice = number(object, {"mean_dice", "mean_foreground_dice"});
        result.improved = object.value(QStringLiteral("improved")).toBool();
        m_epochs.push_back(result);
        return true;
    }
    return false;
}

bool RunHistory::load(const QString &runDir, bool live)
{
    clear();
    const QString metrics = QDir(runDir).filePath(QStringLiteral("metrics.jsonl"));
    if (!QFileInfo::exists(metrics)) {
        m_error = tr("%1 is not a training run: it has no metrics.jsonl.")
                      .arg(QDir::toNativeSeparators(runDir));
        return false;
    }
    m_runDir = runDir;
    readClasses();
    readNewLines();
    if (live)
        m_pollTimer.start();
    return true;
}

void RunHistory::readClasses()
{
    const QJsonArray classes = classesOf(m_runDir);
    m_classNames = classNamesOf(classes);
    m_classColours = classColoursOf(classes);
}

void RunHistory::stopFollowing()
{
    m_pollTimer.stop();
}

void RunHistory::readNewLines()
{
    QFile file(QDir(m_runDir).filePath(QStringLiteral("metrics.jsonl")));
    if (!file.open(QIODevice::ReadOnly))
        return;
    if (file.size() < m_readOffset) { // truncated or replaced: read again from the start
        m_steps.clear();
        m_epochs.clear();
        m_readOffset = 0;
        m_partialLine.clear();
    }
    if (file.size() == m_readOffset)
        return;
    file.seek(m_readOffset);
    QByteArray data = m_partialLine + file.readAll();
    m_readOffset = file.pos();
    // A writer may be in the middle of a line: keep the unterminated tail for the next read.
    const int lastNewline = data.lastIndexOf('\n');
    m_partialLine = data.mid(lastNewline + 1);
    data.truncate(lastNewline + 1);
    bool any = false;
    for (const QByteArray &line : data.split('\n')) {
        if (!line.trimmed().isEmpty())
            any = addMetricsLine(line) || any;
    }
    if (m_classNames.isEmpty()) // best.json comes with the first validation
        readClasses();
    if (any)
        Q_EMIT changed();
}

double RunHistory::bestMeanDice() const
{
    double best = -1;
    for (const core::EpochResult &epoch : m_epochs) {
        if (std::isfinite(epoch.meanForegroundDice))
            best = std::max(best, epoch.meanForegroundDice);
    }
    return best;
}

RunSummary summarizeRun(const QString &runDirectory)
{
    RunSummary summary;
    summary.directory = runDirectory;
    summary.name = QFileInfo(runDirectory).fileName();
    const QJsonObject config =
        readJsonObject(QDir(runDirectory).filePath(QStringLiteral("config.json")));
    summary.backbone = config.value(QStringLiteral("model"))
                           .toObject()
                           .value(QStringLiteral("backbone"))
                           .toString();
    summary.hasBestModel =
        QFileInfo::exists(QDir(runDirectory).filePath(QStringLiteral("best.pt")));
    RunHistory history;
    QFile file(QDir(runDirectory).filePath(QStringLiteral("metrics.jsonl")));
    if (file.open(QIODevice::ReadOnly)) {
        while (!file.atEnd())
            history.addMetricsLine(file.readLine());
    }
    summary.bestMeanDice = history.bestMeanDice();
    summary.steps = history.lastProgress().step;
    QDirIterator files(runDirectory, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        files.next();
        summary.bytes += files.fileInfo().size();
    }
    return summary;
}

QList<RunSummary> listRuns(const QString &runsDirectory)
{
    QList<RunSummary> runs;
    const QFileInfoList folders =
        QDir(runsDirectory).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Time);
    for (const QFileInfo &folder : folders) {
        if (QFileInfo::exists(QDir(folder.filePath()).filePath(QStringLiteral("metrics.jsonl"))))
            runs.append(summarizeRun(folder.filePath()));
    }
    return runs;
}

} // namespace medseg::ui
