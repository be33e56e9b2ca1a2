#include "ui/widgets/MainWindow.h"

#include "core/common/Progress.h"
#include "ui/session/ErrorText.h"

#include "ui/session/DicomBrowserController.h"
#include "ui/session/DicomBrowserModel.h"
#include "ui/session/Document.h"
#include "ui/session/LabelSession.h"
#include "ui/session/RecentFiles.h"
#include "ui/session/SeriesSession.h"
#include "ui/session/TrainingController.h"
#include "ui/session/TrainingSession.h"
#include "ui/session/TranslationManager.h"
#include "ui/widgets/DicomBrowserPanel.h"
#include "ui/widgets/ExportDialog.h"
#include "ui/widgets/LabelPanel.h"
#include "ui/widgets/LabelStatisticsWidget.h"
#include "ui/widgets/ShortcutsDialog.h"
#include "ui/widgets/SliceView.h"
#include "ui/widgets/TrainingPanel.h"
#include "ui/widgets/View3DPanel.h"
#include "ui/widgets/ViewerPanel.h"
#include "ui/widgets/WindowLevelBar.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressDialog>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>
#include <QUnhandledException>

namespace medseg::ui {
namespace {
const char *const GeometryKey = "mainWindow/geometry";
const char *const StateKey = "mainWindow/state";
const char *const DemographicsKey = "view/patientInfo";
const char *const View3DKey = "view/3d";
// Bump when docks are added or renamed so that an old saved layout is not applied to them.
// 2: browser and labels, training and 3D tabbed; 3: the 3D view in the viewer, statistics docked
constexpr int WindowStateVersion = 3;

QLabel *makePlaceholder(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setMargin(12);
    label->setEnabled(false);
    return label;
}
} // namespace

MainWindow::MainWindow(Document *document, RecentFiles *recentFiles,
                       TranslationManager *translations, ComponentVersionsSource components,
                       QWidget *parent)
    : QMainWindow(parent)
    , m_document(document)
    , m_recentFiles(recentFiles)
    , m_translations(translations)
    , m_components(std::move(components))
{
    setObjectName(QStringLiteral("mainWindow"));
    setDockNestingEnabled(true);
    setAcceptDrops(true); // folders, DICOM and image files, projects

    m_viewArea = new QStackedWidget(this);
    m_viewArea->setObjectName(QStringLiteral("viewArea"));
    m_welcome = makePlaceholder(m_viewArea);
    m_welcome->setObjectName(QStringLiteral("welcomePage"));
    m_viewArea->addWidget(m_welcome);
    m_viewer = new ViewerPanel(m_document->series(), m_viewArea);
    m_viewArea->addWidget(m_viewer);
    setCentralWidget(m_viewArea);

    m_windowBar = new WindowLevelBar(m_document->series(), this);
    addToolBar(Qt::TopToolBarArea, m_windowBar);

    statusBar()->setObjectName(QStringLiteral("statusBar"));
    m_cursorInfo = new QLabel(this);
    m_cursorInfo->setObjectName(QStringLiteral("cursorInfo"));
    statusBar()->addPermanentWidget(m_cursorInfo);
    connect(m_viewer, &ViewerPanel::hoverTextChanged, m_cursorInfo, &QLabel::setText);

    createActions();
    createDocks();
    createMenus();
    updateModalityActions();
    connect(m_document->dicomBrowser(), &DicomBrowserController::idle, this,
            &MainWindow::updateModalityActions);

    connect(m_document->undoStack(), &QUndoStack::canUndoChanged, this,
            &MainWindow::onUndoStateChanged);
    connect(m_document->undoStack(), &QUndoStack::canRedoChanged, this,
            &MainWindow::onUndoStateChanged);
    connect(m_document->undoStack(), &QUndoStack::indexChanged, this,
            &MainWindow::onUndoStateChanged);
    connect(m_document, &Document::modifiedChanged, this, &QWidget::setWindowModified);
    connect(m_recentFiles, &RecentFiles::changed, this, &MainWindow::onRecentFilesChanged);
    connect(m_translations, &TranslationManager::languageChanged, this,
            &MainWindow::onLanguageChanged);

    SeriesSession *series = m_document->series();
    connect(series, &SeriesSession::volumeChanged, this, &MainWindow::onVolumeChanged);
    connect(series, &SeriesSession::loadFailed, this, [this](const QString &message) {
        statusBar()->showMessage(tr("Cannot load the series: %1").arg(message), 15000);
    });
    connect(series, &SeriesSession::loadingFinished, this, [this] {
        const auto &warnings = m_document->series()->layout().warnings;
        if (!warnings.empty())
            statusBar()->showMessage(QString::fromStdString(warnings.front()), 15000);
    });
    DicomBrowserController *browser = m_document->dicomBrowser();
    connect(browser, &DicomBrowserController::indexingFinished, this,
            &MainWindow::showFirstSeriesIfIdle);
    connect(browser, &DicomBrowserController::indexingFailed, this,
            [this](const QString &path, const QString &message) {
                statusBar()->showMessage(
                    tr("Cannot index %1: %2").arg(QDir::toNativeSeparators(path), message), 15000);
            });

    for (int i = 0; i < 3; ++i) {
        m_viewer->view(i)->setLabelSession(m_document->labels());
        m_viewer->view(i)->setPredictionSession(m_document->predictions());
    }
    connect(m_trainingPanel, &TrainingPanel::exportRequested, this, &MainWindow::onExportRun);
    m_viewer->addActions(m_labelPanel->shortcutActions());
    connect(m_document, &Document::labelLoadFailed, this, [this](const QString &message) {
        QMessageBox::warning(this, tr("Labels not loaded"), message);
    });
    connect(m_document, &Document::projectPathChanged, this, &MainWindow::updateWindowTitle);
    // File > Open Recent lists the projects the user opened or saved, not only image folders.
    connect(m_document, &Document::projectPathChanged, this, [this](const QString &path) {
        if (!path.isEmpty() && isProjectFolder(path))
            m_recentFiles->add(path);
    });
    // A failed autosave (full disk, no permission) must not go unnoticed: the next one retries,
    // but until one succeeds a crash would lose the edits since the last.
    connect(m_document, &Document::autosaveFinished, this, [this](bool ok, const QString &error) {
        if (!ok)
            statusBar()->showMessage(tr("Autosave failed, will retry: %1").arg(error), 60000);
    });

    retranslate();
    onRecentFilesChanged();
    onLanguageChanged(m_translations->currentLanguage());
    resize(1280, 800);
    arrangeDefaultDocks();
    restoreWindowState();
    onVolumeChanged(); // a document may hold a volume already
    // After the constructor, so that the window is on screen behind the question.
    QTimer::singleShot(0, this, &MainWindow::offerRecovery);
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    m_openFolderAction = new QAction(this);
    m_openFolderAction->setObjectName(QStringLiteral("actionOpenFolder"));
    m_openFolderAction->setShortcut(QKeySequence::Open);
    connect(m_openFolderAction, &QAction::triggered, this, &MainWindow::onOpenFolder);

    m_openDicomdirAction = new QAction(this);
    m_openDicomdirAction->setObjectName(QStringLiteral("actionOpenDicomdir"));
    connect(m_openDicomdirAction, &QAction::triggered, this, &MainWindow::onOpenDicomdir);

    m_openImageAction = new QAction(this);
    m_openImageAction->setObjectName(QStringLiteral("actionOpenImage"));
    connect(m_openImageAction, &QAction::triggered, this, &MainWindow::onOpenImage);

    m_clearRecentAction = new QAction(this);
    m_clearRecentAction->setObjectName(QStringLiteral("actionClearRecent"));
    connect(m_clearRecentAction, &QAction::triggered, m_recentFiles, &RecentFiles::clear);

    m_quitAction = new QAction(this);
    m_quitAction->setObjectName(QStringLiteral("actionQuit"));
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    // Own actions rather than QUndoStack::createUndoAction(): their text must follow a language
    // switch, and Redo needs both Ctrl+Shift+Z and Ctrl+Y.
    m_undoAction = new QAction(this);
    m_undoAction->setObjectName(QStringLiteral("actionUndo"));
    m_undoAction->setShortcut(QKeySequence::Undo);
    connect(m_undoAction, &QAction::triggered, m_document->undoStack(), &QUndoStack::undo);

    m_redoAction = new QAction(this);
    m_redoAction->setObjectName(QStringLiteral("actionRedo"));
    m_redoAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    connect(m_redoAction, &QAction::triggered, m_document->undoStack(), &QUndoStack::redo);

    m_aboutAction = new QAction(this);
    m_aboutAction->setObjectName(QStringLiteral("actionAbout"));
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::onAbout);

