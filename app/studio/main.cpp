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

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("MedSeg Studio"));
    QApplication::setOrganizationName(QStringLiteral("MedSeg"));
    QApplication::setApplicationVersion(medseg::app::applicationVersion());
    QApplication::setDesktopFileName(QStringLiteral("medseg-studio"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/medseg-studio.png")));
    medseg::app::configureRuntime();

    medseg::ui::TranslationManager translations(
        medseg::ui::TranslationManager::defaultTranslationsDir());

    // The saved (or system) language first, so that --help is already translated.
    if (!translations.setLanguage(translations.preferredLanguage()))
        translations.setLanguage(QStringLiteral("en"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        Studio::tr("Label medical images and train segmentation models."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption languageOption(QStringLiteral("lang"),
                                            Studio::tr("User interface language (en, zh_CN)."),
                                            QStringLiteral("CODE"));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                              Studio::tr("Save a picture of the window and quit."),
                                              QStringLiteral("FILE"));
    parser.addOption(languageOption);
    parser.addOption(screenshotOption);
    parser.addPositionalArgument(QStringLiteral("path"),
                                 Studio::tr("DICOM folders or DICOMDIR files to open."),
                                 QStringLiteral("[PATH...]"));
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
                                  medseg::app::componentVersions());
    for (const QString &path : parser.positionalArguments())
        window.openSource(path);
    window.show();

    if (parser.isSet(screenshotOption))
        scheduleScreenshot(window, parser.value(screenshotOption));
    return app.exec();
}
