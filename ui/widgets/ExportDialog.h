#pragma once

#include "ui/session/ExportSession.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace medseg::ui {

// Export a run's model to ONNX: where to, fp32 or int8 (ONNX Runtime CPU or TensorRT), opset
// and calibration slices; then the progress and the validation report of core/export.
class ExportDialog : public QDialog
{
    Q_OBJECT

public:
    ExportDialog(ExportSession *session, const QString &modelOrRun, QWidget *parent = nullptr);

    // What the dialog says when an export ends: passed, failed, or written but not verified.
    static QString outcomeText(const ExportSession::Summary &summary);

private:
    void onExport();
    void onBrowse();
    // Asks before replacing an existing file; true to go on.
    bool confirmOverwrite(const QString &path);

    ExportSession *m_session;
    QString m_model;
    ExportSession::Precision m_shownPrecision = ExportSession::Precision::Fp32;
    QLineEdit *m_output = nullptr;
    QPushButton *m_browse = nullptr;
    QComboBox *m_precision = nullptr;
    QComboBox *m_opset = nullptr;
    QSpinBox *m_calibration = nullptr;
    QCheckBox *m_static = nullptr; // a fixed input size, for OpenCV's dnn module
    QSpinBox *m_staticHeight = nullptr;
    QSpinBox *m_staticWidth = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_report = nullptr;
    QPushButton *m_exportButton = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace medseg::ui