    // Patient information over the images, remembered; off for screenshots and teaching.
    m_demographicsAction = new QAction(this);
    m_demographicsAction->setObjectName(QStringLiteral("actionShowPatientInfo"));
    m_demographicsAction->setCheckable(true);
    m_demographicsAction->setChecked(QSettings().value(DemographicsKey, true).toBool());
    m_viewer->setDemographicsVisible(m_demographicsAction->isChecked());
    connect(m_demographicsAction, &QAction::toggled, this, [this](bool on) {
        m_viewer->setDemographicsVisible(on);
        QSettings().setValue(DemographicsKey, on);
    });

    // The 3D view in the fourth quadrant, remembered; off gives the quadrant to the series'
    // information and saves the surface computations.
    m_show3dAction = new QAction(this);
    m_show3dAction->setObjectName(QStringLiteral("actionShow3DView"));
    m_show3dAction->setCheckable(true);
    m_show3dAction->setChecked(QSettings().value(View3DKey, true).toBool());
    m_viewer->setFourthViewVisible(m_show3dAction->isChecked());
    connect(m_show3dAction, &QAction::toggled, this, [this](bool on) {
        m_viewer->setFourthViewVisible(on);
        QSettings().setValue(View3DKey, on);
    });

    m_openDemoAction = new QAction(this);
    m_openDemoAction->setObjectName(QStringLiteral("actionOpenDemoStudy"));
    connect(m_openDemoAction, &QAction::triggered, this, &MainWindow::onOpenDemoStudy);

