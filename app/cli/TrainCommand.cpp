#include "app/cli/Commands.h"
#include "app/cli/NumberOptions.h"

#include "core/datasetio/ProjectDatasets.h"

#include "core/train/AutoConfig.h"
#include "core/train/ModelBundle.h"
#include "core/train/Trainer.h"
#include "core/train/TrainingBudget.h"
#include "core/train/TrainingConfig.h"
#include "core/train/VocTrainingData.h"
#include "core/train/VolumeTrainingData.h"
#include "models/Registry.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <torch/cuda.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <thread>

#include <unistd.h>

namespace medseg::cli {
namespace {

// Set by SIGINT; a watcher thread turns it into TrainingControl::requestStop() (locking a
// mutex is not allowed inside a signal handler).
volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void onInterrupt(int)
{
    g_interrupted = 1;
}

QString formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("--:--");
    const auto total = static_cast<qint64>(seconds + 0.5);
    const qint64 hours = total / 3600, minutes = (total / 60) % 60, secs = total % 60;
    return hours > 0 ? QStringLiteral("%1:%2:%3")
                           .arg(hours)
                           .arg(minutes, 2, 10, QLatin1Char('0'))
                           .arg(secs, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2")
                           .arg(minutes, 2, 10, QLatin1Char('0'))
                           .arg(secs, 2, 10, QLatin1Char('0'));
}

// `medseg train --config run.json [DATASET]` or `medseg train DATASET --backbone NAME ...`:
// the staged trainer, headless, with a progress bar on stderr. A run directory that holds a
// checkpoint is resumed; Ctrl+C writes a checkpoint and exits with 130.
// The best model's validation Dice per class, as a table for the end of a run.
QString validationTable(const std::string &modelPath)
{
    if (modelPath.empty())
        return {};
    core::ModelBundle bundle;
    try {
        bundle = core::readModelBundleInfo(modelPath);
    } catch (const std::exception &) {
        return {};
    }
    const core::ValidationScores &scores = bundle.validation;
    if (!scores.isValid())
        return {};
    int width = 0;
    for (const core::ModelClass &item : bundle.classes)
        width = std::max(width, int(item.name.size()));
    QString table =
        QCoreApplication::translate("TrainCommand", "Validation Dice of the best model (stage %1, "
                                                    "epoch %2):\n")
            .arg(scores.stage + 1)
            .arg(scores.epoch + 1);
    for (const core::ModelClass &item : bundle.classes) {
        const std::size_t c = std::size_t(item.index);
        const double dice = c < scores.dice.size() ? scores.dice[c] : std::nan("");
        table += QStringLiteral("  %1  %2\n")
                     .arg(QString::fromStdString(item.name).leftJustified(width),
                          std::isfinite(dice)
                              ? QString::number(dice, 'f', 3)
                              : QCoreApplication::translate("TrainCommand",
                                                            "absent from the validation slices"));
    }
    const core::InferenceRefinement &r = bundle.refinement;
    if (r.validationSlices > 0) {
        QStringList largest;
        for (const int c : r.largestComponentClasses)
            for (const core::ModelClass &item : bundle.classes)
                if (item.index == c)
                    largest << QString::fromStdString(item.name);
        table += QCoreApplication::translate(
                     "TrainCommand",
                     "Kept for prediction (they raised the validation Dice on %1 slices, mean "
                     "foreground %2 -> %3): flip TTA %4; largest region only for: %5.\n")
                     .arg(r.validationSlices)
                     .arg(r.diceBefore, 0, 'f', 3)
                     .arg(r.diceAfter, 0, 'f', 3)
                     .arg(r.flipTta ? QCoreApplication::translate("TrainCommand", "yes")
                                    : QCoreApplication::translate("TrainCommand", "no"))
                     .arg(largest.isEmpty() ? QCoreApplication::translate("TrainCommand", "none")
                                            : largest.join(QStringLiteral(", ")));
    }
    return table;
}

class TrainCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(TrainCommand)

public:
    QString name() const override { return QStringLiteral("train"); }
    QString summary() const override
    {
        return tr("Train a segmentation model on a VOC dataset with the staged plan.");
    }

