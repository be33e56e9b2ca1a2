// The Export dialog as a user drives it: pick a format, press Export, watch the progress, read
// the report. The export itself runs in the background through core::exportModel; here it writes
// a small model to TorchScript and to ONNX (validated in ONNX Runtime) and the dialog shows what
// the report says.

#include "core/train/ModelBundle.h"
#include "models/Registry.h"
#include "ui/session/Document.h"
#include "ui/session/ExportSession.h"
#include "ui/widgets/ExportDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace medseg;

class ExportDialogTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        torch::manual_seed(8);
        models::ModelConfig config;
        config.backbone = "resnet18";
        config.in_channels = 1;
        config.num_classes = 2;
        config.output_stride = 32;
        config.bottleneck_channels = 16;
        auto model = models::createModel(config);
        model->eval();
        core::ModelBundle bundle;
        bundle.config = config;
        bundle.classes = {{0, "background", {0, 0, 0}}, {1, "kidney", {30, 200, 30}}};
        m_bundle = m_dir.filePath(QStringLiteral("model.pt"));
        core::saveModelBundle(m_bundle.toStdString(), model, bundle);
    }

    void exportsEachFormatAndShowsItsReport_data()
    {
        QTest::addColumn<int>("precision");
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<QString>("firstCheck");
        QTest::newRow("torchscript") << int(ui::ExportSession::Precision::TorchScript) << ".pt"
                                     << "Loaded back with torch::jit::load: passed";
        QTest::newRow("onnx fp32") << int(ui::ExportSession::Precision::Fp32) << ".onnx"
                                   << "ONNX checker (fp32): passed";
    }

    void exportsEachFormatAndShowsItsReport()
    {
        QFETCH(int, precision);
        QFETCH(QString, suffix);
        QFETCH(QString, firstCheck);
        ui::Document document;
        const QString folder = m_dir.filePath(QString::number(precision));
        QVERIFY(QDir().mkpath(folder));
        ui::ExportDialog dialog(document.exporter(), m_bundle);
        dialog.show();
        auto *format = dialog.findChild<QComboBox *>(QStringLiteral("exportPrecision"));
        auto *output = dialog.findChild<QLineEdit *>(QStringLiteral("exportOutput"));
        auto *opset = dialog.findChild<QComboBox *>(QStringLiteral("exportOpset"));
        QVERIFY(format && output && opset);
        format->setCurrentIndex(format->findData(precision));
        QVERIFY2(output->text().endsWith(suffix), qPrintable(output->text())); // follows the format
        QCOMPARE(opset->isEnabled(), suffix == QStringLiteral(".onnx"));
        const QString target = QDir(folder).filePath(QStringLiteral("model") + suffix);
        output->setText(target);

        QPlainTextEdit *report = nullptr;
        exportAndWaitForSuccess(dialog, &report);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(report->toPlainText().startsWith(firstCheck), qPrintable(report->toPlainText()));
        QVERIFY(report->toPlainText().contains(QStringLiteral("97 x 71: max abs difference")));
        QVERIFY(QFileInfo(target).size() > 100000);
        QVERIFY(
            QFileInfo::exists(QDir(folder).filePath(QStringLiteral("model.export-report.json"))));
        QVERIFY(QFileInfo::exists(QDir(folder).filePath(QStringLiteral("model.modelcard.json"))));
    }

    void fixedInputSizeIsCheckedAtThatSize()
    {
        ui::Document document;
        const QString folder = m_dir.filePath(QStringLiteral("static"));
        QVERIFY(QDir().mkpath(folder));
        ui::ExportDialog dialog(document.exporter(), m_bundle);
        dialog.show();
        auto *fixed = dialog.findChild<QCheckBox *>(QStringLiteral("exportStaticSize"));
        auto *height = dialog.findChild<QSpinBox *>(QStringLiteral("exportStaticHeight"));
        auto *width = dialog.findChild<QSpinBox *>(QStringLiteral("exportStaticWidth"));
        QVERIFY(fixed && height && width);
        QVERIFY(!height->isEnabled());
        fixed->setChecked(true);
        QVERIFY(height->isEnabled());
        height->setValue(48);
        width->setValue(40);
        dialog.findChild<QLineEdit *>(QStringLiteral("exportOutput"))
            ->setText(QDir(folder).filePath(QStringLiteral("model.onnx")));
        QPlainTextEdit *report = nullptr;
        exportAndWaitForSuccess(dialog, &report);
        if (QTest::currentTestFailed())
            return;
        const QString text = report->toPlainText();
        QVERIFY2(text.contains(QStringLiteral("48 x 40: max abs difference")), qPrintable(text));
        QVERIFY(!text.contains(QStringLiteral("97 x 71")));
    }

    // fp32, int8 and TorchScript exported into one folder keep their own files.
    void eachFormatSuggestsItsOwnFileName()
    {
        ui::Document document;
        ui::ExportDialog dialog(document.exporter(), m_bundle);
        auto *format = dialog.findChild<QComboBox *>(QStringLiteral("exportPrecision"));
        auto *output = dialog.findChild<QLineEdit *>(QStringLiteral("exportOutput"));
        QSet<QString> names;
        for (int i = 0; i < format->count(); ++i) {
            format->setCurrentIndex(i);
            names.insert(QFileInfo(output->text()).fileName());
            QCOMPARE(QFileInfo(output->text()).path(), QFileInfo(m_bundle).path());
        }
        QCOMPARE(names.size(), format->count());
        // A name the user typed is kept.
        output->setText(m_dir.filePath(QStringLiteral("mine.onnx")));
        format->setCurrentIndex(format->findData(int(ui::ExportSession::Precision::Int8Cpu)));
        QCOMPARE(QFileInfo(output->text()).fileName(), QStringLiteral("mine.onnx"));
    }

    void replacingAnExportAsksFirst()
    {
        ui::Document document;
        const QString folder = m_dir.filePath(QStringLiteral("replace"));
        QVERIFY(QDir().mkpath(folder));
        const QString target = QDir(folder).filePath(QStringLiteral("model.onnx"));
        {
            QFile existing(target);
            QVERIFY(existing.open(QIODevice::WriteOnly));
            existing.write("the user's earlier export");
        }
        ui::ExportDialog dialog(document.exporter(), m_bundle);
        dialog.show();
        dialog.findChild<QLineEdit *>(QStringLiteral("exportOutput"))->setText(target);
        bool asked = false;
        answerOverwriteQuestion(&dialog, QMessageBox::No, &asked);
        dialog.findChild<QPushButton *>(QStringLiteral("exportStart"))->click();
        QVERIFY(asked);
        QVERIFY(!document.exporter()->isRunning());
        QCOMPARE(QFileInfo(target).size(), qint64(25));

        asked = false;
        answerOverwriteQuestion(&dialog, QMessageBox::Yes, &asked);
        QPlainTextEdit *report = nullptr;
        exportAndWaitForSuccess(dialog, &report);
        QVERIFY(asked);
        QVERIFY(QFileInfo(target).size() > 100000);
    }

    // Without ONNX Runtime the model is written, and the dialog says plainly that it was not
    // verified: never "passed".
    void exportWithoutRuntimeSaysNotVerified()
    {
        QTemporaryDir emptyModules;
        const QByteArray before = qgetenv("MEDSEG_NODE_MODULES");
        qputenv("MEDSEG_NODE_MODULES", emptyModules.path().toLocal8Bit());
        ui::Document document;
        const QString folder = m_dir.filePath(QStringLiteral("unverified"));
        QVERIFY(QDir().mkpath(folder));
        ui::ExportDialog dialog(document.exporter(), m_bundle);
        dialog.show();
        dialog.findChild<QLineEdit *>(QStringLiteral("exportOutput"))
            ->setText(QDir(folder).filePath(QStringLiteral("model.onnx")));
        dialog.findChild<QPushButton *>(QStringLiteral("exportStart"))->click();
        auto *report = dialog.findChild<QPlainTextEdit *>(QStringLiteral("exportReport"));
        auto *status = dialog.findChild<QLabel *>(QStringLiteral("exportStatus"));
        QTRY_VERIFY_WITH_TIMEOUT(report->isVisible() ||
                                     status->text().startsWith(QStringLiteral("Export failed")),
                                 120000);
        if (before.isNull())
            qunsetenv("MEDSEG_NODE_MODULES");
        else
            qputenv("MEDSEG_NODE_MODULES", before);
        QVERIFY2(status->text().contains(QStringLiteral("NOT VERIFIED")),
                 qPrintable(status->text()));
        QVERIFY2(!status->text().contains(QStringLiteral("passed")), qPrintable(status->text()));
        QVERIFY(QFileInfo(QDir(folder).filePath(QStringLiteral("model.onnx"))).size() > 100000);
    }

    void everySettingHasATooltip()
    {
        ui::Document document;
        ui::ExportDialog dialog(document.exporter(), m_bundle);
        for (const char *name :
             {"exportPrecision", "exportOpset", "exportCalibrationSlices", "exportStaticSize"})
            QVERIFY2(dialog.findChild<QWidget *>(QLatin1String(name))->toolTip().size() > 40, name);
    }

    void int8WithoutTrainingDataExplainsWhy()
    {
        ui::Document document;
        ui::ExportDialog dialog(document.exporter(), m_bundle);
        auto *format = dialog.findChild<QComboBox *>(QStringLiteral("exportPrecision"));
        format->setCurrentIndex(format->findData(int(ui::ExportSession::Precision::Int8Cpu)));
        dialog.findChild<QPushButton *>(QStringLiteral("exportStart"))->click();
        auto *status = dialog.findChild<QLabel *>(QStringLiteral("exportStatus"));
        QVERIFY2(status->text().contains(QStringLiteral("calibrate")), qPrintable(status->text()));
        QVERIFY(!document.exporter()->isRunning());
    }