    m_openProjectAction = new QAction(this);
    m_openProjectAction->setObjectName(QStringLiteral("actionOpenProject"));
    m_openProjectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(m_openProjectAction, &QAction::triggered, this, &MainWindow::onOpenProject);

    m_saveProjectAction = new QAction(this);
    m_saveProjectAction->setObjectName(QStringLiteral("actionSaveProject"));
    m_saveProjectAction->setShortcut(QKeySequence::Save);
    connect(m_saveProjectAction, &QAction::triggered, this, &MainWindow::saveProject);

    m_saveProjectAsAction = new QAction(this);
    m_saveProjectAsAction->setObjectName(QStringLiteral("actionSaveProjectAs"));
    m_saveProjectAsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    connect(m_saveProjectAsAction, &QAction::triggered, this, &MainWindow::onSaveProjectAs);

    m_modalityGroup = new QActionGroup(this);
    for (const char *modality : {"", "CT", "MR"}) {
        QAction *action = m_modalityGroup->addAction(QString());
        action->setCheckable(true);
        action->setData(QString::fromLatin1(modality));
        action->setObjectName(QStringLiteral("actionModality") +
                              (*modality ? QString::fromLatin1(modality) : QStringLiteral("Auto")));
    }
    connect(m_modalityGroup, &QActionGroup::triggered, this, [this](QAction *action) {
        QString error;
        if (!m_document->setImageModality(action->data().toString(), &error))
            QMessageBox::warning(this, tr("Modality Not Changed"), error);
        updateModalityActions();
    });
    connect(m_document->series(), &SeriesSession::volumeChanged, this,
            &MainWindow::updateModalityActions);

    m_importDatasetAction = new QAction(this);
    m_importDatasetAction->setObjectName(QStringLiteral("actionImportDataset"));
    connect(m_importDatasetAction, &QAction::triggered, this, &MainWindow::onImportDataset);

    m_exportDatasetAction = new QAction(this);
    m_exportDatasetAction->setObjectName(QStringLiteral("actionExportNnUnetDataset"));
    connect(m_exportDatasetAction, &QAction::triggered, this, &MainWindow::onExportDataset);

    m_importLabelsAction = new QAction(this);
    m_importLabelsAction->setObjectName(QStringLiteral("actionImportLabels"));
    connect(m_importLabelsAction, &QAction::triggered, this, &MainWindow::onImportLabels);
    m_exportLabelsAction = new QAction(this);
    m_exportLabelsAction->setObjectName(QStringLiteral("actionExportLabels"));
    connect(m_exportLabelsAction, &QAction::triggered, this, &MainWindow::onExportLabels);
    m_exportSegAction = new QAction(this);
    m_exportSegAction->setObjectName(QStringLiteral("actionExportDicomSeg"));
    connect(m_exportSegAction, &QAction::triggered, this, &MainWindow::onExportDicomSeg);
    m_importDescriptionsAction = new QAction(this);
    m_importDescriptionsAction->setObjectName(QStringLiteral("actionImportLabelDescriptions"));
    connect(m_importDescriptionsAction, &QAction::triggered, this,
            &MainWindow::onImportLabelDescriptions);
    m_exportDescriptionsAction = new QAction(this);
    m_exportDescriptionsAction->setObjectName(QStringLiteral("actionExportLabelDescriptions"));
    connect(m_exportDescriptionsAction, &QAction::triggered, this,
            &MainWindow::onExportLabelDescriptions);

    m_shortcutsAction = new QAction(this);
    m_shortcutsAction->setObjectName(QStringLiteral("actionKeyboardShortcuts"));
    m_shortcutsAction->setShortcut(QKeySequence::HelpContents);
    connect(m_shortcutsAction, &QAction::triggered, this, &MainWindow::onShortcuts);

    m_aboutQtAction = new QAction(this);
    m_aboutQtAction->setObjectName(QStringLiteral("actionAboutQt"));
    m_aboutQtAction->setMenuRole(QAction::AboutQtRole);
    connect(m_aboutQtAction, &QAction::triggered, qApp, &QApplication::aboutQt);

    m_languageGroup = new QActionGroup(this);
    m_languageGroup->setExclusive(true);
    for (const TranslationManager::Language &language : TranslationManager::supportedLanguages()) {
        auto *action = new QAction(language.nativeName, m_languageGroup);
        action->setObjectName(QStringLiteral("actionLanguage_") + language.code);
        action->setData(language.code);
        action->setCheckable(true);
        connect(action, &QAction::triggered, this,
                [this, code = language.code] { m_translations->setLanguage(code); });
    }
}