    int run(const QStringList &arguments) override
    {
        QStringList backbones;
        for (const std::string &backbone : models::availableBackbones())
            backbones << QString::fromStdString(backbone);

        QCommandLineParser parser;
        const QCommandLineOption configOption(
            QStringLiteral("config"),
            tr("Training config (JSON, as a run's config.json); other options override it."),
            QStringLiteral("FILE"));
        const QCommandLineOption backboneOption(
            QStringLiteral("backbone"),
            tr("Backbone: %1.").arg(backbones.join(QStringLiteral(", "))), QStringLiteral("NAME"));
        const QCommandLineOption epochsOption(QStringLiteral("epochs"),
                                              tr("Epochs of every stage."), QStringLiteral("N"));
        const QCommandLineOption inputSizeOption(QStringLiteral("input-size"),
                                                 tr("Square input size of every stage."),
                                                 QStringLiteral("N"));
        const QCommandLineOption stretchOption(
            QStringLiteral("stretch"),
            tr("Stretch slices to the square input size (default: keep their aspect ratio, "
               "resizing the longer side and padding the shorter one)."));
        const QCommandLineOption batchOption(QStringLiteral("batch"),
                                             tr("Batch size of every stage."), QStringLiteral("N"));
        const QCommandLineOption strideOption(QStringLiteral("output-stride"),
                                              tr("Output stride of the backbone: 8, 16 or 32."),
                                              QStringLiteral("S"));
        const QCommandLineOption pretrainedOption(
            QStringLiteral("pretrained"),
            tr("torchvision ImageNet weights (a state dict) for the backbone: the plan becomes "
               "the three-stage fine-tuning one. Without it the model trains from scratch with "
               "a plan made for random weights."),
            QStringLiteral("FILE"));
        const QCommandLineOption runDirOption(
            QStringLiteral("run-dir"),
            tr("Run folder (config, metrics, checkpoints, models); default runs/BACKBONE-TIME, "
               "or the config's folder when the config is a run's config.json."),
            QStringLiteral("DIR"));
        const QCommandLineOption seedOption(QStringLiteral("seed"), tr("Random seed."),
                                            QStringLiteral("S"));
        const QCommandLineOption valOption(
            QStringLiteral("val-fraction"),
            tr("Share of the patients (cases) that validate, for a project or an nnU-Net or "
               "Decathlon dataset (default 0.2)."),
            QStringLiteral("F"), QStringLiteral("0.2"));
        const QCommandLineOption threadsOption(QStringLiteral("threads"),
                                               tr("CPU threads (default: all cores)."),
                                               QStringLiteral("N"));
        const QCommandLineOption deviceOption(QStringLiteral("device"),
                                              tr("cpu or cuda (default: cuda when available)."),
                                              QStringLiteral("DEVICE"));
        const QCommandLineOption intensityOption(
            QStringLiteral("intensity"),
            tr("How the intensities of image volumes are normalised: auto (nnU-Net's rule: CT "
               "percentiles for CT channels, z-score for the others), window (CT through the "
               "config's intensity_window, default 40/400), ct_percentiles, zscore or "
               "percentiles. VOC datasets stay 8-bit."),
            QStringLiteral("RULE"));
        const QCommandLineOption minutesOption(
            QStringLiteral("minutes"),
            tr("Train for about this many minutes, reading the data included: the epochs are "
               "planned from training steps measured on this machine, and the run ends on "
               "time (instead of --epochs)."),
            QStringLiteral("N"));
        const QCommandLineOption adjacentOption(
            QStringLiteral("adjacent-slices"),
            tr("2.5D input: each slice goes in with its nearest slices, K in all (1, 3 or 5), "
               "as further channels. For image volumes (a project, an nnU-Net or Decathlon "
               "dataset), not VOC images."),
            QStringLiteral("K"));
        for (const QCommandLineOption *option :
             {&configOption, &backboneOption, &epochsOption, &minutesOption, &adjacentOption,
              &inputSizeOption, &stretchOption, &pretrainedOption, &batchOption, &strideOption,
              &runDirOption, &seedOption, &valOption, &threadsOption, &deviceOption,
              &intensityOption})
            parser.addOption(*option);
        parser.addPositionalArgument(
            QStringLiteral("dataset"),
            tr("A project (NAME.medseg: every labeled volume), an nnU-Net v2 or Decathlon "
               "dataset, or a VOC dataset folder (optional with --config)."));
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;

        const auto started = std::chrono::steady_clock::now();
        core::TrainingConfig config;
        QString runDir = parser.value(runDirOption);
        QString configPath = parser.value(configOption);
        // The same command again resumes a stopped run with the plan it started with (its
        // config.json, the epochs fitted to a time budget included): measuring again could pick
        // another batch size, and the checkpoint's position counts that plan's steps.
        const bool resuming =
            configPath.isEmpty() && !runDir.isEmpty() &&
            core::Trainer::hasCheckpoint(runDir.toStdString()) &&
            QFileInfo::exists(QDir(runDir).filePath(QStringLiteral("config.json")));
        if (resuming)
            configPath = QDir(runDir).filePath(QStringLiteral("config.json"));
        if (!configPath.isEmpty()) {
            const QString path = configPath;
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly)) {
                printError(tr("%1: cannot open the config.").arg(path));
                return ExitBadInput;
            }
            try {
                config =
                    core::trainingConfigFromJson(file.readAll().toStdString(), path.toStdString());
            } catch (const std::exception &error) {
                printError(errorText(error));
                return ExitBadInput;
            }
            if (runDir.isEmpty() && QFileInfo(path).fileName() == QLatin1String("config.json"))
                runDir = QFileInfo(path).absolutePath();
        }
        if (parser.isSet(pretrainedOption)) {
            const QString weights = parser.value(pretrainedOption);
            if (!QFileInfo(weights).isFile()) {
                printError(tr("%1: no such file.").arg(weights));
                return ExitBadInput;
            }
            config.pretrainedBackbone = QFileInfo(weights).absoluteFilePath().toStdString();
        }
        // Without a config the plan follows the weights: fine-tune with pretrained ones, from
        // scratch without (a config file's own stages are kept).
        if (configPath.isEmpty())
            core::applyRecipe(config);
        if (parser.positionalArguments().size() > 1) {
            printError(tr("give at most one dataset folder."));
            return ExitUsage;
        }
        if (!parser.positionalArguments().isEmpty())
            config.dataset =
                QFileInfo(parser.positionalArguments().first()).absoluteFilePath().toStdString();
        if (config.dataset.empty()) {
            printError(tr("give a dataset folder, or a config that names one."));
            return ExitUsage;
        }

