// `medseg export`, run as a script would: fp32 and int8 exports of a model bundle, the files it
// writes beside the .onnx, and its usage errors.

#include "core/dataset/NiftiIo.h"
#include "core/train/ModelBundle.h"
#include "models/Registry.h"
#include "support/CliRunner.h"

#include <torch/csrc/jit/serialization/import.h>

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace medseg;

class TestExportCli : public QObject
{
    Q_OBJECT

private:
    // Exit code; `out` gets stdout and stderr.
    static int runCli(const QStringList &arguments, QString *out = nullptr)
    {
        const auto result = medseg::testing::runCli(arguments, 300000);
        if (out)
            *out = result.out + result.err;
        return result.exitCode;
    }

    static QJsonObject readJson(const QString &path)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(file.readAll()).object();
    }

    QTemporaryDir m_dir;
    QString m_bundle;
    QString m_data;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        torch::manual_seed(2);
        models::ModelConfig config;
        config.backbone = "resnet18";
        config.output_stride = 16;
        config.bottleneck_channels = 32;
        config.num_classes = 2;
        auto model = models::createModel(config);
        model->eval();
        core::ModelBundle bundle;
        bundle.config = config;
        bundle.classes = {{0, "background", {0, 0, 0}}, {1, "liver", {200, 30, 30}}};
        bundle.preprocessing.intensity = {core::ChannelIntensity::window(50, 400)};
        bundle.version = "3";
        bundle.datasetSummary = "6 slices from 1 patient; 2 classes";
        m_bundle = m_dir.filePath(QStringLiteral("model.pt"));
        core::saveModelBundle(m_bundle.toStdString(), model, bundle);

        // A tiny grey VOC dataset: a bright disk labelled 1.
        m_data = m_dir.filePath(QStringLiteral("voc"));
        QDir().mkpath(m_data + QStringLiteral("/JPEGImages"));
        QDir().mkpath(m_data + QStringLiteral("/SegmentationClass"));
        QFile names(m_data + QStringLiteral("/class_names.txt"));
        QVERIFY(names.open(QIODevice::WriteOnly));
        names.write("background\nliver\n");
        names.close();
        for (int i = 0; i < 6; ++i) {
            QImage image(45, 38, QImage::Format_Grayscale8);
            QImage mask(45, 38, QImage::Format_Grayscale8);
            for (int y = 0; y < 38; ++y) {
                for (int x = 0; x < 45; ++x) {
                    const bool inside = (x - 15 - i) * (x - 15 - i) + (y - 19) * (y - 19) < 80;
                    image.scanLine(y)[x] = uchar(inside ? 200 : 30 + (x * 7 + y * 3) % 20);
                    mask.scanLine(y)[x] = uchar(inside ? 1 : 0);
                }
            }
            const QString name = QStringLiteral("s%1.png").arg(i);
            QVERIFY(image.save(m_data + QStringLiteral("/JPEGImages/") + name));
            QVERIFY(mask.save(m_data + QStringLiteral("/SegmentationClass/") + name));
        }
    }

    void fp32ExportWritesModelCardAndPassingReport()
    {
        const QString out = m_dir.filePath(QStringLiteral("fp32/model.onnx"));
        QDir().mkpath(QFileInfo(out).path());
        // A CT volume in HU (a NIfTI file) to prove the input on: the file's preprocessing, read
        // back as a runtime reads it, must give the network what the model's own gives.
        core::Volume ct(24, 20, 8);
        for (std::size_t n = 0; n < ct.voxelCount(); ++n)
            ct.data()[n] = float(int(n * 37 % 2000) - 1000);
        const QString image = m_dir.filePath(QStringLiteral("ct.nii.gz"));
        core::NiftiIo::writeImage(image.toStdString(), ct);
        QString text;
        QCOMPARE(runCli({QStringLiteral("export"), m_bundle, QStringLiteral("-o"), out,
                         QStringLiteral("--opset"), QStringLiteral("11"),
                         QStringLiteral("--check-image"), image},
                        &text),
                 0);
        QVERIFY2(QFileInfo(out).size() > 1000000, qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Input check (") + image +
                               QStringLiteral("): passed, largest difference 0 over 3 slices")),
                 qPrintable(text));
        const QJsonObject card =
            readJson(m_dir.filePath(QStringLiteral("fp32/model.modelcard.json")));
        QCOMPARE(card[QStringLiteral("model")][QStringLiteral("version")].toString(),
                 QStringLiteral("3"));
        QCOMPARE(card[QStringLiteral("classes")].toArray().size(), 2);
        QCOMPARE(card[QStringLiteral("preprocessing")][QStringLiteral("intensity")]
                     .toArray()
                     .at(0)[QStringLiteral("window")][QStringLiteral("width")]
                     .toDouble(),
                 400.0);
        const QJsonObject report =
            readJson(m_dir.filePath(QStringLiteral("fp32/model.export-report.json")));
        QCOMPARE(report[QStringLiteral("passed")].toBool(), true);
        const QJsonObject fp32 = report[QStringLiteral("fp32_vs_libtorch")].toObject();
        QCOMPARE(fp32[QStringLiteral("status")].toString(), QStringLiteral("passed"));
        QCOMPARE(fp32[QStringLiteral("sizes")].toArray().size(), 3);
        const QJsonObject input = report[QStringLiteral("input_check")].toObject();
        QCOMPARE(input[QStringLiteral("status")].toString(), QStringLiteral("passed"));
        QCOMPARE(input[QStringLiteral("slices")].toInt(), 3);
        QCOMPARE(input[QStringLiteral("source")].toString(), image);
        QCOMPARE(card[QStringLiteral("onnx")][QStringLiteral("pyramid_head")].toString(),
                 QStringLiteral("factored"));
    }

    // Without ONNX Runtime the model is written, but never called "passed": the report and the
    // output say it was not verified, and why.
    void exportWithoutRuntimeIsNotVerified()
    {
        const QString out = m_dir.filePath(QStringLiteral("unverified/model.onnx"));
        QDir().mkpath(QFileInfo(out).path());
        QTemporaryDir empty;
        QProcessEnvironment env = medseg::testing::cliEnvironment();
        env.insert(QStringLiteral("MEDSEG_NODE_MODULES"), empty.path());
        const auto result = medseg::testing::runCli(
            {QStringLiteral("export"), m_bundle, QStringLiteral("-o"), out}, 300000, env);
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains(QStringLiteral("NOT VERIFIED")), qPrintable(result.out));
        QVERIFY2(!result.out.contains(QStringLiteral("passed")), qPrintable(result.out));
        QVERIFY(QFileInfo(out).size() > 1000000);
        const QJsonObject report =
            readJson(m_dir.filePath(QStringLiteral("unverified/model.export-report.json")));
        QCOMPARE(report[QStringLiteral("status")].toString(), QStringLiteral("not verified"));
        QCOMPARE(report[QStringLiteral("passed")].toBool(true), false);
        QCOMPARE(report[QStringLiteral("verified")].toBool(true), false);
        QVERIFY(report[QStringLiteral("fp32_vs_libtorch")][QStringLiteral("status")]
                    .toString()
                    .startsWith(QStringLiteral("not run: ")));
    }

    void upsampledHeadOnRequest()
    {
        const QString out = m_dir.filePath(QStringLiteral("upsampled/model.onnx"));
        QDir().mkpath(QFileInfo(out).path());
        QString text;
        QCOMPARE(runCli({QStringLiteral("export"), m_bundle, QStringLiteral("-o"), out,
                         QStringLiteral("--upsampled-head")},
                        &text),
                 0);
        const QJsonObject card =
            readJson(m_dir.filePath(QStringLiteral("upsampled/model.modelcard.json")));
        QCOMPARE(card[QStringLiteral("onnx")][QStringLiteral("pyramid_head")].toString(),
                 QStringLiteral("upsampled"));
        const QJsonObject report =
            readJson(m_dir.filePath(QStringLiteral("upsampled/model.export-report.json")));
        QCOMPARE(report[QStringLiteral("passed")].toBool(), true);
    }

    void int8ExportReportsAgreementAndSizes()
    {
        const QString out = m_dir.filePath(QStringLiteral("int8/model.onnx"));
        QDir().mkpath(QFileInfo(out).path());
        QString text;
        const int code =
            runCli({QStringLiteral("export"), m_dir.path(), QStringLiteral("-o"), out,
                    QStringLiteral("--int8"), QStringLiteral("cpu"), QStringLiteral("--calib"),
                    QStringLiteral("4"), QStringLiteral("--data"), m_data},
                   &text);
        const QJsonObject report =
            readJson(m_dir.filePath(QStringLiteral("int8/model.export-report.json")));
        QVERIFY2(!report.isEmpty(), qPrintable(text));
        // A random model: its agreement is reported, the thresholds are tested on a fitted one
        // in tst_OnnxExporter; the exit code must follow the report.
        QCOMPARE(code, report[QStringLiteral("passed")].toBool() ? 0 : 1);
        const QJsonObject int8 = report[QStringLiteral("int8_vs_fp32")].toObject();
        QCOMPARE(int8[QStringLiteral("dice_reference")].toString(), QStringLiteral("labels"));
        QCOMPARE(int8[QStringLiteral("pixels")].toInt(), 4 * 45 * 38);
        const double ratio =
            report[QStringLiteral("file_sizes")][QStringLiteral("int8_over_fp32")].toDouble();
        QVERIFY2(ratio > 0.2 && ratio < 0.32, qPrintable(QString::number(ratio)));
        QCOMPARE(report[QStringLiteral("checker_and_shape_inference")][QStringLiteral("int8")]
                     .toString(),
                 QStringLiteral("passed"));
    }

    void staticSizeExportIsCheckedAtItsSize()
    {
        const QString out = m_dir.filePath(QStringLiteral("static/model.onnx"));
        QDir().mkpath(QFileInfo(out).path());
        QString text;
        const int code =
            runCli({QStringLiteral("export"), m_bundle, QStringLiteral("-o"), out,
                    QStringLiteral("--static-size"), QStringLiteral("40x56"),
                    QStringLiteral("--int8"), QStringLiteral("cpu"), QStringLiteral("--calib"),
                    QStringLiteral("3"), QStringLiteral("--data"), m_data},
                   &text);
        const QJsonObject report =
            readJson(m_dir.filePath(QStringLiteral("static/model.export-report.json")));
        QVERIFY2(!report.isEmpty(), qPrintable(text));
        QCOMPARE(code, report[QStringLiteral("passed")].toBool() ? 0 : 1);
        const QJsonObject fp32 = report[QStringLiteral("fp32_vs_libtorch")].toObject();
        QCOMPARE(fp32[QStringLiteral("status")].toString(), QStringLiteral("passed"));
        const QJsonArray sizes = fp32[QStringLiteral("sizes")].toArray();
        QCOMPARE(sizes.size(), 1);
        QCOMPARE(sizes[0][QStringLiteral("height")].toInt(), 40);
        QCOMPARE(sizes[0][QStringLiteral("width")].toInt(), 56);
        // The validation slices (45x38) were resized to the model's size.
        QCOMPARE(report[QStringLiteral("int8_vs_fp32")][QStringLiteral("pixels")].toInt(),
                 3 * 40 * 56); // --calib 3 validation slices
        const QJsonObject card =
            readJson(m_dir.filePath(QStringLiteral("static/model.modelcard.json")));
        const QJsonObject onnx = card[QStringLiteral("onnx")].toObject();
        QCOMPARE(onnx[QStringLiteral("static_shape")].toBool(), true);
        QCOMPARE(onnx[QStringLiteral("pyramid_head")].toString(), QStringLiteral("upsampled"));
        const QJsonArray shape =
            onnx[QStringLiteral("inputs")][0][QStringLiteral("shape")].toArray();
        QCOMPARE(shape.size(), 4);
        QCOMPARE(shape[0].toInt(), 1);
        QCOMPARE(shape[2].toInt(), 40);
        QCOMPARE(shape[3].toInt(), 56);

        for (const QString &bad :
             {QStringLiteral("0x5"), QStringLiteral("64"), QStringLiteral("64xabc")})
            QCOMPARE(runCli({QStringLiteral("export"), m_bundle, QStringLiteral("-o"), out,
                             QStringLiteral("--static-size"), bad}),
                     2);
    }

    void torchScriptExportLoadsBackInLibTorch()
    {
        const QString out = m_dir.filePath(QStringLiteral("ts/model.pt"));
        QDir().mkpath(QFileInfo(out).path());
        QString text;
        QCOMPARE(runCli({QStringLiteral("export"), m_bundle, QStringLiteral("-o"), out,
                         QStringLiteral("--format"), QStringLiteral("torchscript")},
                        &text),
                 0);
        const QJsonObject report =
            readJson(m_dir.filePath(QStringLiteral("ts/model.export-report.json")));
        QVERIFY2(!report.isEmpty(), qPrintable(text));
        QCOMPARE(report[QStringLiteral("format")].toString(), QStringLiteral("torchscript"));
        QCOMPARE(report[QStringLiteral("torch_jit_load")].toString(), QStringLiteral("passed"));
        QCOMPARE(
            report[QStringLiteral("fp32_vs_libtorch")][QStringLiteral("sizes")].toArray().size(),
            3);
        const QJsonObject card =
            readJson(m_dir.filePath(QStringLiteral("ts/model.modelcard.json")));
        QVERIFY(card.contains(QStringLiteral("torchscript")));
        QVERIFY(!card.contains(QStringLiteral("onnx")));

        // The archive runs without MedSeg's model code and gives the bundle's logits.
        models::PSPNet model{nullptr};
        core::loadModelBundle(m_bundle.toStdString(), &model);
        model->eval();
        torch::jit::Module loaded = torch::jit::load(out.toStdString());
        torch::NoGradGuard no_grad;
        const at::Tensor input = at::randn({2, model->config.in_channels, 45, 38});
        const double diff = (loaded.forward({input}).toTensor() - model->forward(input).logits)
                                .abs()
                                .max()
                                .item<double>();
        QVERIFY2(diff <= 1e-4, qPrintable(QString::number(diff)));

        QCOMPARE(runCli({QStringLiteral("export"), m_bundle, QStringLiteral("-o"), out,
                         QStringLiteral("--format"), QStringLiteral("torchscript"),
                         QStringLiteral("--argmax")}),
                 2);
        QCOMPARE(runCli({QStringLiteral("export"), m_bundle, QStringLiteral("-o"), out,
                         QStringLiteral("--format"), QStringLiteral("tflite")}),
                 2);
    }

    void usageErrorsExitWithCodes()
    {
        const QString out = m_dir.filePath(QStringLiteral("bad.onnx"));
        QCOMPARE(runCli({QStringLiteral("export"), m_bundle, QStringLiteral("-o"), out,
                         QStringLiteral("--opset"), QStringLiteral("12")}),
                 2);
        QCOMPARE(runCli({QStringLiteral("export"), m_bundle, QStringLiteral("-o"), out,
                         QStringLiteral("--int8"), QStringLiteral("cpu")}),
                 2); // no calibration data
        QCOMPARE(runCli({QStringLiteral("export"), m_bundle, QStringLiteral("-o"), out,
                         QStringLiteral("--int8"), QStringLiteral("cpu"), QStringLiteral("--opset"),
                         QStringLiteral("11"), QStringLiteral("--data"), m_data}),
                 2);
        QCOMPARE(runCli({QStringLiteral("export"), m_dir.filePath(QStringLiteral("none.pt")),
                         QStringLiteral("-o"), out}),
                 3);
        QVERIFY(!QFileInfo::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestExportCli)
#include "tst_ExportCli.moc"