QDockWidget *MainWindow::addPanelDock(const QString &objectName, QWidget *content,
                                      Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(this);
    dock->setObjectName(objectName);
    dock->setWidget(content);
    dock->toggleViewAction()->setObjectName(QStringLiteral("actionToggle_") + objectName);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::createDocks()
{
    m_browserPanel =
        new DicomBrowserPanel(m_document->dicomBrowser(),
                              {m_openFolderAction, m_openDicomdirAction, m_openImageAction}, this);
    connect(m_browserPanel, &DicomBrowserPanel::seriesActivated, this,
            &MainWindow::onSeriesActivated);
    m_dicomDock =
        addPanelDock(QStringLiteral("dockDicomBrowser"), m_browserPanel, Qt::LeftDockWidgetArea);
    m_labelPanel = new LabelPanel(m_document->labels(), this);
    m_labelsDock = addPanelDock(QStringLiteral("dockLabels"), m_labelPanel, Qt::LeftDockWidgetArea);
    m_trainingPanel = new TrainingPanel(m_document->training(), m_document->predictions(), this);
    m_trainingPanel->setProjectJobs(m_document->projectJobs(), [this](QString *error) {
        if (m_document->projectPath().isEmpty()) {
            *error = tr("Save the project first (File > Save As…): the job reads the saved "
                        "project.");
            return QString();
        }
        if (m_document->isModified()) {
            *error = tr("Save the project first: the job reads the saved project, and it has "
                        "unsaved edits.");
            return QString();
        }
        return m_document->projectPath();
    });
    m_trainingDock =
        addPanelDock(QStringLiteral("dockTraining"), m_trainingPanel, Qt::RightDockWidgetArea);
    m_view3dPanel = new View3DPanel(m_document->labels(), this);
    m_viewer->setFourthView(m_view3dPanel);
    auto *statistics = new LabelStatisticsWidget(this);
    m_view3dPanel->setStatisticsWidget(statistics);
    m_statisticsDock =
        addPanelDock(QStringLiteral("dockStatistics"), statistics, Qt::LeftDockWidgetArea);
}

// The images get most of the screen (the 3D view is the viewer's fourth quadrant, as in
// ITK-SNAP): panels that compete for a side share it as tabs (the labels over the browser and
// the statistics), and each side stays narrow. The user's own arrangement replaces this one
// (restoreWindowState).
void MainWindow::arrangeDefaultDocks()
{
    tabifyDockWidget(m_dicomDock, m_labelsDock);
    tabifyDockWidget(m_labelsDock, m_statisticsDock);
    m_labelsDock->raise();
    m_trainingDock->raise();
    resizeDocks({m_labelsDock, m_trainingDock}, {300, 370}, Qt::Horizontal);
}

void MainWindow::createMenus()
{
    m_fileMenu = menuBar()->addMenu(QString());
    m_fileMenu->setObjectName(QStringLiteral("menuFile"));
    m_fileMenu->addAction(m_openFolderAction);
    m_fileMenu->addAction(m_openDicomdirAction);
    m_fileMenu->addAction(m_openImageAction);
    m_recentMenu = m_fileMenu->addMenu(QString());
    m_recentMenu->setObjectName(QStringLiteral("menuRecent"));
    m_fileMenu->addAction(m_openDemoAction);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_openProjectAction);
    m_fileMenu->addAction(m_saveProjectAction);
    m_fileMenu->addAction(m_saveProjectAsAction);
    m_fileMenu->addAction(m_importDatasetAction);
    m_fileMenu->addAction(m_exportDatasetAction);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_importLabelsAction);
    m_fileMenu->addAction(m_exportLabelsAction);
    m_fileMenu->addAction(m_exportSegAction);
    m_fileMenu->addAction(m_importDescriptionsAction);
    m_fileMenu->addAction(m_exportDescriptionsAction);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_quitAction);

    m_editMenu = menuBar()->addMenu(QString());
    m_editMenu->setObjectName(QStringLiteral("menuEdit"));
    m_editMenu->addAction(m_undoAction);
    m_editMenu->addAction(m_redoAction);

    m_viewMenu = menuBar()->addMenu(QString());
    m_viewMenu->setObjectName(QStringLiteral("menuView"));
    for (QDockWidget *dock : {m_dicomDock, m_labelsDock, m_statisticsDock, m_trainingDock})
        m_viewMenu->addAction(dock->toggleViewAction());
    m_viewMenu->addAction(m_show3dAction);
    m_viewMenu->addAction(m_windowBar->toggleViewAction());
    m_viewMenu->addAction(m_demographicsAction);

    m_toolsMenu = menuBar()->addMenu(QString());
    m_toolsMenu->setObjectName(QStringLiteral("menuTools"));
    m_modalityMenu = m_toolsMenu->addMenu(QString());
    m_modalityMenu->setObjectName(QStringLiteral("menuImageModality"));
    m_modalityMenu->addActions(m_modalityGroup->actions());
    m_languageMenu = m_toolsMenu->addMenu(QString());
    m_languageMenu->setObjectName(QStringLiteral("menuLanguage"));
    m_languageMenu->addActions(m_languageGroup->actions());

    m_helpMenu = menuBar()->addMenu(QString());
    m_helpMenu->setObjectName(QStringLiteral("menuHelp"));
    m_helpMenu->addAction(m_shortcutsAction);
    m_helpMenu->addSeparator();
    m_helpMenu->addAction(m_aboutAction);
    m_helpMenu->addAction(m_aboutQtAction);
}