        // Command-line overrides (the ranges are validate()'s).
        auto whole = [&](const QCommandLineOption &option, long long high, int *value) {
            if (!parser.isSet(option))
                return true;
            const auto number = wholeOption(parser, option, 1, high);
            if (number)
                *value = int(*number);
            return number.has_value();
        };
        int epochs = -1, inputSize = -1, batch = -1, stride = -1, threads = -1;
        if (!whole(epochsOption, 1000000, &epochs) || !whole(inputSizeOption, 8192, &inputSize) ||
            !whole(batchOption, 4096, &batch) || !whole(strideOption, 32, &stride) ||
            !whole(threadsOption, 1024, &threads))
            return ExitUsage;
        for (core::StagePlan &stage : config.stages) {
            if (epochs > 0)
                stage.epochs = epochs;
            if (inputSize > 0)
                stage.inputSize = inputSize;
            if (batch > 0)
                stage.batchSize = batch;
        }
        if (stride > 0) {
            if (stride != 8 && stride != 16 && stride != 32) {
                printError(tr("--output-stride must be 8, 16 or 32."));
                return ExitUsage;
            }
            config.model.output_stride = stride;
        }
        if (parser.isSet(adjacentOption)) {
            const QString k = parser.value(adjacentOption);
            if (k != QLatin1String("1") && k != QLatin1String("3") && k != QLatin1String("5")) {
                printError(tr("--adjacent-slices must be 1, 3 or 5."));
                return ExitUsage;
            }
            config.adjacentSlices = k.toInt();
        }
        double minutes = 0;
        if (parser.isSet(minutesOption)) {
            const auto value = numberOption(parser, minutesOption, {0.0, 60.0 * 24 * 30, true});
            if (!value)
                return ExitUsage;
            minutes = *value;
            if (epochs > 0) {
                printError(tr("give --epochs or --minutes, not both."));
                return ExitUsage;
            }
        }
        if (threads > 0)
            config.threads = threads;
        if (parser.isSet(stretchOption))
            config.inputResize = core::InputResize::Stretch;
        if (parser.isSet(intensityOption)) {
            const std::string rule = parser.value(intensityOption).toStdString();
            const auto &choices = core::intensityChoices();
            if (std::find(choices.begin(), choices.end(), rule) == choices.end()) {
                printError(tr("--intensity must be auto, window, ct_percentiles, zscore or "
                              "percentiles."));
                return ExitUsage;
            }
            config.intensity = rule;
        }
        if (parser.isSet(backboneOption)) {
            const QString backbone = parser.value(backboneOption);
            if (!backbones.contains(backbone)) {
                printError(tr("unknown backbone '%1' (%2).")
                               .arg(backbone, backbones.join(QStringLiteral(", "))));
                return ExitUsage;
            }
            config.model.backbone = backbone.toStdString();
        }
        if (parser.isSet(seedOption)) {
            const auto seed =
                wholeOption(parser, seedOption, 0, std::numeric_limits<long long>::max());
            if (!seed)
                return ExitUsage;
            config.seed = std::uint64_t(*seed);
        }
        if (parser.isSet(deviceOption)) {
            const QString device = parser.value(deviceOption);
            if (device != QLatin1String("cpu") && device != QLatin1String("cuda")) {
                printError(tr("--device must be cpu or cuda."));
                return ExitUsage;
            }
            config.device = device.toStdString();
        }

