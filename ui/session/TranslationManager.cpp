#include "ui/session/TranslationManager.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

namespace medseg::ui {
namespace {
const char *const SettingsKey = "ui/language";
const char *const SourceLanguage = "en";

bool isSupported(const QString &code)
{
    for (const TranslationManager::Language &language : TranslationManager::supportedLanguages()) {
        if (language.code == code)
            return true;
    }
    return false;
}
} // namespace

TranslationManager::TranslationManager(const QString &translationsDir, QObject *parent)
    : QObject(parent)
    , m_dir(translationsDir)
{}

TranslationManager::~TranslationManager()
{
    removeTranslators();
}

QList<TranslationManager::Language> TranslationManager::supportedLanguages()
{
    return {{QStringLiteral("en"), QStringLiteral("English")},
            {QStringLiteral("zh_CN"), QStringLiteral("简体中文")}};
}

QString TranslationManager::defaultTranslationsDir()
{
    return QDir::cleanPath(QCoreApplication::applicationDirPath() +
                           QStringLiteral("/../share/medseg-studio/translations"));
}

QString TranslationManager::preferredLanguage() const
{
    const QString stored = QSettings().value(SettingsKey).toString();
    if (isSupported(stored))
        return stored;
    const QString system = QLocale::system().name();
    if (system.startsWith(QLatin1String("zh")))
        return QStringLiteral("zh_CN");
    return QString::fromLatin1(SourceLanguage);
}

bool TranslationManager::setLanguage(const QString &code)
{
    if (!isSupported(code))
        return false;

    std::unique_ptr<QTranslator> app = std::make_unique<QTranslator>();
    std::unique_ptr<QTranslator> qt;
    // English is the source language: its file holds only plural forms and may be absent.
    if (!app->load(QStringLiteral("medseg_") + code, m_dir)) {
        if (code != QLatin1String(SourceLanguage))
            return false;
        app.reset();
    }
    if (code != QLatin1String(SourceLanguage)) {
        // Qt's own strings (standard buttons, file dialogs); optional, as Debian ships them in
        // a separate package.
        qt = std::make_unique<QTranslator>();
        if (!qt->load(QStringLiteral("qtbase_") + code,
                      QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            qt.reset();
    }

    removeTranslators();
    m_appTranslator = std::move(app);
    m_qtTranslator = std::move(qt);
    if (m_qtTranslator)
        QCoreApplication::installTranslator(m_qtTranslator.get());
    if (m_appTranslator)
        QCoreApplication::installTranslator(m_appTranslator.get());

    m_current = code;
    QSettings().setValue(SettingsKey, code);
    Q_EMIT languageChanged(code);
    return true;
}

void TranslationManager::removeTranslators()
{
    if (m_appTranslator)
        QCoreApplication::removeTranslator(m_appTranslator.get());
    if (m_qtTranslator)
        QCoreApplication::removeTranslator(m_qtTranslator.get());
    m_appTranslator.reset();
    m_qtTranslator.reset();
}

} // namespace medseg::ui
