#include "app/cli/WindowOptions.h"

#include "app/cli/CliCommand.h"

#include <QCommandLineParser>
#include <QStringList>

namespace medseg::cli {
namespace {

QString presetNames()
{
    QStringList names;
    for (const core::Window &preset : core::windowPresets("CT"))
        names << QString::fromStdString(preset.name).mid(3).toLower(); // without "CT "
    return names.join(QStringLiteral(", "));
}

} // namespace

WindowOptions::WindowOptions()
    : m_window(QStringLiteral("window"),
               tr("Window center and width in rescaled units (HU for CT), e.g. 40,400."), tr("C,W"))
    , m_preset(QStringLiteral("preset"), tr("A CT window preset: %1.").arg(presetNames()),
               tr("NAME"))
{}

void WindowOptions::addTo(QCommandLineParser &parser) const
{
    parser.addOption(m_window);
    parser.addOption(m_preset);
}

int WindowOptions::parse(const QCommandLineParser &parser,
                         std::optional<core::Window> &window) const
{
    window.reset();
    if (parser.isSet(m_window) && parser.isSet(m_preset)) {
        printError(tr("use either --window or --preset, not both."));
        return ExitUsage;
    }
    if (parser.isSet(m_window)) {
        const QStringList parts = parser.value(m_window).split(QLatin1Char(','));
        bool centerOk = false;
        bool widthOk = false;
        const double center = parts.value(0).trimmed().toDouble(&centerOk);
        const double width = parts.value(1).trimmed().toDouble(&widthOk);
        if (parts.size() != 2 || !centerOk || !widthOk || !(width >= 1.0)) {
            printError(tr("--window needs CENTER,WIDTH with a width of at least 1, not '%1'.")
                           .arg(parser.value(m_window)));
            return ExitUsage;
        }
        window = core::Window{center, width, {}};
    } else if (parser.isSet(m_preset)) {
        const core::Window preset = core::findPreset(parser.value(m_preset).toStdString());
        if (!preset.isValid()) {
            printError(tr("unknown preset '%1'; the presets are: %2")
                           .arg(parser.value(m_preset), presetNames()));
            return ExitUsage;
        }
        window = preset;
    }
    return -1;
}

} // namespace medseg::cli
