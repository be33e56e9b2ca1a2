#include "ui/session/TrainingSession.h"

#include "core/train/AutoConfig.h"
#include "core/train/VocTrainingData.h"
#include "models/Registry.h"
#include "models/WeightImport.h"
#include "ui/session/ErrorText.h"
#include "ui/session/RunHistory.h"
#include "ui/session/TrainingController.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSettings>

#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

#include <torch/cuda.h>
#include <torch/types.h>

namespace medseg::ui {
namespace {
constexpr int DefaultPreviewIntervalMs = 5000;
// + backbone name: the pretrained weights the user chose for it.
const QString PretrainedKey = QStringLiteral("training/pretrained/");
} // namespace

TrainingSession::TrainingSession(QObject *parent)
    : QObject(parent)
    , m_controller(new TrainingController(this))
    , m_history(new RunHistory(this))
{
    // The plan follows the weights the user chose before for this backbone (from scratch
    // without).
    usePretrainedFile(rememberedPretrainedWeights(QString::fromStdString(m_config.model.backbone)));
    m_validationFraction =
        std::clamp(QSettings().value(QStringLiteral("training/validationFraction"), 0.2).toDouble(),
                   0.05, 0.5);
    m_previewTimer.setInterval(DefaultPreviewIntervalMs);
    connect(&m_previewTimer, &QTimer::timeout, this, &TrainingSession::requestPreviewNow);

    connect(m_controller, &TrainingController::progressed, m_history, &RunHistory::addStep);
    connect(m_controller, &TrainingController::epochFinished, m_history, &RunHistory::addEpoch);
    connect(m_controller, &TrainingController::previewReady, this,
            &TrainingSession::onPreviewReady);
    connect(m_controller, &TrainingController::stateChanged, this,
            [this](TrainingController::State state) {
                if (state == TrainingController::State::Running) {
                    m_previewTimer.start();
                } else if (state == TrainingController::State::Idle) {
                    m_previewTimer.stop();
                    Q_EMIT runsChanged(); // a new best model or checkpoint may be on disk
                }
            });
    connect(&m_datasetWatcher, &QFutureWatcher<LoadedDataset>::finished, this, [this] {
        const LoadedDataset loaded = m_datasetWatcher.result();
        if (!loaded.error.isEmpty()) {
            Q_EMIT datasetFailed(loaded.error);
            return;
        }
        adoptData(loaded.data, m_loadingProject ? QString() : m_loadingOrigin, m_loadingProject);
    });
}

TrainingSession::~TrainingSession()
{
    m_datasetWatcher.waitForFinished();
}

QStringList TrainingSession::availableBackbones()
{
    QStringList names;
    for (const std::string &name : models::availableBackbones())
        names.append(QString::fromStdString(name));
    return names;
}

void TrainingSession::setConfig(const core::TrainingConfig &config)
{
    const bool otherBackbone = config.model.backbone != m_config.model.backbone;
    m_config = config;
    // Weights are for one backbone: another one takes its own remembered file, or none.
    if (otherBackbone && !m_config.pretrainedBackbone.empty())
        usePretrainedFile(
            rememberedPretrainedWeights(QString::fromStdString(m_config.model.backbone)));
    Q_EMIT configChanged();
}

QString TrainingSession::rememberedPretrainedWeights(const QString &backbone)
{
    const QString file = QSettings().value(PretrainedKey + backbone).toString();
    return QFileInfo(file).isFile() ? file : QString();
}

void TrainingSession::usePretrainedFile(const QString &path)
{
    m_config.pretrainedBackbone = path.toStdString();
    core::applyRecipe(m_config);
}

bool TrainingSession::setPretrainedWeights(const QString &path)
{
    m_error.clear();
    m_importSummary.clear();
    const QString backbone = QString::fromStdString(m_config.model.backbone);
    if (!path.isEmpty()) {
        // Checked at once, as the trainer will: every backbone weight must come from the file.
        try {
            models::PSPNet model = models::createModel(m_config.model);
            const models::ImportReport report =
                models::importBackboneWeights(*model, path.toStdString());
            if (!report.ok()) {
                m_error = tr("%1 is not a weight file for the %2 backbone: %3 weights are "
                             "missing, %4 have another shape, %5 are unknown.")
                              .arg(QDir::toNativeSeparators(path), backbone)
                              .arg(report.missing.size())
                              .arg(report.mismatched.size())
                              .arg(report.unexpected.size());
                return false;
            }
            m_importSummary = tr("%1 tensors loaded, %2 adapted to the input channels, %3 "
                                 "skipped (the ImageNet classifier).")
                                  .arg(report.loaded.size())
                                  .arg(report.adapted.size())
                                  .arg(report.skipped.size());
        } catch (const std::exception &error) {
            m_error = tr("%1 cannot be read as weights: %2")
                          .arg(QDir::toNativeSeparators(path), errorText(error));
            return false;
        }
    }
    usePretrainedFile(path);
    QSettings settings;
    if (path.isEmpty())
        settings.remove(PretrainedKey + backbone);
    else
        settings.setValue(PretrainedKey + backbone, QFileInfo(path).absoluteFilePath());
    Q_EMIT configChanged();
    return true;
}

void TrainingSession::loadVocDataset(const QString &directory)
{
    if (m_datasetWatcher.isRunning())
        return;
    m_loadingOrigin = directory;
    m_loadingProject = false;
    m_datasetWatcher.setFuture(QtConcurrent::run([directory]() -> LoadedDataset {
        try {
            auto data = std::make_shared<core::TrainingData>(
                core::loadVocTrainingData(directory.toStdString()));
            return {std::move(data), {}};
        } catch (const std::exception &error) {
            return {nullptr, errorText(error)};
        }
    }));
}

void TrainingSession::setTrainingData(std::shared_ptr<const core::TrainingData> data,
                                      const QString &origin)
{
    adoptData(std::move(data), origin, false);
}

void TrainingSession::adoptData(std::shared_ptr<const core::TrainingData> data,
                                const QString &origin, bool fromProject)
{
    m_data = std::move(data);
    m_datasetOrigin = origin;
    m_originIsProject = fromProject; // worded when shown, in the language of that moment
    m_autoConfiguration.reset();
    if (m_data) {
        core::fitModelToData(m_config.model, *m_data);
        // The input size and output stride follow the data and this computer (editable).
        if (!m_data->train.empty() || !m_data->val.empty()) {
            m_autoConfiguration = core::chooseAutoConfiguration(*m_data, core::usesCuda(m_config));
            core::apply(*m_autoConfiguration, m_config);
            Q_EMIT configChanged();
        }
    }
    Q_EMIT datasetChanged();
}

void TrainingSession::setValidationFraction(double fraction)
{
    m_validationFraction = std::clamp(fraction, 0.05, 0.5);
    QSettings().setValue(QStringLiteral("training/validationFraction"), m_validationFraction);
}

bool TrainingSession::useProjectLabels()
{
    m_error.clear();
    if (!m_projectData) {
        m_error = tr("This window has no project labels to train on.");
        return false;
    }
    if (m_datasetWatcher.isRunning()) {
        m_error = tr("Training data are still being read.");
        return false;
    }
    ProjectDataJob job = m_projectData(&m_error);
    if (!job)
        return false;
    m_loadingProject = true;
    m_datasetWatcher.setFuture(QtConcurrent::run([job = std::move(job)]() -> LoadedDataset {
        try {
            return {job(), {}};
        } catch (const std::exception &error) {
            return {nullptr, errorText(error)};
        }
    }));
    return true;
}

QString TrainingSession::datasetOrigin() const
{
    return m_originIsProject ? tr("labeled slices of this project") : m_datasetOrigin;
}

QString TrainingSession::autoConfigurationText() const
{
    if (!m_autoConfiguration)
        return {};
    const core::AutoConfiguration &choice = *m_autoConfiguration;
    return tr("Input size %1 and output stride %2, chosen for these data (median slice %3 × %4) "
              "and this computer (%5).")
        .arg(choice.inputSize)
        .arg(choice.outputStride)
        .arg(choice.medianWidth)
        .arg(choice.medianHeight)
        .arg(choice.cuda ? tr("GPU") : tr("CPU"));
}

QStringList TrainingSession::classNames() const
{
    QStringList names;
    if (m_data) {
        for (const core::ModelClass &entry : m_data->classes)
            names.append(QString::fromStdString(entry.name));
    }
    return names;
}

QString TrainingSession::datasetSummary() const
{
    if (!m_data)
        return tr("No dataset: label some slices, or choose a VOC dataset folder.");
    const int classes = m_data->classCount();
    std::vector<std::int64_t> pixels(std::size_t(std::max(classes, 0)), 0);
    std::vector<int> slicesWithClass(pixels.size(), 0);
    for (const auto *split : {&m_data->train, &m_data->val}) {
        for (const core::TrainingSample &sample : *split) {
            const torch::Tensor counts =
                torch::bincount(sample.mask.reshape({-1}).to(torch::kLong), {}, 256);
            const auto *values = counts.data_ptr<std::int64_t>();
            for (int c = 0; c < classes; ++c) {
                pixels[std::size_t(c)] += values[c];
                if (values[c] > 0)
                    ++slicesWithClass[std::size_t(c)];
            }
        }
    }
    QString text = tr("%n training slice(s)", nullptr, int(m_data->train.size())) +
                   QStringLiteral(", ") +
                   tr("%n validation slice(s)", nullptr, int(m_data->val.size()));
    // m_data->summary is the model card's English; the lines below say the same per class.
    for (int c = 0; c < classes; ++c) {
        text += QLatin1Char('\n') +
                tr("%1: %2 slice(s), %3 pixels")
                    .arg(QString::fromStdString(m_data->classes[std::size_t(c)].name))
                    .arg(slicesWithClass[std::size_t(c)])
                    .arg(pixels[std::size_t(c)]);
    }
    return text + splitAndIntensityText(*m_data);
}

QString TrainingSession::intensityText(const core::ChannelIntensity &rule)
{
    switch (rule.scheme) {
    case core::IntensityScheme::Grey8:
        return tr("8-bit grey levels");
    case core::IntensityScheme::Window:
        return tr("window %1/%2").arg(rule.windowCenter).arg(rule.windowWidth);
    case core::IntensityScheme::CtPercentiles:
        return tr("clipped to %1..%2, z-score (mean %3, SD %4)")
            .arg(rule.clipLow, 0, 'g', 4)
            .arg(rule.clipHigh, 0, 'g', 4)
            .arg(rule.mean, 0, 'g', 4)
            .arg(rule.std, 0, 'g', 4);
    case core::IntensityScheme::ZScore:
        return rule.nonzeroMask ? tr("z-score per volume, over non-zero voxels")
                                : tr("z-score per volume");
    case core::IntensityScheme::Percentiles:
        return tr("%1-%2 percentiles per volume").arg(rule.lowPercentile).arg(rule.highPercentile);
    }
    return {};
}

QString TrainingSession::splitAndIntensityText(const core::TrainingData &data)
{
    const auto join = [](const std::vector<std::string> &names) {
        QStringList list;
        for (const std::string &name : names)
            list << QString::fromStdString(name);
        return list.join(QStringLiteral(", "));
    };
    QString text;
    if (!data.trainCases.empty() || !data.validationCases.empty())
        text +=
            QLatin1Char('\n') +
            tr("Training cases (%1): %2").arg(data.trainCases.size()).arg(join(data.trainCases)) +
            QLatin1Char('\n') +
            tr("Validation cases (%1): %2")
                .arg(data.validationCases.size())
                .arg(join(data.validationCases));
    QStringList rules;
    for (const core::ChannelIntensity &rule : data.preprocessing.intensity)
        rules << QString::fromStdString(rule.channel) + QStringLiteral(": ") + intensityText(rule);
    if (!rules.isEmpty())
        text += QLatin1Char('\n') + tr("Intensities: %1").arg(rules.join(QStringLiteral("; ")));
    for (const std::string &note : data.notes)
        text += QLatin1Char('\n') + QString::fromStdString(note);
    return text;
}

void TrainingSession::setRunsDirectory(const QString &directory)
{
    m_runsDirectory = directory;
    Q_EMIT runsChanged();
}

bool TrainingSession::start()
{
    const QString name =
        QStringLiteral("run-%1-%2")
            .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")),
                 QString::fromStdString(m_config.model.backbone));
    if (m_runsDirectory.isEmpty()) {
        m_error = tr("Choose where runs are kept first.");
        return false;
    }
    return startIn(QDir(m_runsDirectory).filePath(name), m_config);
}