        const auto valValue = numberOption(parser, valOption, {0.0, 1.0, true, true});
        if (!valValue)
            return ExitUsage;
        const double valFraction = *valValue;
        core::TrainingData data;
        try {
            data = loadData(config, valFraction);
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        core::fitModelToData(config.model, data);
        // Without a config: the input size and output stride follow the data and the device,
        // unless given on the command line.
        if (configPath.isEmpty() && !(data.train.empty() && data.val.empty())) {
            const core::AutoConfiguration choice =
                core::chooseAutoConfiguration(data, core::usesCuda(config));
            core::apply(choice, config);
            for (core::StagePlan &stage : config.stages)
                if (inputSize > 0)
                    stage.inputSize = inputSize;
            if (stride > 0)
                config.model.output_stride = stride;
            printOut(tr("Chosen for these data: %1%2.\n")
                         .arg(QString::fromStdString(core::describe(choice)),
                              inputSize > 0 || stride > 0
                                  ? tr(" (options given on the command line take precedence)")
                                  : QString()));
        }
        try {
            core::validate(config);
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitUsage;
        }
        if (resuming && minutes > 0) {
            // Its budget counts the time it has trained already (the checkpoint keeps it).
            printOut(tr("Resuming: the run keeps the time budget and the plan it started with.\n"));
            minutes = 0;
        }
        const bool chooseBatch = batch <= 0 && configPath.isEmpty();
        if (const int code = fitToMachine(config, data, chooseBatch, minutes, started); code >= 0)
            return code;

        if (runDir.isEmpty())
            runDir = QDir(QStringLiteral("runs"))
                         .absoluteFilePath(QStringLiteral("%1-%2").arg(
                             QString::fromStdString(config.model.backbone),
                             QDateTime::currentDateTimeUtc().toString(
                                 QStringLiteral("yyyyMMdd-HHmmss"))));
        const std::string run = runDir.toStdString();
        if (core::Trainer::hasCheckpoint(run))
            printOut(tr("Resuming the run in %1 from its checkpoint.\n").arg(runDir));
        else
            printOut(tr("Training %1 on %2 into %3.\n")
                         .arg(QString::fromStdString(config.model.backbone),
                              QString::fromStdString(data.summary), runDir));
        printOut(tr("Plan: %1; %n stage(s).\n", nullptr, int(config.stages.size()))
                     .arg(QString::fromStdString(core::recipeReason(config))));

        core::TrainingControl control;
        g_interrupted = 0;
        auto *previous = std::signal(SIGINT, onInterrupt);
        std::atomic<bool> done{false};
        std::thread watcher([&] {
            while (!done) {
                if (g_interrupted) {
                    control.requestStop();
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        });

        const bool tty = ::isatty(STDERR_FILENO) != 0;
        auto lastLine = std::chrono::steady_clock::now() - std::chrono::hours(1);
        bool barShown = false;
        core::TrainerHooks hooks;
        hooks.onStep = [&](const core::TrainingProgress &p) {
            const auto now = std::chrono::steady_clock::now();
            if (!tty && now - lastLine < std::chrono::seconds(5) && p.step != p.totalSteps)
                return;
            lastLine = now;
            constexpr int width = 24;
            const int filled =
                p.totalSteps > 0 ? int(width * double(p.step) / double(p.totalSteps)) : 0;
            const QString bar =
                QString(filled, QLatin1Char('#')) + QString(width - filled, QLatin1Char('.'));
            const QString line =
                tr("stage %1/%2 epoch %3/%4 [%5] %6/%7 loss %8 lr %9 %10 img/s ETA %11")
                    .arg(p.stage + 1)
                    .arg(p.stageCount)
                    .arg(p.epoch + 1)
                    .arg(p.epochs)
                    .arg(bar)
                    .arg(p.step)
                    .arg(p.totalSteps)
                    .arg(p.loss, 0, 'f', 4)
                    .arg(p.learningRate, 0, 'e', 1)
                    .arg(p.imagesPerSecond, 0, 'f', 1)
                    .arg(formatDuration(p.etaSeconds));
            std::fprintf(stderr, tty ? "\r%s\033[K" : "%s\n", qPrintable(line));
            std::fflush(stderr);
            barShown = tty;
        };
        hooks.onEvent = [&](const core::TrainingEvent &event) {
            if (barShown) {
                std::fputs("\n", stderr);
                barShown = false;
            }
            std::fprintf(stderr, "%s\n", core::describe(event).c_str());
            std::fflush(stderr);
        };

        core::TrainingResult result;
        int code = ExitOk;
        try {
            result = core::Trainer(config, run).fit(data, hooks, &control);
        } catch (const std::exception &error) {
            if (barShown)
                std::fputs("\n", stderr);
            printError(errorText(error));
            code = ExitBadInput;
        }
        done = true;
        watcher.join();
        std::signal(SIGINT, previous);
        if (code != ExitOk)
            return code;
        if (barShown)
            std::fputs("\n", stderr);

        switch (result.status) {
        case core::TrainingResult::Status::Finished:
            printOut(tr("Finished: best mean foreground Dice %1, model %2\n")
                         .arg(result.bestMeanDice, 0, 'f', 4)
                         .arg(QString::fromStdString(result.bestModelPath)));
            printOut(validationTable(result.bestModelPath));
            return ExitOk;
        case core::TrainingResult::Status::Stopped:
            printOut(tr("Stopped; run the same command again to resume from %1\n")
                         .arg(QString::fromStdString(result.checkpointPath)));
            return ExitCancelled;
        case core::TrainingResult::Status::Failed:
            break;
        }
        printError(QString::fromStdString(result.message));
        return ExitFailure;
    }

private:
    // The batch size from the memory a measured step takes (when the user gave none), and with
    // a time budget the epochs that fit it. Returns an exit code on failure, else -1.
    int fitToMachine(core::TrainingConfig &config, const core::TrainingData &data, bool chooseBatch,
                     double minutes, std::chrono::steady_clock::time_point started)
    {
        if (!chooseBatch && minutes <= 0)
            return -1;
        if (data.train.empty() || data.val.empty())
            return -1; // the trainer says what is missing
        try {
            printOut(tr("Measuring training steps on this machine...\n"));
            const core::MachineFit fit = core::fitToMachine(config, std::int64_t(data.train.size()),
                                                            std::int64_t(data.val.size()),
                                                            chooseBatch, minutes * 60.0, started);
            if (fit.batch)
                printOut(tr("Chosen for this machine: %1.\n")
                             .arg(QString::fromStdString(core::describe(*fit.batch))));
            if (fit.plan)
                printOut(tr("Time budget: %1.\n")
                             .arg(QString::fromStdString(core::describe(*fit.plan))));
        } catch (const std::exception &error) {
            printError(errorText(error) + QLatin1Char('.'));
            return ExitBadInput;
        }
        return -1;
    }

    // The training data of `config.dataset`: a project's labeled volumes, an nnU-Net or
    // Decathlon dataset (imported into a temporary project first), or a VOC dataset. Projects
    // and datasets are split by patient; what was found is printed before training starts.
    core::TrainingData loadData(const core::TrainingConfig &config, double valFraction)
    {
        const QDir folder(QString::fromStdString(config.dataset));
        const bool project = folder.exists(QStringLiteral("project.json"));
        const bool dataset = folder.exists(QStringLiteral("dataset.json"));
        if (!project && !dataset) {
            if (config.adjacentSlices > 1)
                throw std::runtime_error(
                    config.dataset +
                    ": 2.5D input (adjacent slices) needs image volumes; a VOC dataset's images "
                    "are single slices without neighbours. Train on the project or on an nnU-Net "
                    "or Decathlon dataset (medseg convert --to nnunet|msd).");
            core::TrainingData data = core::loadVocTrainingData(
                config.dataset, core::VocTrainingOptions{valFraction, config.seed});
            for (const std::string &note : data.notes)
                printOut(QStringLiteral("  ") + QString::fromStdString(note) +
                         QStringLiteral(".\n"));
            return data;
        }
        QTemporaryDir imported;
        std::string projectFolder = config.dataset;
        if (dataset) {
            projectFolder =
                QDir(imported.path()).filePath(QStringLiteral("dataset.medseg")).toStdString();
            core::importDataset(config.dataset, projectFolder);
        }
        core::LabelDescriptions table;
        const std::vector<core::LabeledVolume> volumes =
            core::loadProjectVolumes(projectFolder, &table);
        core::VolumeDataOptions options;
        options.validationFraction = valFraction;
        options.seed = config.seed;
        options.intensity = config.intensity;
        options.adjacentSlices = config.adjacentSlices;
        options.ctWindow =
            core::Window{config.intensityWindowCenter, config.intensityWindowWidth, {}};
        core::VolumeDataReport report;
        core::TrainingData data = core::trainingDataFromVolumes(volumes, table, options, &report);
        const auto join = [](const std::vector<std::string> &names) {
            QStringList list;
            for (const std::string &name : names)
                list << QString::fromStdString(name);
            return list.join(QStringLiteral(", "));
        };
        printOut(tr("Found %1 labeled slices in %2 volumes. Training cases: %3. Validation "
                    "cases: %4.\n")
                     .arg(report.labeledSlices)
                     .arg(report.volumes)
                     .arg(join(report.trainCases), join(report.validationCases)));
        printOut(tr("Intensities: %1.\n").arg(QString::fromStdString([&] {
            std::string text;
            for (const std::string &channel : report.channels)
                text += (text.empty() ? "" : "; ") + channel;
            return text;
        }())));
        for (const std::string &note : report.notes)
            printOut(QStringLiteral("  ") + QString::fromStdString(note) + QLatin1Char('\n'));
        return data;
    }
};

} // namespace

std::unique_ptr<CliCommand> makeTrainCommand()
{
    return std::make_unique<TrainCommand>();
}

} // namespace medseg::cli
