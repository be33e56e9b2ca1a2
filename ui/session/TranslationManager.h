#pragma once

#include <QList>
#include <QObject>
#include <QString>

#include <memory>

class QTranslator;

namespace medseg::ui {

// Installs the translators of one UI language at a time and remembers the choice in QSettings
// ("ui/language"). Installing a translator makes Qt send QEvent::LanguageChange to every widget,
// which re-reads its texts; nothing needs a restart.
class TranslationManager : public QObject
{
    Q_OBJECT

public:
    struct Language
    {
        QString code;       // "en", "zh_CN"
        QString nativeName; // shown in its own language, so anyone can find theirs
    };

    explicit TranslationManager(const QString &translationsDir, QObject *parent = nullptr);
    ~TranslationManager() override;

    static QList<Language> supportedLanguages();
    // <bin>/../share/medseg-studio/translations: the same in the build tree and an install.
    static QString defaultTranslationsDir();

    QString translationsDir() const { return m_dir; }
    QString currentLanguage() const { return m_current; }
    // The language saved in the settings, else the system's if supported, else English.
    QString preferredLanguage() const;

    // Switches the application's language and saves the choice. Returns false, leaving the
    // current language in place, if the code is unknown or its translation file is missing.
    bool setLanguage(const QString &code);

Q_SIGNALS:
    void languageChanged(const QString &code);

private:
    void removeTranslators();

    QString m_dir;
    QString m_current = QStringLiteral("en");
    std::unique_ptr<QTranslator> m_appTranslator;
    std::unique_ptr<QTranslator> m_qtTranslator;
};

} // namespace medseg::ui