void MainWindow::retranslate()
{
    updateWindowTitle();
    m_welcome->setText(
        tr("Open a DICOM folder (File > Open DICOM Folder…) or a project (File > Open "
           "Project…) to start labeling, then double-click a series in the DICOM browser.\n\n"
           "No images at hand? File > Open Demo Study opens synthetic CT patients with their "
           "organs labeled, to try labeling and training."));
    statusBar()->showMessage(tr("Ready"));

    m_fileMenu->setTitle(tr("&File"));
    m_recentMenu->setTitle(tr("Open &Recent"));
    m_editMenu->setTitle(tr("&Edit"));
    m_viewMenu->setTitle(tr("&View"));
    m_toolsMenu->setTitle(tr("&Tools"));
    m_languageMenu->setTitle(tr("&Language"));
    m_modalityMenu->setTitle(tr("Image &Modality"));
    m_modalityMenu->setToolTip(tr("What the intensities of the image file on screen are: it "
                                  "decides the window presets and how training reads them"));
    const QList<QAction *> modalities = m_modalityGroup->actions();
    modalities[0]->setText(tr("Judge from the Values"));
    modalities[1]->setText(tr("CT (Hounsfield Units)"));
    modalities[2]->setText(tr("MR or Other"));
    m_helpMenu->setTitle(tr("&Help"));

    m_openFolderAction->setText(tr("&Open DICOM Folder…"));
    m_openFolderAction->setStatusTip(tr("Add a folder of DICOM images to the project"));
    m_openDicomdirAction->setText(tr("Open DICOM&DIR…"));
    m_openDicomdirAction->setStatusTip(tr("Add the images a DICOMDIR (CD or export) lists"));
    m_openImageAction->setText(tr("Open &Image…"));
    m_openImageAction->setStatusTip(
        tr("Add a NIfTI, NRRD or MetaImage volume (or a DICOM file) to the project"));
    m_clearRecentAction->setText(tr("&Clear List"));
    m_quitAction->setText(tr("&Quit"));
    m_aboutAction->setText(tr("&About MedSeg Studio"));
    m_aboutQtAction->setText(tr("About &Qt"));
    m_demographicsAction->setText(tr("&Patient Information on Images"));
    m_demographicsAction->setStatusTip(
        tr("Show the patient's name and ID, the study date and descriptions on the views; hide "
           "them for screenshots"));
    m_show3dAction->setText(tr("&3D View"));
    m_show3dAction->setStatusTip(
        tr("Show the label surfaces in the fourth quadrant of the viewer, as ITK-SNAP does"));
    m_openDemoAction->setText(tr("Open De&mo Study"));
    m_openDemoAction->setStatusTip(
        tr("Synthetic CT patients with labeled liver, kidneys, spleen and bone, written once to "
           "your data folder"));
    m_openProjectAction->setText(tr("Open &Project…"));
    m_openProjectAction->setStatusTip(tr("Open a project folder (NAME.medseg)"));
    m_saveProjectAction->setText(tr("&Save Project"));
    m_saveProjectAsAction->setText(tr("Save Project &As…"));
    m_importDatasetAction->setText(tr("Import &Dataset…"));
    m_importDatasetAction->setStatusTip(
        tr("Make a project of an nnU-Net or Medical Segmentation Decathlon dataset"));
    m_exportDatasetAction->setText(tr("Export as nnU-Net Dataset…"));
    m_exportDatasetAction->setStatusTip(
        tr("Write the saved project's labeled volumes as an nnU-Net v2 dataset"));
    m_importLabelsAction->setText(tr("&Import Label Volume…"));
    m_importLabelsAction->setStatusTip(
        tr("Replace the labels of the shown series by a NIfTI label volume"));
    m_exportLabelsAction->setText(tr("&Export Label Volume…"));
    m_exportLabelsAction->setStatusTip(
        tr("Write the labels of the shown series as NIfTI (opens in ITK-SNAP and 3D Slicer)"));
    m_exportSegAction->setText(tr("Export DICOM &SEG…"));
    m_exportSegAction->setStatusTip(
        tr("Write the labels as a DICOM Segmentation that references the shown series"));
    m_importDescriptionsAction->setText(tr("Import Label &Descriptions…"));
    m_exportDescriptionsAction->setText(tr("Export Label Des&criptions…"));
    m_shortcutsAction->setText(tr("&Keyboard Shortcuts"));

    m_dicomDock->setWindowTitle(tr("DICOM Browser"));
    m_labelsDock->setWindowTitle(tr("Labels"));
    m_trainingDock->setWindowTitle(tr("Training"));
    m_statisticsDock->setWindowTitle(tr("Label Statistics"));

    onUndoStateChanged();
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QMainWindow::changeEvent(event);
}

