#include "app/cli/Commands.h"

#include "core/common/AtomicFile.h"
#include "core/evaluation/SegmentationEvaluation.h"

#include <QCommandLineParser>

#include <cmath>

namespace medseg::cli {
namespace {

// `medseg evaluate PREDICTIONS GROUND_TRUTH [--json FILE] [--csv FILE] [--labels 1,2]`: Dice,
// IoU, HD95 and volumes per case and label of two folders of label files paired by name, as
// nnU-Net's evaluation reports them (see core/evaluation/SegmentationEvaluation.h).
class EvaluateCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(EvaluateCommand)

public:
    QString name() const override { return QStringLiteral("evaluate"); }
    QString summary() const override
    {
        return tr("Compare predicted label volumes with ground truth: Dice, IoU, 95th "
                  "percentile Hausdorff distance and volumes per case and label.");
    }

    int run(const QStringList &arguments) override
    {
        QCommandLineParser parser;
        const QCommandLineOption jsonOption(
            QStringLiteral("json"),
            tr("Write the results as JSON (nnU-Net's summary.json layout)."), tr("FILE"));
        const QCommandLineOption csvOption(
            QStringLiteral("csv"), tr("Write one line per case and label as CSV."), tr("FILE"));
        const QCommandLineOption labelsOption(
            QStringLiteral("labels"),
            tr("The labels to evaluate, e.g. 1,2,3 (default: every label found)."), tr("LIST"));
        parser.addOption(jsonOption);
        parser.addOption(csvOption);
        parser.addOption(labelsOption);
        parser.addPositionalArgument(QStringLiteral("predictions"),
                                     tr("A folder of label files, or one file."));
        parser.addPositionalArgument(
            QStringLiteral("ground-truth"),
            tr("The folder with the ground truth of the same names, or one file."));
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;
        const QStringList positional = parser.positionalArguments();
        if (positional.size() != 2) {
            printError(tr("'evaluate' needs PREDICTIONS and GROUND_TRUTH."));
            return ExitUsage;
        }
        core::EvaluationOptions options;
        if (parser.isSet(labelsOption)) {
            for (const QString &part : parser.value(labelsOption).split(QLatin1Char(','))) {
                bool ok = false;
                const int label = part.trimmed().toInt(&ok);
                if (!ok || label < 1 || label > 65535) {
                    printError(tr("--labels takes labels from 1 to 65535, e.g. 1,2,3, not '%1'.")
                                   .arg(part));
                    return ExitUsage;
                }
                options.labels.push_back(label);
            }
        }

        core::EvaluationSummary summary;
        try {
            summary = core::evaluateSegmentations(positional[0].toStdString(),
                                                  positional[1].toStdString(), options);
            if (parser.isSet(jsonOption))
                core::AtomicFile::writeAll(parser.value(jsonOption).toStdString(),
                                           core::evaluationJson(summary));
            if (parser.isSet(csvOption))
                core::AtomicFile::writeAll(parser.value(csvOption).toStdString(),
                                           core::evaluationCsv(summary));
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        printOut(table(summary));
        return ExitOk;
    }

private:
    static QString statistic(const std::vector<double> &values, int decimals, const QString &unit)
    {
        const core::ScoreStatistics s = core::statisticsOf(values);
        if (s.count == 0)
            return tr("undefined");
        return QStringLiteral("%1 ± %2%3")
            .arg(s.mean, 0, 'f', decimals)
            .arg(s.standardDeviation, 0, 'f', decimals)
            .arg(unit);
    }

    static QString table(const core::EvaluationSummary &summary)
    {
        QString text = tr("%n case(s)", nullptr, int(summary.cases.size())) + QLatin1Char('\n');
        for (std::size_t c = 0; c < summary.labels.size(); ++c) {
            std::vector<double> dice, iou, hd95, difference;
            for (const core::CaseEvaluation &evaluation : summary.cases) {
                const core::ClassScores &s = evaluation.classes[c];
                dice.push_back(s.dice);
                iou.push_back(s.iou);
                hd95.push_back(s.hausdorff95Mm);
                difference.push_back(s.volumeDifferenceMl);
            }
            int undefined = 0;
            for (const double v : hd95)
                undefined += !std::isfinite(v);
            text += tr("Label %1: Dice %2, IoU %3, HD95 %4, volume difference %5")
                        .arg(summary.labels[c])
                        .arg(statistic(dice, 3, QString()), statistic(iou, 3, QString()),
                             statistic(hd95, 2, QStringLiteral(" mm")),
                             statistic(difference, 2, QStringLiteral(" mL")));
            if (undefined > 0)
                text += QStringLiteral(" ") +
                        tr("(HD95 undefined in %n case(s): label missing from the prediction "
                           "or the ground truth)",
                           nullptr, undefined);
            text += QLatin1Char('\n');
        }
        return text;
    }
};

} // namespace

std::unique_ptr<CliCommand> makeEvaluateCommand()
{
    return std::make_unique<EvaluateCommand>();
}

} // namespace medseg::cli