bool TrainingSession::resumeRun(const QString &runDir)
{
    // The plan the run started with (its config.json: epochs fitted to a time budget, batch
    // sizes the checkpoint's position counts in), on this computer's device and threads.
    core::TrainingConfig config;
    try {
        config = core::readRunConfig(runDir.toStdString());
    } catch (const std::exception &error) {
        m_error = tr("This run cannot be resumed: %1").arg(errorText(error));
        return false;
    }
    config.device = m_config.device;
    config.threads = m_config.threads;
    return startIn(runDir, config);
}

bool TrainingSession::deleteRun(const QString &runDir)
{
    m_error.clear();
    const QString folder = QDir::cleanPath(QFileInfo(runDir).absoluteFilePath());
    const QString runs = QDir::cleanPath(QFileInfo(m_runsDirectory).absoluteFilePath());
    const auto same = [&folder](const QString &other) {
        return !other.isEmpty() && QDir::cleanPath(QFileInfo(other).absoluteFilePath()) == folder;
    };
    if (QFileInfo(folder).path() != runs ||
        !QFileInfo::exists(QDir(folder).filePath(QStringLiteral("metrics.jsonl")))) {
        m_error =
            tr("%1 is not a training run of this project.").arg(QDir::toNativeSeparators(folder));
        return false;
    }
    if ((m_controller->isActive() && same(m_controller->runDir())) ||
        (m_history->isFollowing() && same(m_history->runDir()))) {
        m_error = tr("This run is training or shown live; stop it first.");
        return false;
    }
    if (!QDir(folder).removeRecursively()) {
        m_error = tr("Could not delete all of %1.").arg(QDir::toNativeSeparators(folder));
        Q_EMIT runsChanged();
        return false;
    }
    Q_EMIT runsChanged();
    return true;
}

