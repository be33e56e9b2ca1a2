#include "../train/SyntheticTrainingData.h"
#include "app/common/BuildInfo.h"
#include "ui/session/Document.h"
#include "ui/session/RecentFiles.h"
#include "ui/session/TrainingController.h"
#include "ui/session/TrainingSession.h"
#include "ui/session/TranslationManager.h"
#include "ui/widgets/MainWindow.h"

#include <QAction>
#include <QDockWidget>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include <memory>

using namespace medseg::ui;

// Opens the real main window offscreen and drives it through its actions, checking the effect
// on the document, the settings and the texts.
class tst_MainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("MedSegTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_MainWindow"));
        QCoreApplication::setApplicationVersion(medseg::app::applicationVersion());
    }

    void init()
    {
        QSettings().clear();
        m_document = std::make_unique<Document>();
        m_recent = std::make_unique<RecentFiles>();
        m_translations =
            std::make_unique<TranslationManager>(TranslationManager::defaultTranslationsDir());
        QVERIFY(m_translations->setLanguage(QStringLiteral("en")));
        m_window =
            std::make_unique<MainWindow>(m_document.get(), m_recent.get(), m_translations.get(),
                                         medseg::app::componentVersions());
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanup()
    {
        m_window.reset();
        m_translations.reset();
        m_recent.reset();
        m_document.reset();
    }

    void hasTheDocksLaterToolsFill_data()
    {
        QTest::addColumn<QString>("objectName");
        QTest::newRow("dicom") << QStringLiteral("dockDicomBrowser");
        QTest::newRow("labels") << QStringLiteral("dockLabels");
        QTest::newRow("training") << QStringLiteral("dockTraining");
        QTest::newRow("3d") << QStringLiteral("dock3D");
    }
    void hasTheDocksLaterToolsFill()
    {
        QFETCH(QString, objectName);
        auto *dock = m_window->findChild<QDockWidget *>(objectName);
        QVERIFY(dock);
        QVERIFY(dock->isVisible());
        QVERIFY(!dock->windowTitle().isEmpty());
        QVERIFY(m_window->findChild<QAction *>(QStringLiteral("actionToggle_") + objectName));
    }

    void hasTheMenusAndActions_data()
    {
        QTest::addColumn<QString>("menu");
        QTest::addColumn<QString>("title");
        QTest::addColumn<QStringList>("actions");
        QTest::newRow("file") << "menuFile"
                              << "&File" << QStringList{"actionOpenFolder", "actionQuit"};
        QTest::newRow("edit") << "menuEdit"
                              << "&Edit" << QStringList{"actionUndo", "actionRedo"};
        QTest::newRow("view") << "menuView"
                              << "&View"
                              << QStringList{"actionToggle_dockDicomBrowser",
                                             "actionToggle_dock3D"};
        QTest::newRow("tools") << "menuTools"
                               << "&Tools" << QStringList{};
        QTest::newRow("help") << "menuHelp"
                              << "&Help" << QStringList{"actionAbout", "actionAboutQt"};
    }
    void hasTheMenusAndActions()
    {
        QFETCH(QString, menu);
        QFETCH(QString, title);
        QFETCH(QStringList, actions);
        auto *m = m_window->findChild<QMenu *>(menu);
        QVERIFY(m);
        QCOMPARE(m->title(), title);
        for (const QString &name : actions) {
            auto *action = m_window->findChild<QAction *>(name);
            QVERIFY2(action, qPrintable(name));
            QVERIFY2(m->actions().contains(action), qPrintable(name));
        }
    }

    void undoAndRedoActionsDriveTheDocumentStack()
    {
        auto *undo = m_window->findChild<QAction *>(QStringLiteral("actionUndo"));
        auto *redo = m_window->findChild<QAction *>(QStringLiteral("actionRedo"));
        QVERIFY(undo && redo);
        QVERIFY(!undo->isEnabled());
        QCOMPARE(undo->shortcut(), QKeySequence(QKeySequence::Undo));
        QVERIFY(redo->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::Key_Y)));
        QVERIFY(redo->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)));

        QTemporaryDir source;
        m_window->openSource(source.path());
        QCOMPARE(m_document->sources().size(), 1);
        QVERIFY(undo->isEnabled());
        QVERIFY(undo->text().startsWith(QStringLiteral("&Undo Add source")));
        QVERIFY(m_window->isWindowModified());

        undo->trigger();
        QVERIFY(m_document->sources().isEmpty());
        QVERIFY(!m_window->isWindowModified());
        QVERIFY(redo->isEnabled());
        redo->trigger();
        QCOMPARE(m_document->sources().size(), 1);

        // The keyboard reaches the same actions.
        QTest::keyClick(m_window.get(), Qt::Key_Z, Qt::ControlModifier);
        QVERIFY(m_document->sources().isEmpty());
        QTest::keyClick(m_window.get(), Qt::Key_Y, Qt::ControlModifier);
        QCOMPARE(m_document->sources().size(), 1);
    }

    void openedSourcesAppearInRecentFiles()
    {
        QTemporaryDir source;
        m_window->openSource(source.path());
        QCOMPARE(m_recent->paths().value(0), source.path());
        auto *first = m_window->findChild<QAction *>(QStringLiteral("actionRecent_0"));
        QVERIFY(first);
        QVERIFY(first->text().endsWith(source.path()));
        QCOMPARE(RecentFiles().paths().value(0), source.path()); // persisted

        // A recent entry that disappeared is dropped, not opened.
        const QString gone = source.path();
        source.remove();
        m_document->undoStack()->undo();
        first->trigger();
        QVERIFY(m_document->sources().isEmpty());
        QVERIFY(!m_recent->paths().contains(gone));
    }

    void languageSwitchRetranslatesEverything()
    {
        auto *chinese = m_window->findChild<QAction *>(QStringLiteral("actionLanguage_zh_CN"));
        auto *english = m_window->findChild<QAction *>(QStringLiteral("actionLanguage_en"));
        QVERIFY(chinese && english);
        QVERIFY(english->isChecked());
        chinese->trigger();
        QVERIFY(chinese->isChecked());
        // Qt posts QEvent::LanguageChange to every widget; the texts follow on the next loop.
        QTRY_COMPARE(m_window->findChild<QMenu *>(QStringLiteral("menuFile"))->title(),
                     QStringLiteral("文件(&F)"));
        QCOMPARE(m_window->findChild<QDockWidget *>(QStringLiteral("dockTraining"))->windowTitle(),
                 QStringLiteral("训练"));
        QCOMPARE(m_window->findChild<QAction *>(QStringLiteral("actionUndo"))->text(),
                 QStringLiteral("撤销(&U)"));
        QCOMPARE(QSettings().value(QStringLiteral("ui/language")).toString(),
                 QStringLiteral("zh_CN"));
        english->trigger();
        QTRY_COMPARE(m_window->findChild<QMenu *>(QStringLiteral("menuFile"))->title(),
                     QStringLiteral("&File"));
    }

    void aboutListsTheLoadedLibraries()
    {
        m_window->findChild<QAction *>(QStringLiteral("actionAbout"))->trigger();
        auto *table = m_window->findChild<QTableWidget *>(QStringLiteral("componentTable"));
        QVERIFY(table);
        QMap<QString, QString> versions;
        for (int row = 0; row < table->rowCount(); ++row)
            versions.insert(table->item(row, 0)->text(), table->item(row, 1)->text());
        QCOMPARE(versions.value(QStringLiteral("Qt")), QString::fromLatin1(qVersion()));
        const QRegularExpression dotted(QStringLiteral("^\\d+\\.\\d+(\\.\\d+)?"));
        for (const char *name : {"LibTorch", "DCMTK", "OpenCV", "VTK", "MedSeg Studio"})
            QVERIFY2(dotted.match(versions.value(QLatin1String(name))).hasMatch(), name);
    }

    void closingTheWindowStopsTraining()
    {
        auto data =
            std::make_shared<medseg::core::TrainingData>(medseg::test::makeSyntheticData(8, 2, 32));
        medseg::core::TrainingConfig config = medseg::test::tinyConfig();
        config.model.output_stride = 32;
        config.model.bins = {1, 2};
        for (auto &stage : config.stages) {
            stage.epochs = 100;
            stage.batchSize = 2;
        }
        QTemporaryDir runs;
        medseg::ui::TrainingSession *training = m_document->training();
        training->setTrainingData(data, QStringLiteral("synthetic"));
        training->setConfig(config);
        training->setRunsDirectory(runs.path());
        QSignalSpy progressed(training->controller(), &medseg::ui::TrainingController::progressed);
        QVERIFY(training->start());
        QVERIFY(progressed.wait(60000));
        QVERIFY(m_window->close());
        QVERIFY(training->controller()->waitForFinished(0)); // the worker ended in close()
        QTRY_COMPARE(training->controller()->state(), medseg::ui::TrainingController::State::Idle);
        // It stopped, not finished: far from its 100 epochs per stage, with a checkpoint.
        QVERIFY(training->controller()->lastProgress().step < 100);
        QVERIFY(!QDir(runs.path()).entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty());
    }

    void windowLayoutIsRestored()
    {
        auto *dock = m_window->findChild<QDockWidget *>(QStringLiteral("dock3D"));
        dock->hide();
        m_window->close();
        m_window =
            std::make_unique<MainWindow>(m_document.get(), m_recent.get(), m_translations.get(),
                                         medseg::app::componentVersions());
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QVERIFY(!m_window->findChild<QDockWidget *>(QStringLiteral("dock3D"))->isVisible());
        QVERIFY(m_window->findChild<QDockWidget *>(QStringLiteral("dockLabels"))->isVisible());
    }

private:
    QTemporaryDir m_settingsDir;
    std::unique_ptr<Document> m_document;
    std::unique_ptr<RecentFiles> m_recent;
    std::unique_ptr<TranslationManager> m_translations;
    std::unique_ptr<MainWindow> m_window;
};

QTEST_MAIN(tst_MainWindow)
#include "tst_MainWindow.moc"
