#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QModelIndex;
class QProgressBar;
class QTableView;
class QToolButton;
class QTreeView;

namespace medseg::core {
struct DicomSeries;
}

namespace medseg::ui {

class DicomBrowserController;

// Content of the DICOM browser dock: the patient / study / series tree with thumbnails, a
// progress bar while indexing, and every problem file in one list (never a dialog per file).
class DicomBrowserPanel : public QWidget
{
    Q_OBJECT

public:
    DicomBrowserPanel(DicomBrowserController *controller, const QList<QAction *> &openActions,
                      QWidget *parent = nullptr);

Q_SIGNALS:
    // The user opened a series (double click or Enter).
    void seriesActivated(const medseg::core::DicomSeries &series);

protected:
    void changeEvent(QEvent *event) override;

private:
    void onActivated(const QModelIndex &index);
    void onIndexingStarted(const QString &path);
    void onIndexingProgress(int done, int total);
    void onIdle();
    void updateProblems();
    void retranslate();

    DicomBrowserController *m_controller;
    QLabel *m_hint = nullptr;
    QTreeView *m_tree = nullptr;
    QProgressBar *m_progress = nullptr;
    QToolButton *m_cancelButton = nullptr;
    QLabel *m_problemsLabel = nullptr;
    QTableView *m_problemList = nullptr;
    QString m_indexingPath;
};

} // namespace medseg::ui