bool TrainingSession::startIn(const QString &runDir, const core::TrainingConfig &config)
{
    m_error.clear();
    if (!m_data || m_data->train.empty()) {
        m_error = tr("There are no labeled training slices.");
        return false;
    }
    if (m_controller->isActive()) {
        m_error = tr("A training is already running.");
        return false;
    }
    if (!QDir().mkpath(runDir)) {
        m_error = tr("Cannot create the run folder %1.").arg(QDir::toNativeSeparators(runDir));
        return false;
    }
    m_history->clear();
    m_history->setClassNames(classNames());
    QList<QColor> colours;
    for (const core::ModelClass &entry : m_data->classes)
        colours.append(QColor(entry.colour[0], entry.colour[1], entry.colour[2]));
    m_history->setClassColours(colours);
    m_preview.reset();
    m_previewSlices.clear();
    if (!m_controller->start(config, m_data, runDir)) {
        m_error = tr("The training could not be started.");
        return false;
    }
    Q_EMIT runsChanged();
    return true;
}

bool TrainingSession::followRun(const QString &runDir)
{
    if (m_controller->isActive()) {
        m_error = tr("A training is running in this window.");
        return false;
    }
    if (!m_history->load(runDir, true)) {
        m_error = m_history->errorString();
        return false;
    }
    return true;
}

void TrainingSession::setPreviewInterval(int milliseconds)
{
    m_previewTimer.setInterval(std::max(200, milliseconds));
}

void TrainingSession::requestPreviewNow()
{
    if (!m_previewSource || !m_controller->isActive())
        return;
    const std::optional<PreviewSlice> slice =
        m_previewSource(m_data ? m_data->preprocessing : core::Preprocessing{});
    if (!slice || (slice->image.isNull() && !slice->unit.defined()))
        return;
    const qint64 id = slice->unit.defined() ? m_controller->requestPreview(slice->unit)
                                            : m_controller->requestPreview(slice->image);
    if (id > 0)
        m_previewSlices.insert(id, slice->sliceIndex);
}

void TrainingSession::onPreviewReady(const QImage &labels, qint64 step, qint64 requestId)
{
    const int slice = m_previewSlices.value(requestId, -1);
    // Requests served before this one were dropped by the trainer (latest wins).
    for (auto it = m_previewSlices.begin(); it != m_previewSlices.end();)
        it = it.key() <= requestId ? m_previewSlices.erase(it) : std::next(it);
    if (slice < 0)
        return;
    m_preview = Prediction{slice, labels, step};
    Q_EMIT previewUpdated(slice, step);
}

} // namespace medseg::ui