private:
    // Answers the overwrite question with `button` when it comes.
    static void answerOverwriteQuestion(QWidget *dialog, QMessageBox::StandardButton button,
                                        bool *asked)
    {
        QTimer::singleShot(0, dialog, [dialog, button, asked] {
            auto *question =
                dialog->findChild<QMessageBox *>(QStringLiteral("exportOverwriteQuestion"));
            if (!question)
                return;
            *asked = true;
            question->button(button)->click();
        });
    }

    // Presses Export and waits for the report; the validation must have passed.
    static void exportAndWaitForSuccess(ui::ExportDialog &dialog, QPlainTextEdit **report)
    {
        dialog.findChild<QPushButton *>(QStringLiteral("exportStart"))->click();
        *report = dialog.findChild<QPlainTextEdit *>(QStringLiteral("exportReport"));
        auto *status = dialog.findChild<QLabel *>(QStringLiteral("exportStatus"));
        QTRY_VERIFY_WITH_TIMEOUT((*report)->isVisible() ||
                                     status->text().startsWith(QStringLiteral("Export failed")),
                                 120000);
        QVERIFY2(status->text().contains(QStringLiteral("Every validation check ran and passed")),
                 qPrintable(status->text()));
    }

    QTemporaryDir m_dir;
    QString m_bundle;
};

QTEST_MAIN(ExportDialogTest)
#include "tst_ExportDialog.moc"