QStringList MainWindow::droppedPaths(const QMimeData *mime)
{
    QStringList paths;
    if (!mime || !mime->hasUrls())
        return paths;
    for (const QUrl &url : mime->urls())
        if (url.isLocalFile() && QFileInfo::exists(url.toLocalFile()))
            paths << url.toLocalFile();
    return paths;
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!droppedPaths(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QStringList paths = droppedPaths(event->mimeData());
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    // A dropped project opens as a project (one at a time); anything else is a source.
    for (const QString &path : paths) {
        if (isProjectFolder(path)) {
            if (maybeSave())
                openProjectFolder(path);
            return;
        }
    }
    for (const QString &path : paths)
        openSource(path);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    saveWindowState();
    // A running training ends with this step (its checkpoint lets the run resume later); the
    // worker must not outlive the window that shows it.
    TrainingController *training = m_document->training()->controller();
    if (training->isActive()) {
        training->stop();
        training->waitForFinished();
    }
    event->accept();
}

bool MainWindow::maybeSave()
{
    if (!m_document->isModified())
        return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved Changes"), tr("The project has unsaved changes. Save them?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Save)
        return saveProject();
    return true;
}

void MainWindow::offerRecovery()
{
    const QString folder = m_document->findRecovery();
    if (folder.isEmpty())
        return;
    const auto answer = QMessageBox::question(
        this, tr("Recover Unsaved Work"),
        tr("MedSeg Studio did not close normally. Restore the work autosaved in %1?")
            .arg(QDir::toNativeSeparators(folder)),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer != QMessageBox::Yes) {
        m_document->discardRecovery(folder);
        return;
    }
    QString error;
    if (m_document->recover(folder, &error))
        statusBar()->showMessage(tr("Recovered the autosaved work. Save it to keep it."), 10000);
    else
        QMessageBox::warning(this, tr("Recovery Failed"), error);
}

bool MainWindow::saveProject()
{
    if (m_document->projectPath().isEmpty())
        return onSaveProjectAs();
    QString error;
    if (!m_document->saveProject(&error)) {
        QMessageBox::warning(this, tr("Project Not Saved"), error);
        return false;
    }
    statusBar()->showMessage(
        tr("Saved %1").arg(QDir::toNativeSeparators(m_document->projectPath())), 3000);
    return true;
}

bool MainWindow::onSaveProjectAs()
{
    const QString folder = QFileDialog::getSaveFileName(this, tr("Save Project As"), QString(),
                                                        tr("MedSeg projects (*.medseg)"));
    if (folder.isEmpty())
        return false;
    QString error;
    if (!m_document->saveProjectAs(folder, &error)) {
        QMessageBox::warning(this, tr("Project Not Saved"), error);
        return false;
    }
    statusBar()->showMessage(
        tr("Saved %1").arg(QDir::toNativeSeparators(m_document->projectPath())), 3000);
    return true;
}

void MainWindow::onOpenProject()
{
    if (!maybeSave())
        return;
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Open Project (a NAME.medseg folder)"));
    if (!folder.isEmpty())
        openProjectFolder(folder);
}

void MainWindow::openProjectFolder(const QString &folder)
{
    QString error;
    if (!m_document->openProject(folder, &error))
        QMessageBox::warning(this, tr("Project Not Opened"), error);
}

template <typename T>
bool MainWindow::runWithProgress(QFuture<T> future, const QString &title, T *result, QString *error)
{
    QProgressDialog dialog(title, tr("Cancel"), 0, 0, this);
    dialog.setWindowModality(Qt::WindowModal);
    dialog.setMinimumDuration(300);
    QFutureWatcher<T> watcher;
    connect(&watcher, &QFutureWatcher<T>::progressRangeChanged, &dialog,
            &QProgressDialog::setRange);
    connect(&watcher, &QFutureWatcher<T>::progressValueChanged, &dialog,
            &QProgressDialog::setValue);
    connect(&watcher, &QFutureWatcher<T>::progressTextChanged, &dialog,
            [&dialog, title](const QString &text) { dialog.setLabelText(title + '\n' + text); });
    connect(&dialog, &QProgressDialog::canceled, &watcher, &QFutureWatcher<T>::cancel);
    QEventLoop loop;
    connect(&watcher, &QFutureWatcher<T>::finished, &loop, &QEventLoop::quit);
    watcher.setFuture(future);
    if (!future.isFinished())
        loop.exec();
    dialog.reset();
    try {
        future.waitForFinished();
        if (future.isCanceled() || future.resultCount() == 0)
            return false;
        *result = future.result();
        return true;
    } catch (const QUnhandledException &wrapped) {
        try {
            if (wrapped.exception())
                std::rethrow_exception(wrapped.exception());
        } catch (const core::CancelledError &) {
            return false;
        } catch (const std::exception &inner) {
            *error = errorText(inner);
        }
    }
    return false;
}

void MainWindow::onImportDataset()
{
    if (!maybeSave())
        return;
    const QString dataset = QFileDialog::getExistingDirectory(
        this, tr("Import Dataset (the folder with dataset.json)"));
    if (dataset.isEmpty())
        return;
    const QString suggested =
        QDir(QFileInfo(dataset).absolutePath())
            .filePath(QFileInfo(dataset).fileName() + QStringLiteral(".medseg"));
    const QString project = QFileDialog::getSaveFileName(
        this, tr("New Project for the Dataset"), suggested, tr("MedSeg projects (*.medseg)"));
    if (project.isEmpty())
        return;
    QString folder, error;
    if (runWithProgress(Document::importDataset(dataset, project),
                        tr("Importing %1…").arg(QFileInfo(dataset).fileName()), &folder, &error))
        openProjectFolder(folder);
    else if (!error.isEmpty())
        QMessageBox::warning(this, tr("Dataset Not Imported"), error);
}

