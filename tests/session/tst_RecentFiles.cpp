#include "ui/session/RecentFiles.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using medseg::ui::RecentFiles;

class tst_RecentFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("MedSegTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_RecentFiles"));
    }
    void init() { QSettings().clear(); }

    void newestComesFirstWithoutDuplicates()
    {
        RecentFiles recent;
        recent.add(QStringLiteral("/data/a"));
        recent.add(QStringLiteral("/data/b"));
        recent.add(QStringLiteral("/data/a/"));
        QCOMPARE(recent.paths(),
                 (QStringList{QStringLiteral("/data/a"), QStringLiteral("/data/b")}));
    }

    void capacityDropsTheOldest()
    {
        RecentFiles recent;
        recent.setCapacity(3);
        for (int i = 0; i < 5; ++i)
            recent.add(QStringLiteral("/data/%1").arg(i));
        QCOMPARE(recent.paths(), (QStringList{QStringLiteral("/data/4"), QStringLiteral("/data/3"),
                                              QStringLiteral("/data/2")}));
    }

    void listSurvivesARestart()
    {
        {
            RecentFiles recent;
            recent.add(QStringLiteral("/data/x"));
            recent.add(QStringLiteral("/data/y"));
        }
        RecentFiles reopened;
        QCOMPARE(reopened.paths(),
                 (QStringList{QStringLiteral("/data/y"), QStringLiteral("/data/x")}));
    }

    void removeAndClearNotify()
    {
        RecentFiles recent;
        recent.add(QStringLiteral("/data/x"));
        recent.add(QStringLiteral("/data/y"));
        QSignalSpy changed(&recent, &RecentFiles::changed);
        recent.remove(QStringLiteral("/data/x"));
        recent.remove(QStringLiteral("/data/not-there"));
        QCOMPARE(recent.paths(), QStringList{QStringLiteral("/data/y")});
        recent.clear();
        recent.clear();
        QVERIFY(recent.paths().isEmpty());
        QCOMPARE(changed.count(), 2);
        QVERIFY(RecentFiles().paths().isEmpty());
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_GUILESS_MAIN(tst_RecentFiles)
#include "tst_RecentFiles.moc"
