#include "app/cli/Commands.h"
#include "app/cli/NumberOptions.h"

#include "core/dataset/ClassStatistics.h"
#include "core/dataset/VocReader.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace medseg::cli {
namespace {

// `medseg stats DATASET [--json] [--max-ratio R]`: pixel counts per class of a VOC dataset's
// masks and the class weights for a weighted loss (see core/dataset/ClassStatistics.h).
class StatsCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(StatsCommand)

public:
    QString name() const override { return QStringLiteral("stats"); }
    QString summary() const override
    {
        return tr("Print per-class pixel counts and class weights of a VOC segmentation "
                  "dataset.");
    }

    int run(const QStringList &arguments) override
    {
        QCommandLineParser parser;
        const QCommandLineOption jsonOption(QStringLiteral("json"), tr("Print JSON."));
        const QCommandLineOption ratioOption(
            QStringLiteral("max-ratio"),
            tr("Clipped weights stay within this factor of the median weight."),
            QStringLiteral("R"), QStringLiteral("10"));
        parser.addOption(jsonOption);
        parser.addOption(ratioOption);
        parser.addPositionalArgument(QStringLiteral("dataset"), tr("The VOC dataset folder."));
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;
        if (parser.positionalArguments().size() != 1) {
            printError(tr("give exactly one dataset folder."));
            return ExitUsage;
        }
        const auto ratioValue = numberOption(parser, ratioOption, {1.0});
        if (!ratioValue)
            return ExitUsage;
        const double ratio = *ratioValue;

        core::VocDataset dataset;
        core::ClassStatistics statistics;
        try {
            dataset = core::VocReader::open(parser.positionalArguments().first().toStdString());
            statistics = core::ClassStatistics(dataset.classes.maxIndex() + 1);
            for (const core::VocSample &sample : dataset.samples) {
                const core::VocMask mask = core::VocReader::readMask(dataset, sample);
                statistics.add(mask.indexes.data(), mask.indexes.size(), false);
            }
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        for (const std::string &note : dataset.notes) // on stderr: --json stays parseable
            printError(QString::fromStdString(note) + QLatin1Char('.'));

        const std::vector<double> frequencies = statistics.frequencies();
        const std::vector<double> inverse = statistics.inverseFrequencyWeights();
        const std::vector<double> clipped = statistics.clippedWeights(ratio);
        if (parser.isSet(jsonOption)) {
            QJsonArray classes;
            for (int c = 0; c < statistics.classCount(); ++c) {
                const core::LabelClass *entry = dataset.classes.find(c);
                classes.append(QJsonObject{
                    {QStringLiteral("index"), c},
                    {QStringLiteral("name"),
                     entry ? QString::fromStdString(entry->name) : QString()},
                    {QStringLiteral("pixels"), qint64(statistics.counts()[std::size_t(c)])},
                    {QStringLiteral("frequency"), frequencies[std::size_t(c)]},
                    {QStringLiteral("weight"), inverse[std::size_t(c)]},
                    {QStringLiteral("clipped_weight"), clipped[std::size_t(c)]}});
            }
            const QJsonObject root{{QStringLiteral("images"), int(dataset.samples.size())},
                                   {QStringLiteral("pixels"), qint64(statistics.total())},
                                   {QStringLiteral("ignored"), qint64(statistics.ignored())},
                                   {QStringLiteral("max_ratio"), ratio},
                                   {QStringLiteral("classes"), classes}};
            printOut(QString::fromUtf8(QJsonDocument(root).toJson()));
            return ExitOk;
        }
        QString text =
            tr("%n image(s), %1 labeled pixels, %2 ignored", nullptr, int(dataset.samples.size()))
                .arg(statistics.total())
                .arg(statistics.ignored()) +
            QLatin1Char('\n');
        text +=
            tr("index  class            pixels    frequency  weight    clipped (x%1)").arg(ratio) +
            QLatin1Char('\n');
        for (int c = 0; c < statistics.classCount(); ++c) {
            const core::LabelClass *entry = dataset.classes.find(c);
            text += QStringLiteral("%1  %2 %3  %4  %5  %6\n")
                        .arg(c, 5)
                        .arg(entry ? QString::fromStdString(entry->name) : QString(), -15)
                        .arg(statistics.counts()[std::size_t(c)], 10)
                        .arg(frequencies[std::size_t(c)], 9, 'f', 6)
                        .arg(inverse[std::size_t(c)], 8, 'f', 6)
                        .arg(clipped[std::size_t(c)], 8, 'f', 6);
        }
        printOut(text);
        return ExitOk;
    }
};

} // namespace

std::unique_ptr<CliCommand> makeStatsCommand()
{
    return std::make_unique<StatsCommand>();
}

} // namespace medseg::cli
