#include "ui/session/TranslationManager.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using medseg::ui::TranslationManager;

class tst_TranslationManager : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("MedSegTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_TranslationManager"));
    }

    void shipsEnglishAndSimplifiedChinese()
    {
        QStringList codes;
        for (const auto &language : TranslationManager::supportedLanguages())
            codes << language.code;
        QCOMPARE(codes, (QStringList{QStringLiteral("en"), QStringLiteral("zh_CN")}));
    }

    void chineseTranslatesAndEnglishRestoresTheSource()
    {
        TranslationManager manager(TranslationManager::defaultTranslationsDir());
        QSignalSpy changed(&manager, &TranslationManager::languageChanged);
        QVERIFY2(manager.setLanguage(QStringLiteral("zh_CN")),
                 qPrintable(manager.translationsDir()));
        QCOMPARE(QCoreApplication::translate("medseg::ui::MainWindow", "&File"),
                 QStringLiteral("文件(&F)"));
        QCOMPARE(manager.currentLanguage(), QStringLiteral("zh_CN"));

        QVERIFY(manager.setLanguage(QStringLiteral("en")));
        QCOMPARE(QCoreApplication::translate("medseg::ui::MainWindow", "&File"),
                 QStringLiteral("&File"));
        QCOMPARE(changed.count(), 2);
    }

    void choiceIsRemembered()
    {
        {
            TranslationManager manager(TranslationManager::defaultTranslationsDir());
            QVERIFY(manager.setLanguage(QStringLiteral("zh_CN")));
        }
        TranslationManager later(TranslationManager::defaultTranslationsDir());
        QCOMPARE(later.preferredLanguage(), QStringLiteral("zh_CN"));
    }

    void unknownLanguageOrMissingFileKeepsTheCurrentOne()
    {
        TranslationManager manager(TranslationManager::defaultTranslationsDir());
        QVERIFY(manager.setLanguage(QStringLiteral("en")));
        QVERIFY(!manager.setLanguage(QStringLiteral("tlh")));
        QCOMPARE(manager.currentLanguage(), QStringLiteral("en"));

        QTemporaryDir empty;
        TranslationManager nowhere(empty.path());
        QVERIFY(!nowhere.setLanguage(QStringLiteral("zh_CN")));
        QCOMPARE(nowhere.currentLanguage(), QStringLiteral("en"));
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_GUILESS_MAIN(tst_TranslationManager)
#include "tst_TranslationManager.moc"
