#pragma once

#include "core/train/Trainer.h"

#include <QByteArray>
#include <QColor>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <vector>

namespace medseg::ui {

// What the training dashboard draws: the loss and learning rate per step and the validation
// scores per epoch of one run. Fed live by the TrainingController, or read from a run folder's
// metrics.jsonl, which follow() keeps reading as another process (`medseg train`) appends to it.
class RunHistory : public QObject
{
    Q_OBJECT

public:
    struct StepPoint
    {
        qint64 step = 0;
        int stage = 0;
        double loss = 0;
        double learningRate = 0;
    };

    explicit RunHistory(QObject *parent = nullptr);

    void clear();
    void setClassNames(const QStringList &names) { m_classNames = names; }
    QStringList classNames() const { return m_classNames; }
    // The label colours of the classes (the dashboard draws each class in its label's colour);
    // invalid where unknown.
    void setClassColours(const QList<QColor> &colours) { m_classColours = colours; }
    QList<QColor> classColours() const { return m_classColours; }

    void addStep(const core::TrainingProgress &progress);
    void addEpoch(const core::EpochResult &result);
    // One line of metrics.jsonl; returns false (and changes nothing) if it is not a step or
    // epoch record.
    bool addMetricsLine(const QByteArray &line);

    // Reads RUN_DIR/metrics.jsonl (and the class names from RUN_DIR/config.json or best.json);
    // with `live`, keeps reading what is appended until stopFollowing() or another load.
    // Returns false with errorString() when the folder is not a run.
    bool load(const QString &runDir, bool live);
    void stopFollowing();
    bool isFollowing() const { return m_pollTimer.isActive(); }
    QString runDir() const { return m_runDir; }
    QString errorString() const { return m_error; }

    const std::vector<StepPoint> &steps() const { return m_steps; }
    const std::vector<core::EpochResult> &epochs() const { return m_epochs; }
    const core::TrainingProgress &lastProgress() const { return m_lastProgress; }
    double bestMeanDice() const;

Q_SIGNALS:
    void changed();

private:
    void readNewLines();
    void readClasses(); // names and colours, from the run's best.json

    QStringList m_classNames;
    QList<QColor> m_classColours;
    std::vector<StepPoint> m_steps;
    std::vector<core::EpochResult> m_epochs;
    core::TrainingProgress m_lastProgress;
    QString m_runDir;
    QString m_error;
    qint64 m_readOffset = 0;
    QByteArray m_partialLine;
    QTimer m_pollTimer;
};

// A past run as the dashboard lists it.
struct RunSummary
{
    QString directory;
    QString name;             // folder name
    QString backbone;         // from config.json
    double bestMeanDice = -1; // -1: no validation yet
    qint64 steps = 0;
    bool hasBestModel = false;
    qint64 bytes = 0; // on disk, checkpoints and models included
};

// The runs under RUNS_DIR (one folder each, newest first).
QList<RunSummary> listRuns(const QString &runsDirectory);
RunSummary summarizeRun(const QString &runDirectory);

} // namespace medseg::ui