void MainWindow::onExportDataset()
{
    if (m_document->projectPath().isEmpty() || m_document->isModified()) {
        QMessageBox::information(this, tr("Save the Project First"),
                                 tr("The dataset is written from the saved project: save it "
                                    "first (File > Save Project)."));
        return;
    }
    const QString suggested =
        QDir(QFileInfo(m_document->projectPath()).absolutePath())
            .filePath(QStringLiteral("Dataset001_") +
                      QFileInfo(m_document->projectPath()).completeBaseName());
    const QString folder = QFileDialog::getSaveFileName(
        this, tr("nnU-Net Dataset Folder (DatasetNNN_Name)"), suggested);
    if (folder.isEmpty())
        return;
    QStringList lines;
    QString error;
    if (runWithProgress(m_document->exportNnUnetDataset(folder), tr("Writing the dataset…"), &lines,
                        &error)) {
        const QString written = lines.takeLast();
        QMessageBox::information(
            this, tr("Dataset Written"),
            tr("The nnU-Net dataset is in %1.").arg(QDir::toNativeSeparators(written)) +
                (lines.isEmpty() ? QString() : QStringLiteral("\n\n") + lines.join('\n')));
    } else if (!error.isEmpty()) {
        QMessageBox::warning(this, tr("Dataset Not Written"), error);
    }
}

void MainWindow::onImportLabels()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import Label Volume"), QString(),
                                                      tr("NIfTI files (*.nii.gz *.nii)"));
    if (path.isEmpty())
        return;
    QString error;
    QStringList notes;
    if (!m_document->importLabelVolume(path, &error, &notes))
        QMessageBox::warning(this, tr("Labels Not Imported"), error);
    else if (!notes.isEmpty())
        QMessageBox::information(this, tr("Labels Mapped by Name"), notes.join(QLatin1Char('\n')));
}

void MainWindow::onExportLabels()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Label Volume"),
                                                      QStringLiteral("labels.nii.gz"),
                                                      tr("NIfTI files (*.nii.gz *.nii)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!m_document->exportLabelVolume(path, &error))
        QMessageBox::warning(this, tr("Labels Not Exported"), error);
}

void MainWindow::onExportDicomSeg()
{
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export DICOM SEG"), QStringLiteral("labels.dcm"),
                                     tr("DICOM files (*.dcm);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!m_document->exportDicomSeg(path, &error))
        QMessageBox::warning(this, tr("DICOM SEG Not Exported"), error);
}

void MainWindow::onImportLabelDescriptions()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Import Label Descriptions"), QString(),
                                     tr("ITK-SNAP label descriptions (*.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!m_document->importLabelDescriptions(path, &error))
        QMessageBox::warning(this, tr("Label Descriptions Not Imported"), error);
}

void MainWindow::onExportLabelDescriptions()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Label Descriptions"), QStringLiteral("labels.txt"),
        tr("ITK-SNAP label descriptions (*.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!m_document->exportLabelDescriptions(path, &error))
        QMessageBox::warning(this, tr("Label Descriptions Not Exported"), error);
}

void MainWindow::onShortcuts()
{
    QList<QAction *> actions = this->actions();
    for (QAction *action : findChildren<QAction *>())
        if (!actions.contains(action))
            actions.append(action);
    auto *dialog = new ShortcutsDialog(actions, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::restoreWindowState()
{
    QSettings settings;
    restoreGeometry(settings.value(GeometryKey).toByteArray());
    restoreState(settings.value(StateKey).toByteArray(), WindowStateVersion);
}

void MainWindow::saveWindowState() const
{
    QSettings settings;
    settings.setValue(GeometryKey, saveGeometry());
    settings.setValue(StateKey, saveState(WindowStateVersion));
}

void MainWindow::openSource(const QString &path)
{
    const QString shown =
        QDir::toNativeSeparators(QDir::cleanPath(QFileInfo(path).absoluteFilePath()));
    if (!QFileInfo::exists(path)) {
        m_recentFiles->remove(path);
        statusBar()->showMessage(tr("%1 does not exist any more.").arg(shown), 5000);
        return;
    }
    m_document->openSource(path);
    m_recentFiles->add(path);
    statusBar()->showMessage(tr("Added %1").arg(shown), 3000);
}

void MainWindow::openStartupSources(const QStringList &paths)
{
    const bool untouched = m_document->isPristine();
    for (const QString &path : paths) {
        if (isProjectFolder(path))
            openProjectFolder(path); // `medseg-studio NAME.medseg`, as a drop does
        else
            openSource(path);
    }
    // What the program was started on is where the project begins, not an edit to undo: the
    // title's '*' waits for the user's first change.
    if (untouched)
        m_document->undoStack()->clear();
}

// "NAME.medseg[*] — MedSeg Studio" with a project, as other document programs title their
// windows; "[*]" is where Qt draws the unsaved-changes marker.
void MainWindow::updateWindowTitle()
{
    const QString project = m_document->projectPath();
    setWindowTitle(project.isEmpty()
                       ? tr("MedSeg Studio") + QStringLiteral("[*]")
                       : tr("%1[*] — MedSeg Studio").arg(QFileInfo(project).fileName()));
}

void MainWindow::onOpenDemoStudy()
{
    QString error;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const QString folder = m_document->demoStudyFolder(&error);
    QApplication::restoreOverrideCursor();
    if (folder.isEmpty()) {
        QMessageBox::warning(this, tr("Demo Study Not Written"), error);
        return;
    }
    openSource(folder);
}

void MainWindow::onOpenFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open DICOM Folder"));
    if (!dir.isEmpty())
        openSource(dir);
}

void MainWindow::onOpenDicomdir()
{
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Open DICOMDIR"), QString(),
        tr("DICOMDIR files (DICOMDIR dicomdir DICOMDIR.*);;All files (*)"));
    if (!file.isEmpty())
        openSource(file);
}

void MainWindow::updateModalityActions()
{
    // A DICOM series names its modality; image files take the user's word.
    const bool imageFile = m_document->showsImageFile();
    m_modalityMenu->setEnabled(imageFile);
    const QString chosen = imageFile ? m_document->imageModality() : QString();
    for (QAction *action : m_modalityGroup->actions())
        action->setChecked(action->data().toString() == chosen);
}

void MainWindow::onOpenImage()
{
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Open Image"), QString(),
        tr("Image volumes (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd);;NIfTI (*.nii *.nii.gz);;"
           "NRRD (*.nrrd *.nhdr);;MetaImage (*.mha *.mhd);;All files (*)"));
    if (!file.isEmpty())
        openSource(file);
}

