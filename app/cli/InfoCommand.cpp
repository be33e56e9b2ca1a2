#include "app/cli/Commands.h"

#include "core/dicom/DicomIndexer.h"
#include "core/imageio/ImageFile.h"
#include "core/imageio/ImageFileIndex.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>

namespace medseg::cli {
namespace {

// Progress on stderr while a large folder is read, only when a person watches (a terminal).
class TerminalProgress : public core::ProgressSink
{
    Q_DECLARE_TR_FUNCTIONS(InfoCommand)

public:
    TerminalProgress() { m_clock.start(); }
    ~TerminalProgress() override
    {
        if (m_printed)
            std::fputs("\r\033[K", stderr);
    }

    bool progress(std::int64_t done, std::int64_t total, const std::string &) override
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (total > 0 && m_clock.elapsed() - m_last >= 100) {
            m_last = m_clock.elapsed();
            const QString line = tr("Reading %1 of %2 files...").arg(done).arg(total);
            std::fprintf(stderr, "\r%s", qPrintable(line));
            std::fflush(stderr);
            m_printed = true;
        }
        return true;
    }
    bool isCancelled() const override { return false; }

private:
    std::mutex m_mutex;
    QElapsedTimer m_clock;
    qint64 m_last = -1000;
    bool m_printed = false;
};

QString fromUtf8(const std::string &text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

// 20240102 -> 2024-01-02; anything else as stored.
QString formatDate(const std::string &date)
{
    const QString text = fromUtf8(date);
    if (text.size() == 8 && text.toInt() > 0)
        return text.left(4) + QLatin1Char('-') + text.mid(4, 2) + QLatin1Char('-') + text.mid(6, 2);
    return text;
}

// DICOM person names separate their parts with '^'.
QString formatName(const std::string &name)
{
    return fromUtf8(name).replace(QLatin1Char('^'), QLatin1Char(' ')).simplified();
}

// `medseg info PATH [--json] [--cache FILE]`: what a folder, DICOMDIR or file holds, as the
// DICOM browser shows it, with the files that could not be read listed at the end.
// "lab.nii: a NIfTI-1 uint8 label map of 90 x 90 x 90 voxels (1 x 1 x 1 mm)...", or nothing
// when the file is not one.
std::optional<QString> describeLabelMap(const QString &path)
{
    core::ImageHeader header;
    try {
        header = core::readImageHeader(path.toStdString());
    } catch (const std::exception &) {
        return std::nullopt;
    }
    if (!header.isLabelMap)
        return std::nullopt;
    const auto &spacing = header.geometry.spacing;
    return QCoreApplication::translate(
               "InfoCommand",
               "%1: a %2 %3 label map of %4 x %5 x %6 voxels (%7 x %8 x %9 mm), "
               "not an image: it opens with its image (File > Import Label Volume) and "
               "`medseg mesh` measures it.\n")
        .arg(path, QString::fromStdString(header.format), QString::fromStdString(header.dataType))
        .arg(header.width)
        .arg(header.height)
        .arg(header.depth)
        .arg(spacing[0], 0, 'g', 4)
        .arg(spacing[1], 0, 'g', 4)
        .arg(spacing[2], 0, 'g', 4);
}

class InfoCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(InfoCommand)

public:
    QString name() const override { return QStringLiteral("info"); }
    QString summary() const override
    {
        return tr("List the patients, studies and series in a DICOM folder, DICOMDIR or file, "
                  "and the NIfTI, NRRD and MetaImage volumes in a folder or file.");
    }

    int run(const QStringList &arguments) override
    {
        QCommandLineParser parser;
        const QCommandLineOption jsonOption(QStringLiteral("json"),
                                            tr("Print the index as JSON instead of a tree."));
        const QCommandLineOption cacheOption(
            QStringLiteral("cache"),
            tr("Keep the index in FILE and read only changed files next time."), tr("FILE"));
        parser.addOption(jsonOption);
        parser.addOption(cacheOption);
        parser.addPositionalArgument(QStringLiteral("path"),
                                     tr("A folder (read recursively), a DICOMDIR, a DICOM file "
                                        "or an image file (.nii, .nii.gz, .nrrd, .nhdr, .mha, "
                                        ".mhd)."),
                                     QStringLiteral("PATH"));
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;
        const QStringList positional = parser.positionalArguments();
        if (positional.size() != 1) {
            printError(tr("'info' needs exactly one PATH."));
            return ExitUsage;
        }
        const QString path = positional.first();
        if (!QFileInfo::exists(path)) {
            printError(tr("cannot read '%1': no such file or folder").arg(path));
            return ExitBadInput;
        }

        core::DicomIndexer::Options options;
        options.cacheFile = parser.value(cacheOption).toStdString();
        core::DicomIndex index;
        try {
            std::unique_ptr<TerminalProgress> progress;
            if (::isatty(STDERR_FILENO) && !parser.isSet(jsonOption))
                progress = std::make_unique<TerminalProgress>();
            index = core::indexImages(path.toStdString(), options, progress.get());
        } catch (const std::exception &error) {
            printError(tr("cannot read '%1': %2").arg(path, errorText(error)));
            return ExitBadInput;
        }
        // A label map is not indexed as an image (it belongs to one): said so, with its grid.
        if (QFileInfo(path).isFile() && index.instanceCount() == 0 && index.problems.empty() &&
            !parser.isSet(jsonOption))
            if (const std::optional<QString> text = describeLabelMap(path)) {
                printOut(*text);
                return ExitOk;
            }
        // One file that is not a readable DICOM image is bad input, a folder never is.
        if (QFileInfo(path).isFile() && index.instanceCount() == 0) {
            const QString reason =
                index.problems.empty() ? tr("no DICOM image") : fromUtf8(index.problems[0].reason);
            if (parser.isSet(jsonOption))
                printOut(json(index));
            printError(tr("cannot read '%1': %2").arg(path, reason));
            return ExitBadInput;
        }
        if (parser.isSet(jsonOption)) {
            printOut(json(index));
            return ExitOk;
        }
        printOut(tree(index));
        return ExitOk;
    }

private:
    static QJsonArray vec(const core::Vec3 &v) { return {v[0], v[1], v[2]}; }

    // An image file's header, for --json: what a DICOM file's tags say in the instances.
    static QJsonObject headerJson(const core::ImageHeader &h)
    {
        const core::ImageGeometry &g = h.geometry;
        return {{QStringLiteral("format"), fromUtf8(h.format)},
                {QStringLiteral("dataType"), fromUtf8(h.dataType)},
                {QStringLiteral("bigEndian"), h.bigEndian},
                {QStringLiteral("size"), QJsonArray{h.width, h.height, h.depth, h.volumes}},
                {QStringLiteral("components"), h.components},
                {QStringLiteral("slope"), h.slope},
                {QStringLiteral("intercept"), h.intercept},
                {QStringLiteral("spacing"), vec(g.spacing)},
                {QStringLiteral("origin"), vec(g.origin)},
                {QStringLiteral("rowDirection"), vec(g.rowDirection)},
                {QStringLiteral("columnDirection"), vec(g.columnDirection)},
                {QStringLiteral("sliceDirection"), vec(g.normal)},
                {QStringLiteral("space"), QStringLiteral("LPS")},
                {QStringLiteral("geometrySource"), fromUtf8(h.geometrySource)},
                {QStringLiteral("description"), fromUtf8(h.description)}};
    }

    // The index's JSON, with each image file series' header added as "image".
    static QString json(const core::DicomIndex &index)
    {
        QJsonObject root =
            QJsonDocument::fromJson(QByteArray::fromStdString(core::DicomIndexer::toJson(index)))
                .object();
        QJsonArray patients = root[QStringLiteral("patients")].toArray();
        for (auto patient = patients.begin(); patient != patients.end(); ++patient) {
            QJsonObject p = patient->toObject();
            QJsonArray studies = p[QStringLiteral("studies")].toArray();
            for (auto study = studies.begin(); study != studies.end(); ++study) {
                QJsonObject s = study->toObject();
                QJsonArray seriesList = s[QStringLiteral("series")].toArray();
                for (auto series = seriesList.begin(); series != seriesList.end(); ++series) {
                    QJsonObject entry = series->toObject();
                    const QJsonArray instances = entry[QStringLiteral("instances")].toArray();
                    if (entry[QStringLiteral("imageFormat")].toString().isEmpty() ||
                        instances.isEmpty())
                        continue;
                    const std::string file =
                        instances.first()[QStringLiteral("path")].toString().toStdString();
                    try {
                        entry[QStringLiteral("image")] = headerJson(core::readImageHeader(file));
                    } catch (const std::exception &) {
                        continue; // it was readable a moment ago; the index says what it knew
                    }
                    *series = entry;
                }
                s[QStringLiteral("series")] = seriesList;
                *study = s;
            }
            p[QStringLiteral("studies")] = studies;
            *patient = p;
        }
        root[QStringLiteral("patients")] = patients;
        return QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Indented));
    }

    // "NIfTI-1 int16 (big-endian), volume 1 of 2, 2 x 2 x 2.2 mm, LAS, geometry from the sform"
    static QString imageLine(const core::DicomSeries &series)
    {
        core::ImageHeader h;
        try {
            h = core::readImageHeader(series.instances.front().path);
        } catch (const std::exception &error) {
            return errorText(error);
        }
        const core::ImageGeometry &g = h.geometry;
        QString line = fromUtf8(h.format) + QLatin1Char(' ') + fromUtf8(h.dataType);
        if (h.bigEndian)
            line += QStringLiteral(" (") + tr("big-endian") + QLatin1Char(')');
        if (h.volumes > 1)
            line += QStringLiteral(", ") +
                    tr("volume %1 of %2").arg(series.volumeIndex + 1).arg(h.volumes);
        line += QStringLiteral(", ") + tr("%1 x %2 x %3 mm")
                                           .arg(g.spacing[0], 0, 'g', 5)
                                           .arg(g.spacing[1], 0, 'g', 5)
                                           .arg(g.spacing[2], 0, 'g', 5);
        line += QStringLiteral(", ") +
                QString(QChar::fromLatin1(core::orientationLetter(g.rowDirection))) +
                QChar::fromLatin1(core::orientationLetter(g.columnDirection)) +
                QChar::fromLatin1(core::orientationLetter(g.normal));
        line += QStringLiteral(", ") + tr("origin (%1, %2, %3) mm")
                                           .arg(g.origin[0], 0, 'f', 2)
                                           .arg(g.origin[1], 0, 'f', 2)
                                           .arg(g.origin[2], 0, 'f', 2);
        line += QStringLiteral(", ") + tr("geometry from: %1").arg(fromUtf8(h.geometrySource));
        if (h.slope != 1.0 || h.intercept != 0.0)
            line += QStringLiteral(", ") + tr("values x %1 + %2").arg(h.slope).arg(h.intercept);
        return line;
    }

    static QString tree(const core::DicomIndex &index)
    {
        QString text;
        int studies = 0;
        int images = 0;
        for (const core::DicomPatient &patient : index.patients) {
            const QString name = formatName(patient.name);
            text += tr("Patient %1").arg(name.isEmpty() ? tr("(no name)") : name);
            QStringList details;
            if (!patient.patientId.empty())
                details << tr("ID %1").arg(fromUtf8(patient.patientId));
            if (!patient.birthDate.empty())
                details << tr("born %1").arg(formatDate(patient.birthDate));
            if (!patient.sex.empty())
                details << tr("sex %1").arg(fromUtf8(patient.sex));
            if (!details.isEmpty())
                text +=
                    QStringLiteral(" (") + details.join(QStringLiteral(", ")) + QLatin1Char(')');
            text += QLatin1Char('\n');
            for (const core::DicomStudy &study : patient.studies) {
                ++studies;
                text += QStringLiteral("  ") +
                        tr("Study %1")
                            .arg(study.date.empty() ? tr("(no date)") : formatDate(study.date));
                if (!study.description.empty())
                    text += QStringLiteral(" \"") + fromUtf8(study.description) + QLatin1Char('"');
                if (!study.accessionNumber.empty())
                    text += QStringLiteral(", ") +
                            tr("accession %1").arg(fromUtf8(study.accessionNumber));
                text += QLatin1Char('\n');
                for (const core::DicomSeries &series : study.series) {
                    images += series.imageCount();
                    text +=
                        QStringLiteral("    ") +
                        tr("Series %1: %2").arg(series.seriesNumber).arg(fromUtf8(series.modality));
                    if (!series.description.empty())
                        text +=
                            QStringLiteral(" \"") + fromUtf8(series.description) + QLatin1Char('"');
                    text += QStringLiteral(", ") + tr("%n image(s)", nullptr, series.imageCount()) +
                            QStringLiteral(", %1x%2").arg(series.columns()).arg(series.rows());
                    if (!series.bodyPart.empty())
                        text += QStringLiteral(", ") + fromUtf8(series.bodyPart);
                    text += QLatin1Char('\n');
                    if (series.isImageFile())
                        text += QStringLiteral("      ") + imageLine(series) + QLatin1Char('\n');
                }
            }
        }
        text += tr("Patients: %1, studies: %2, series: %3, images: %4, files read: %5")
                    .arg(index.patients.size())
                    .arg(studies)
                    .arg(index.seriesCount())
                    .arg(images)
                    .arg(index.filesScanned) +
                QLatin1Char('\n');

        QString warnings;
        for (const core::DicomPatient &patient : index.patients)
            for (const core::DicomStudy &study : patient.studies)
                for (const core::DicomSeries &series : study.series)
                    for (const core::DicomInstance &instance : series.instances)
                        if (!instance.warning.empty())
                            warnings += QStringLiteral("  ") + fromUtf8(instance.path) +
                                        QStringLiteral(": ") + fromUtf8(instance.warning) +
                                        QLatin1Char('\n');
        if (!warnings.isEmpty())
            text += QLatin1Char('\n') + tr("Read with warnings:") + QLatin1Char('\n') + warnings;
        if (!index.problems.empty()) {
            text += QLatin1Char('\n') +
                    tr("Problems (%n file(s) skipped):", nullptr, int(index.problems.size())) +
                    QLatin1Char('\n');
            for (const core::DicomProblem &problem : index.problems)
                text += QStringLiteral("  ") + fromUtf8(problem.path) + QStringLiteral(": ") +
                        fromUtf8(problem.reason) + QLatin1Char('\n');
        }
        return text;
    }
};

} // namespace

std::unique_ptr<CliCommand> makeInfoCommand()
{
    return std::make_unique<InfoCommand>();
}

} // namespace medseg::cli
