// medseg-studio: the labeling and training workstation.

#include "app/common/BuildInfo.h"
#include "app/common/Runtime.h"
#include "ui/session/Document.h"
#include "ui/session/RecentFiles.h"
#include "ui/session/TranslationManager.h"
#include "ui/widgets/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QIcon>
#include <QTimer>

#include <cstdio>

namespace {

// Translation context of the texts on this page.
struct Studio
{
    Q_DECLARE_TR_FUNCTIONS(Studio)
};

// The command line, shared by the GUI and the display-less --help.
struct StudioOptions
{
    QCommandLineParser parser;
    QCommandLineOption language{QStringLiteral("lang"),
                                Studio::tr("User interface language (en, zh_CN)."),
                                QStringLiteral("CODE")};
    QCommandLineOption screenshot{QStringLiteral("screenshot"),
                                  Studio::tr("Save a picture of the window and quit."),
                                  QStringLiteral("FILE")};

    StudioOptions()
    {
        parser.setApplicationDescription(
            Studio::tr("Label medical images and train segmentation models."));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOption(language);
        parser.addOption(screenshot);
        parser.addPositionalArgument(QStringLiteral("path"),
                                     Studio::tr("DICOM folders or DICOMDIR files to open."),
                                     QStringLiteral("[PATH...]"));
    }
};

// The saved (or system) language, so that --help is already translated.
void usePreferredLanguage(medseg::ui::TranslationManager &translations)
{
    if (!translations.setLanguage(translations.preferredLanguage()))
        translations.setLanguage(QStringLiteral("en"));
}

void setApplicationNames()
{
    QCoreApplication::setApplicationName(QStringLiteral("MedSeg Studio"));
    QCoreApplication::setOrganizationName(QStringLiteral("MedSeg"));
    QCoreApplication::setApplicationVersion(medseg::app::applicationVersion());
}

// Saves a picture of the window once it has been laid out and painted, then quits: how
// scripts/screenshot.sh makes the README's screenshot.
void scheduleScreenshot(medseg::ui::MainWindow &window, const QString &path)
{
    QTimer::singleShot(4000, &window, [&window, path] {
        const bool saved = window.grab().save(path);
        if (!saved)
            std::fprintf(stderr, "%s\n",
                         qPrintable(Studio::tr("medseg-studio: cannot write %1").arg(path)));
        QCoreApplication::exit(saved ? 0 : 4);
    });
}

// A GUI application aborts when it cannot reach a display; check first, so that --help and
// --version work anywhere and a missing display gets a sentence rather than a core dump.
bool displayAvailable()
{
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        if (!qEnvironmentVariableIsEmpty(name))
            return true;
    return false;
}

bool asksOnlyForText(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v" ||
            arg == "--version")
            return true;
    }
    return false;
}

// --help and --version without a display: the same parser, on a console application.
int printTextWithoutDisplay(int argc, char **argv);

} // namespace

int main(int argc, char **argv)
{
    if (!displayAvailable()) {
        if (asksOnlyForText(argc, argv))
            return printTextWithoutDisplay(argc, argv);
        std::fprintf(stderr, "medseg-studio: no display found (DISPLAY and WAYLAND_DISPLAY are "
                             "unset). Start it in a desktop session or under xvfb-run, or use "
                             "the command line program 'medseg'.\n");
        return 1;
    }
    QApplication app(argc, argv);
    setApplicationNames();
    QApplication::setDesktopFileName(QStringLiteral("medseg-studio"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/medseg-studio.png")));
    medseg::app::configureRuntime();

    medseg::ui::TranslationManager translations(
        medseg::ui::TranslationManager::defaultTranslationsDir());

    usePreferredLanguage(translations);

    StudioOptions options;
    QCommandLineParser &parser = options.parser;
    const QCommandLineOption &languageOption = options.language;
    const QCommandLineOption &screenshotOption = options.screenshot;
    parser.process(app);

    if (parser.isSet(languageOption) && !translations.setLanguage(parser.value(languageOption))) {
        std::fprintf(stderr, "%s\n",
                     qPrintable(Studio::tr("medseg-studio: unknown language '%1'; use en or zh_CN.")
                                    .arg(parser.value(languageOption))));
        return 2;
    }

    medseg::ui::Document document;
    medseg::ui::RecentFiles recentFiles;
    medseg::ui::MainWindow window(&document, &recentFiles, &translations,
                                  &medseg::app::componentVersions);
    window.openStartupSources(parser.positionalArguments());
    window.show();

    if (parser.isSet(screenshotOption))
        scheduleScreenshot(window, parser.value(screenshotOption));
    return app.exec();
}

namespace {

int printTextWithoutDisplay(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    setApplicationNames();
    medseg::ui::TranslationManager translations(
        medseg::ui::TranslationManager::defaultTranslationsDir());
    usePreferredLanguage(translations);
    StudioOptions options;
    options.parser.process(app); // prints and exits for --help and --version
    return 0;
}

} // namespace
