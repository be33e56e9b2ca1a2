#include "ui/widgets/ExportDialog.h"

#include "ui/session/ExportSession.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace medseg::ui {

ExportDialog::ExportDialog(ExportSession *session, const QString &modelOrRun, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_model(modelOrRun)
{
    setObjectName(QStringLiteral("exportDialog"));
    setWindowTitle(tr("Export Model"));

    const QFileInfo model(modelOrRun);
    const QString folder = model.isDir() ? model.filePath() : model.path();
    m_output = new QLineEdit(
        QDir(folder).filePath(ExportSession::defaultFileName(ExportSession::Precision::Fp32)),
        this);
    m_output->setObjectName(QStringLiteral("exportOutput"));
    m_browse = new QPushButton(tr("Browse…"), this);
    m_precision = new QComboBox(this);
    m_precision->setObjectName(QStringLiteral("exportPrecision"));
    m_precision->addItem(tr("ONNX fp32"), int(ExportSession::Precision::Fp32));
    m_precision->addItem(tr("ONNX int8 for ONNX Runtime (CPU)"),
                         int(ExportSession::Precision::Int8Cpu));
    m_precision->addItem(tr("ONNX int8 for TensorRT"), int(ExportSession::Precision::Int8TensorRT));
    m_precision->addItem(tr("TorchScript fp32 (LibTorch, PyTorch)"),
                         int(ExportSession::Precision::TorchScript));
    m_opset = new QComboBox(this);
    m_opset->setObjectName(QStringLiteral("exportOpset"));
    for (int opset : {17, 13, 11})
        m_opset->addItem(QString::number(opset), opset);
    m_calibration = new QSpinBox(this);
    m_calibration->setObjectName(QStringLiteral("exportCalibrationSlices"));
    m_calibration->setRange(1, 1000);
    m_calibration->setValue(32);
    m_static = new QCheckBox(tr("Fixed input size (for OpenCV dnn)"), this);
    m_static->setObjectName(QStringLiteral("exportStaticSize"));
    m_staticHeight = new QSpinBox(this);
    m_staticHeight->setObjectName(QStringLiteral("exportStaticHeight"));
    m_staticWidth = new QSpinBox(this);
    m_staticWidth->setObjectName(QStringLiteral("exportStaticWidth"));
    for (QSpinBox *box : {m_staticHeight, m_staticWidth}) {
        box->setRange(16, 4096);
        box->setValue(512);
        box->setEnabled(false);
    }
    m_precision->setToolTip(
        tr("fp32 keeps the trained numbers exactly. int8 for ONNX Runtime (CPU) is about four "
           "times smaller and faster on a CPU, checked against fp32 on your slices. int8 for "
           "TensorRT is for NVIDIA GPUs (symmetric, percentile calibration). TorchScript runs in "
           "LibTorch and PyTorch."));
    m_opset->setToolTip(tr("The ONNX version of the operators written. 17 for current runtimes; "
                           "13 or 11 only for an old runtime that refuses 17 (int8 needs 13)."));
    m_calibration->setToolTip(
        tr("How many training slices int8 measures its value ranges on. More slices give "
           "ranges closer to real data; 32 is usually enough."));
    m_static->setToolTip(tr("Writes the graph for one fixed image size, for runtimes that cannot "
                            "work out sizes themselves (OpenCV's dnn module). Other runtimes "
                            "take any size without it."));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("exportProgress"));
    m_progress->setVisible(false);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("exportStatus"));
    m_status->setWordWrap(true);
    m_report = new QPlainTextEdit(this);
    m_report->setObjectName(QStringLiteral("exportReport"));
    m_report->setReadOnly(true);
    m_report->setVisible(false);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_exportButton = m_buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    m_exportButton->setObjectName(QStringLiteral("exportStart"));

    auto *outputRow = new QHBoxLayout;
    outputRow->addWidget(m_output, 1);
    outputRow->addWidget(m_browse);
    auto *form = new QFormLayout;
    form->addRow(tr("Model"), new QLabel(QDir::toNativeSeparators(modelOrRun), this));
    form->addRow(tr("Output"), outputRow);
    form->addRow(tr("Format"), m_precision);
    form->addRow(tr("Opset"), m_opset);
    form->addRow(tr("Calibration slices"), m_calibration);
    auto *staticRow = new QHBoxLayout;
    staticRow->addWidget(m_static);
    staticRow->addWidget(m_staticHeight);
    staticRow->addWidget(new QLabel(QStringLiteral("×"), this));
    staticRow->addWidget(m_staticWidth);
    staticRow->addStretch(1);
    form->addRow(tr("Input size"), staticRow);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_report, 1);
    layout->addWidget(m_buttons);

    connect(m_browse, &QPushButton::clicked, this, &ExportDialog::onBrowse);
    connect(m_exportButton, &QPushButton::clicked, this, &ExportDialog::onExport);
    connect(m_buttons, &QDialogButtonBox::rejected, this, [this] {
        m_session->cancel();
        reject();
    });
    connect(m_precision, &QComboBox::currentIndexChanged, this, [this] {
        const auto precision = ExportSession::Precision(m_precision->currentData().toInt());
        const bool torchScript = precision == ExportSession::Precision::TorchScript;
        const bool int8 = precision != ExportSession::Precision::Fp32 && !torchScript;
        m_calibration->setEnabled(int8);
        m_opset->setEnabled(!torchScript);
        m_static->setEnabled(!torchScript);
        if (torchScript)
            m_static->setChecked(false);
        if (int8 && m_opset->currentData().toInt() < 13)
            m_opset->setCurrentIndex(0);
        // Each format's own file name, unless the user chose another name.
        const QFileInfo output(m_output->text());
        if (output.fileName() == ExportSession::defaultFileName(m_shownPrecision))
            m_output->setText(
                QDir(output.path()).filePath(ExportSession::defaultFileName(precision)));
        m_shownPrecision = precision;
    });
    m_calibration->setEnabled(false);
    connect(m_static, &QCheckBox::toggled, this, [this](bool on) {
        m_staticHeight->setEnabled(on);
        m_staticWidth->setEnabled(on);
    });
    connect(m_session, &ExportSession::progressed, this,
            [this](int done, int total, const QString &stage) {
                m_progress->setRange(0, total);
                m_progress->setValue(done);
                m_status->setText(stage);
            });
    connect(m_session, &ExportSession::finished, this,
            [this](const ExportSession::Summary &summary) {
                m_progress->setVisible(false);
                m_exportButton->setEnabled(true);
                m_status->setText(outcomeText(summary));
                m_report->setPlainText(summary.details + QStringLiteral("\n\n") +
                                       tr("Report: %1\nModel card: %2")
                                           .arg(QDir::toNativeSeparators(summary.reportPath),
                                                QDir::toNativeSeparators(summary.modelCardPath)));
                m_report->setVisible(true);
            });
    connect(m_session, &ExportSession::failed, this, [this](const QString &message) {
        m_progress->setVisible(false);
        m_exportButton->setEnabled(true);
        m_status->setText(tr("Export failed: %1").arg(message));
    });
}