void MainWindow::onSeriesActivated(const core::DicomSeries &series)
{
    m_document->loadSeries(series);
}

void MainWindow::showFirstSeriesIfIdle()
{
    // Opening a folder with nothing on screen shows its largest series at once, as ITK-SNAP
    // opens an image; the browser stays the way to pick another.
    SeriesSession *series = m_document->series();
    if (series->hasVolume() || series->isLoading())
        return;
    const core::DicomSeries *best = nullptr;
    for (const core::DicomIndex &index : m_document->dicomBrowser()->model()->indexes())
        for (const core::DicomPatient &patient : index.patients)
            for (const core::DicomStudy &study : patient.studies)
                for (const core::DicomSeries &candidate : study.series)
                    if (!best || candidate.imageCount() > best->imageCount())
                        best = &candidate;
    if (best)
        m_document->loadSeries(*best);
}

void MainWindow::onVolumeChanged()
{
    const bool shown = m_document->series()->hasVolume();
    m_viewArea->setCurrentWidget(shown ? static_cast<QWidget *>(m_viewer) : m_welcome);
    if (shown)
        m_viewer->setFocus();
}

bool MainWindow::isProjectFolder(const QString &path)
{
    return QFileInfo::exists(QDir(path).filePath(QStringLiteral("project.json")));
}

void MainWindow::openRecentProject(const QString &folder)
{
    if (maybeSave())
        openProjectFolder(folder);
}

void MainWindow::onRecentFilesChanged()
{
    m_recentMenu->clear();
    const QStringList paths = m_recentFiles->paths();
    for (int i = 0; i < paths.size(); ++i) {
        // Number the first nine for keyboard access, as most desktop programs do.
        const bool project = isProjectFolder(paths[i]);
        const QString shown = project ? tr("%1 (project)").arg(paths[i]) : paths[i];
        const QString label = i < 9 ? QStringLiteral("&%1 %2").arg(i + 1).arg(shown) : shown;
        QAction *action = m_recentMenu->addAction(label);
        action->setObjectName(QStringLiteral("actionRecent_%1").arg(i));
        connect(action, &QAction::triggered, this, [this, project, path = paths[i]] {
            if (project)
                openRecentProject(path);
            else
                openSource(path);
        });
    }
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(m_clearRecentAction);
    m_clearRecentAction->setEnabled(!paths.isEmpty());
    m_recentMenu->setEnabled(true);
}

void MainWindow::onLanguageChanged(const QString &code)
{
    for (QAction *action : m_languageGroup->actions())
        action->setChecked(action->data().toString() == code);
}

void MainWindow::onUndoStateChanged()
{
    const QUndoStack *stack = m_document->undoStack();
    m_undoAction->setEnabled(stack->canUndo());
    m_redoAction->setEnabled(stack->canRedo());
    m_undoAction->setText(stack->canUndo() ? tr("&Undo %1").arg(stack->undoText()) : tr("&Undo"));
    m_redoAction->setText(stack->canRedo() ? tr("&Redo %1").arg(stack->redoText()) : tr("&Redo"));
}

void MainWindow::onAbout()
{
    auto *dialog = new AboutDialog(m_components(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::onExportRun(const QString &runDir)
{
    ExportDialog dialog(m_document->exporter(), runDir, this);
    dialog.exec();
}

} // namespace medseg::ui
