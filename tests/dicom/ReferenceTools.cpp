#include "ReferenceTools.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

namespace medseg::test {

bool readPnm(const QString &path, Image8 &image)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray bytes = file.readAll();
    // Header: magic, width, height, maxval, separated by whitespace (and # comments).
    int position = 0;
    const auto token = [&]() -> QByteArray {
        for (;;) {
            while (position < bytes.size() && QChar::isSpace(uchar(bytes[position])))
                ++position;
            if (position < bytes.size() && bytes[position] == '#') {
                while (position < bytes.size() && bytes[position] != '\n')
                    ++position;
                continue;
            }
            break;
        }
        const int start = position;
        while (position < bytes.size() && !QChar::isSpace(uchar(bytes[position])))
            ++position;
        return bytes.mid(start, position - start);
    };
    const QByteArray magic = token();
    if (magic != "P5" && magic != "P6")
        return false;
    image.channels = magic == "P5" ? 1 : 3;
    image.width = token().toInt();
    image.height = token().toInt();
    const int maxValue = token().toInt();
    ++position; // the single whitespace after maxval
    const qsizetype size = qsizetype(image.width) * image.height * image.channels;
    if (maxValue != 255 || image.width <= 0 || image.height <= 0 || bytes.size() - position < size)
        return false;
    image.pixels.assign(reinterpret_cast<const std::uint8_t *>(bytes.constData()) + position,
                        reinterpret_cast<const std::uint8_t *>(bytes.constData()) + position +
                            size);
    return true;
}

QString runTool(const QString &program, const QStringList &arguments)
{
    const QString executable = QStandardPaths::findExecutable(program);
    if (executable.isEmpty())
        return QStringLiteral("%1 is not installed (Debian packages dcmtk, libgdcm-tools)")
            .arg(program);
    QProcess process;
    process.start(executable, arguments);
    if (!process.waitForFinished(60000)) {
        process.kill();
        return QStringLiteral("%1 did not finish").arg(program);
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return QStringLiteral("%1 %2 failed (%3): %4")
            .arg(program, arguments.join(QLatin1Char(' ')))
            .arg(process.exitCode())
            .arg(QString::fromLocal8Bit(process.readAllStandardError()));
    return {};
}

QString renderWithDcmtk(const QString &tool, const QStringList &options, const QString &dicom,
                        const QString &folder, Image8 &image)
{
    const QString output =
        folder + QLatin1Char('/') + QFileInfo(dicom).completeBaseName() + QStringLiteral(".pnm");
    QStringList arguments = options;
    arguments << QStringLiteral("+op") << dicom << output;
    const QString error = runTool(tool, arguments);
    if (!error.isEmpty())
        return error;
    if (!readPnm(output, image))
        return QStringLiteral("cannot read %1").arg(output);
    return {};
}

} // namespace medseg::test