void ExportDialog::onBrowse()
{
    const bool torchScript =
        m_precision->currentData().toInt() == int(ExportSession::Precision::TorchScript);
    const QString suffix = torchScript ? QStringLiteral(".pt") : QStringLiteral(".onnx");
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Model"), m_output->text(),
                                                      torchScript ? tr("TorchScript models (*.pt)")
                                                                  : tr("ONNX models (*.onnx)"));
    if (!path.isEmpty())
        m_output->setText(path.endsWith(suffix) ? path : path + suffix);
}

QString ExportDialog::outcomeText(const ExportSession::Summary &summary)
{
    const QString file = QDir::toNativeSeparators(summary.onnxPath);
    if (summary.failed)
        return tr("Exported %1, but a validation check FAILED: see the report.").arg(file);
    if (!summary.verified)
        return tr("Exported %1, but NOT VERIFIED: ONNX Runtime could not be run on this "
                  "computer, so the exported model was not compared with the trained one. "
                  "Reason: %2")
            .arg(file, summary.notVerifiedReason);
    return tr("Exported %1. Every validation check ran and passed.").arg(file);
}

bool ExportDialog::confirmOverwrite(const QString &path)
{
    if (!QFileInfo::exists(path))
        return true;
    QMessageBox question(QMessageBox::Question, tr("Replace Exported Model?"),
                         tr("%1 exists already. Replace it, with its model card and report?")
                             .arg(QDir::toNativeSeparators(path)),
                         QMessageBox::Yes | QMessageBox::No, this);
    question.setObjectName(QStringLiteral("exportOverwriteQuestion"));
    question.setDefaultButton(QMessageBox::No);
    return question.exec() == QMessageBox::Yes;
}

void ExportDialog::onExport()
{
    if (!confirmOverwrite(m_output->text()))
        return;
    const auto precision = ExportSession::Precision(m_precision->currentData().toInt());
    const QSize staticSize =
        m_static->isChecked() ? QSize(m_staticWidth->value(), m_staticHeight->value()) : QSize();
    if (!m_session->start(m_model, m_output->text(), precision, m_opset->currentData().toInt(),
                          m_calibration->value(), staticSize)) {
        m_status->setText(m_session->errorString());
        return;
    }
    m_exportButton->setEnabled(false);
    m_report->setVisible(false);
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_status->setText(tr("Exporting…"));
}

} // namespace medseg::ui
