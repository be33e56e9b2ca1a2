#pragma once

#include "ui/widgets/AboutDialog.h"

#include <QFuture>
#include <QMainWindow>

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;
class QMimeData;
class QStackedWidget;

namespace medseg::core {
struct DicomSeries;
}

namespace medseg::ui {

class DicomBrowserPanel;
class LabelPanel;
class TrainingPanel;
class View3DPanel;
class ViewerPanel;
class WindowLevelBar;

class Document;
class RecentFiles;
class TranslationManager;

// The workstation's one window: a central view area and the docks later tools fill (DICOM
// browser, labels, training, 3D). It owns no data: edits go to the Document, whose undo stack
// drives Edit > Undo/Redo and the unsaved-changes marker in the title.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(Document *document, RecentFiles *recentFiles, TranslationManager *translations,
               ComponentVersionsSource components, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Adds a DICOM folder or DICOMDIR to the project and remembers it in File > Open Recent.
    void openSource(const QString &path);
    // The paths given on the command line: opened as the project's start, not as edits.
    void openStartupSources(const QStringList &paths);
    // Asks whether to restore the autosave a crashed session left (called once at start-up).
    void offerRecovery();
    // Save / Save As with a folder dialog when the project has none; false if not saved.
    bool saveProject();

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createDocks();
    void arrangeDefaultDocks();
    void retranslate();
    void restoreWindowState();
    void saveWindowState() const;

    void onOpenFolder();
    void onOpenDicomdir();
    void onOpenImage();
    void updateModalityActions();
    void onImportDataset();
    void onExportDataset();
    // Runs `future` under a modal progress dialog with Cancel; false when cancelled or failed
    // (`error` then says why, empty when cancelled).
    template <typename T>
    bool runWithProgress(QFuture<T> future, const QString &title, T *result, QString *error);
    static QStringList droppedPaths(const QMimeData *mime);
    void onOpenDemoStudy();
    static bool isProjectFolder(const QString &path);
    void openRecentProject(const QString &folder);
    void openProjectFolder(const QString &folder);
    void updateWindowTitle();
    void onSeriesActivated(const core::DicomSeries &series);
    void onVolumeChanged();
    void showFirstSeriesIfIdle();
    void onRecentFilesChanged();
    void onLanguageChanged(const QString &code);
    void onUndoStateChanged();
    void onAbout();
    // Exports a run's best model to ONNX (fp32 and int8) in the background and shows the report.
    void onExportRun(const QString &runDir);
    void onOpenProject();
    bool onSaveProjectAs();
    void onImportLabels();
    void onExportLabels();
    void onExportDicomSeg();
    void onImportLabelDescriptions();
    void onExportLabelDescriptions();
    void onShortcuts();
    // "Save changes?" before the project is closed or replaced; false when the user cancels.
    bool maybeSave();

    QDockWidget *addPanelDock(const QString &objectName, QWidget *content, Qt::DockWidgetArea area);

    Document *m_document;
    RecentFiles *m_recentFiles;
    TranslationManager *m_translations;
    ComponentVersionsSource m_components;

    QStackedWidget *m_viewArea = nullptr;
    QLabel *m_welcome = nullptr;
    ViewerPanel *m_viewer = nullptr;
    WindowLevelBar *m_windowBar = nullptr;
    QLabel *m_cursorInfo = nullptr;
    DicomBrowserPanel *m_browserPanel = nullptr;

    QMenu *m_fileMenu = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_editMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_toolsMenu = nullptr;
    QMenu *m_languageMenu = nullptr;
    QMenu *m_modalityMenu = nullptr;
    QActionGroup *m_modalityGroup = nullptr;
    QMenu *m_helpMenu = nullptr;

    QAction *m_openFolderAction = nullptr;
    QAction *m_openDicomdirAction = nullptr;
    QAction *m_openImageAction = nullptr;
    QAction *m_importDatasetAction = nullptr;
    QAction *m_exportDatasetAction = nullptr;
    QAction *m_clearRecentAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_redoAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_aboutQtAction = nullptr;
    QAction *m_openProjectAction = nullptr;
    QAction *m_openDemoAction = nullptr;
    QAction *m_demographicsAction = nullptr;
    QAction *m_show3dAction = nullptr;
    QAction *m_saveProjectAction = nullptr;
    QAction *m_saveProjectAsAction = nullptr;
    QAction *m_importLabelsAction = nullptr;
    QAction *m_exportLabelsAction = nullptr;
    QAction *m_exportSegAction = nullptr;
    QAction *m_importDescriptionsAction = nullptr;
    QAction *m_exportDescriptionsAction = nullptr;
    QAction *m_shortcutsAction = nullptr;
    QActionGroup *m_languageGroup = nullptr;

    QDockWidget *m_dicomDock = nullptr;
    QDockWidget *m_labelsDock = nullptr;
    QDockWidget *m_trainingDock = nullptr;
    QDockWidget *m_statisticsDock = nullptr;
    LabelPanel *m_labelPanel = nullptr;
    TrainingPanel *m_trainingPanel = nullptr;
    View3DPanel *m_view3dPanel = nullptr;
};

} // namespace medseg::ui
