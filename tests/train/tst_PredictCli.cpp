// `medseg predict` and `medseg augment-preview`, run as a script would: a demo series becomes a
// NIfTI label volume on the series' grid, images become palette masks of the same size, the
// preview grid is reproducible from its seed, and bad input gives the documented exit codes.

#include "TinyModel.h"

#include "core/dataset/LabelTable.h"
#include "core/dataset/NiftiIo.h"
#include "core/dataset/VocReader.h"
#include "core/dataset/detail/PngIo.h"
#include "core/train/Metrics.h"
#include "core/train/ModelBundle.h"

#include "support/CliRunner.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <nifti2_io.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace medseg;
using namespace medseg::core;

namespace {

using Result = medseg::testing::CliResult;

Result run(const QStringList &arguments)
{
    QProcessEnvironment env = medseg::testing::cliEnvironment();
    env.insert(QStringLiteral("MEDSEG_THREADS"), QStringLiteral("1"));
    return medseg::testing::runCli(arguments, 120000, env);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class tst_PredictCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void predictWritesLabelsOnTheSeriesGrid();
    void predictWritesAPaletteMaskPerImage();
    void predictKeepsTheNiftiHeaderOfEachImage();
    void predictReproducesTheTrainersDiceOnNonSquareSlices();
    void augmentPreviewWritesAReproducibleGrid();
    void badInputGivesTheDocumentedExitCodes();

private:
    QTemporaryDir m_dir;
    QString m_demo;
    QString m_voc;
    QString m_model;
    int m_classes = 0;
};

void tst_PredictCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_demo = m_dir.filePath(QStringLiteral("demo"));
    Result result = run({QStringLiteral("make-demo"), m_demo, QStringLiteral("--patients"),
                         QStringLiteral("1"), QStringLiteral("--slices"), QStringLiteral("4"),
                         QStringLiteral("--size"), QStringLiteral("64")});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    m_voc = m_dir.filePath(QStringLiteral("voc"));
    result = run({QStringLiteral("convert"), m_demo, m_voc});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));

    m_classes =
        LabelTable::load(QDir(m_demo).filePath(QStringLiteral("labels/labels.json")).toStdString())
            .size();
    QVERIFY(m_classes >= 2);
    const models::ModelConfig config = test::tinyModelConfig(3, m_classes);
    models::PSPNet model = test::tinyModel(config);
    m_model = m_dir.filePath(QStringLiteral("model.pt"));
    saveModelBundle(m_model.toStdString(), model, test::tinyBundle(config));
}

void tst_PredictCli::predictWritesLabelsOnTheSeriesGrid()
{
    const QString out = m_dir.filePath(QStringLiteral("labels.nii.gz"));
    const Result result = run({QStringLiteral("predict"), m_model, m_demo, QStringLiteral("-o"),
                               out, QStringLiteral("--batch"), QStringLiteral("3")});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY(result.out.contains(QLatin1String("4 slice")));
    const Volume labels = NiftiIo::read(out.toStdString());
    QCOMPARE(labels.width(), 64);
    QCOMPARE(labels.height(), 64);
    QCOMPARE(labels.depth(), 4);
    const QDir labelDir(QDir(m_demo).filePath(QStringLiteral("labels")));
    const QString truth =
        labelDir.filePath(labelDir.entryList({QStringLiteral("*.nii.gz")}, QDir::Files).value(0));
    const Volume reference = NiftiIo::read(truth.toStdString());
    QVERIFY(labels.geometry().isClose(reference.geometry(), 1e-3));
    const auto [lo, hi] = labels.range();
    QVERIFY(lo >= 0 && hi < m_classes);
}

// Issue 21, point 6: labels of a NIfTI image carry its header's grid exactly (affine, sform and
// qform codes, sizes), for a single file and for an nnU-Net imagesTs folder.
void tst_PredictCli::predictKeepsTheNiftiHeaderOfEachImage()
{
    const QString data = QStringLiteral("/usr/lib/python3/dist-packages/nibabel/tests/data/");
    QTemporaryDir dir;
    QDir root(dir.path());
    QVERIFY(root.mkpath(QStringLiteral("imagesTs")));
    // Oblique 4D (codes 1/1), big-endian (codes 2/2), sform only (qform code 0).
    const std::vector<std::pair<QString, QString>> inputs{
        {data + "example4d.nii.gz", QStringLiteral("case_a_0000.nii.gz")},
        {data + "anatomical.nii", QStringLiteral("case_b_0000.nii")},
        {data + "standard.nii.gz", QStringLiteral("case_c_0000.nii.gz")}};
    for (const auto &[from, to] : inputs)
        QVERIFY2(QFile::copy(from, root.filePath(QStringLiteral("imagesTs/") + to)),
                 qPrintable(from));
    const QString out = root.filePath(QStringLiteral("predictions"));
    const Result result =
        run({QStringLiteral("predict"), m_model, root.filePath(QStringLiteral("imagesTs")),
             QStringLiteral("-o"), out});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.out.contains(QLatin1String("3 cases")), qPrintable(result.out));
    for (const auto &[from, to] : inputs) {
        const QString caseName = to.left(to.indexOf(QLatin1String("_0000")));
        const std::string written =
            QDir(out).filePath(caseName + QStringLiteral(".nii.gz")).toStdString();
        nifti_image *image = nifti_image_read(from.toStdString().c_str(), 0);
        nifti_image *labels = nifti_image_read(written.c_str(), 0);
        QVERIFY2(image && labels, written.c_str());
        QCOMPARE(labels->nx, image->nx);
        QCOMPARE(labels->ny, image->ny);
        QCOMPARE(labels->nz, image->nz);
        QCOMPARE(labels->ndim, int64_t(3)); // one label volume, also for the 4D image
        QCOMPARE(labels->sform_code, image->sform_code);
        QCOMPARE(labels->qform_code, image->qform_code);
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c) {
                QCOMPARE(labels->sto_xyz.m[r][c], image->sto_xyz.m[r][c]);
                QCOMPARE(labels->qto_xyz.m[r][c], image->qto_xyz.m[r][c]);
            }
        QCOMPARE(labels->intent_code, int(NIFTI_INTENT_LABEL));
        nifti_image_free(image);
        nifti_image_free(labels);
    }
    // One file to one file, the same way.
    const QString single = root.filePath(QStringLiteral("one.nii.gz"));
    QCOMPARE(run({QStringLiteral("predict"), m_model, data + "standard.nii.gz",
                  QStringLiteral("-o"), single})
                 .exitCode,
             0);
    nifti_image *labels = nifti_image_read(single.toStdString().c_str(), 0);
    QVERIFY(labels);
    QCOMPARE(labels->qform_code, 0);
    QCOMPARE(labels->sform_code, 2);
    nifti_image_free(labels);
}

void tst_PredictCli::predictWritesAPaletteMaskPerImage()
{
    const QDir images(QDir(m_voc).filePath(QStringLiteral("JPEGImages")));
    const QStringList names = images.entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name);
    QCOMPARE(names.size(), 4);
    const QString out = m_dir.filePath(QStringLiteral("masks"));
    const Result result =
        run({QStringLiteral("predict"), m_model, images.path(), QStringLiteral("-o"), out});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QCOMPARE(QDir(out).entryList(QDir::Files, QDir::Name), names);
    const core::detail::PngImage mask =
        core::detail::readPng(QDir(out).filePath(names.front()).toStdString());
    QVERIFY(mask.indexed);
    QCOMPARE(mask.width, 64);
    QCOMPARE(mask.height, 64);
    for (std::uint8_t value : mask.pixels)
        QVERIFY(value < m_classes);
    // The model's class colours are the palette's first entries.
    const ModelBundle bundle = readModelBundleInfo(m_model.toStdString());
    QCOMPARE(mask.palette.at(1), bundle.classes.at(1).colour);

    // One image alone.
    const QString single = m_dir.filePath(QStringLiteral("single"));
    QCOMPARE(run({QStringLiteral("predict"), m_model, images.filePath(names.back()),
                  QStringLiteral("-o"), single})
                 .exitCode,
             0);
    QCOMPARE(QDir(single).entryList(QDir::Files), QStringList{names.back()});
}

// Issue 22, defect 0: the trainer validated at its input size while the saved model recorded
// "input_size": 0, so `medseg predict` ran at the slices' own size and could not reproduce the
// Dice the trainer reported; and non-square slices were stretched. Trained on 64 x 40 slices at
// input size 32 (aspect kept), the model predicts the validation slices with exactly the Dice
// the trainer recorded in best.json.
void tst_PredictCli::predictReproducesTheTrainersDiceOnNonSquareSlices()
{
    // Two patients (one validates), their slices cropped to 64 x 40.
    const QString demo = m_dir.filePath(QStringLiteral("demo2"));
    const QString voc = m_dir.filePath(QStringLiteral("voc-64x40"));
    QCOMPARE(run({QStringLiteral("make-demo"), demo, QStringLiteral("--patients"),
                  QStringLiteral("2"), QStringLiteral("--slices"), QStringLiteral("4"),
                  QStringLiteral("--size"), QStringLiteral("64")})
                 .exitCode,
             0);
    QCOMPARE(run({QStringLiteral("convert"), demo, voc}).exitCode, 0);
    for (const QString &folder :
         {QStringLiteral("JPEGImages"), QStringLiteral("SegmentationClass")}) {
        const QDir dir(QDir(voc).filePath(folder));
        for (const QString &name : dir.entryList({QStringLiteral("*.png")}, QDir::Files)) {
            const QImage image(dir.filePath(name));
            QVERIFY(!image.isNull());
            QVERIFY(image.copy(0, 12, 64, 40).save(dir.filePath(name), "PNG"));
        }
    }

    const QString runDir = m_dir.filePath(QStringLiteral("run-64x40"));
    Result result = run({QStringLiteral("train"),           voc,
                         QStringLiteral("--run-dir"),       runDir,
                         QStringLiteral("--backbone"),      QStringLiteral("resnet18"),
                         QStringLiteral("--input-size"),    QStringLiteral("32"),
                         QStringLiteral("--epochs"),        QStringLiteral("2"),
                         QStringLiteral("--batch"),         QStringLiteral("2"),
                         QStringLiteral("--output-stride"), QStringLiteral("16"),
                         QStringLiteral("--threads"),       QStringLiteral("1"),
                         QStringLiteral("--seed"),          QStringLiteral("5"),
                         QStringLiteral("--device"),        QStringLiteral("cpu")});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    const QString best = QDir(runDir).filePath(QStringLiteral("best.pt"));
    const QJsonObject card =
        QJsonDocument::fromJson(readAll(QDir(runDir).filePath(QStringLiteral("best.json"))))
            .object();
    const QJsonObject preprocessing = card.value(QStringLiteral("preprocessing")).toObject();
    QCOMPARE(preprocessing.value(QStringLiteral("input_size")).toInt(), 32);
    QCOMPARE(preprocessing.value(QStringLiteral("input_resize")).toString(),
             QStringLiteral("keep_aspect"));
    const double reported = card.value(QStringLiteral("validation"))
                                .toObject()
                                .value(QStringLiteral("mean_foreground_dice"))
                                .toDouble(-1);
    QVERIFY(reported >= 0);

    // The validation slices through `medseg predict`, scored as the trainer scores them.
    const VocDataset dataset = VocReader::open(voc.toStdString());
    const QString images = m_dir.filePath(QStringLiteral("val-images"));
    QVERIFY(QDir().mkpath(images));
    std::vector<const VocSample *> validation;
    for (const VocSample &sample : dataset.samples)
        if (sample.split == "val") {
            validation.push_back(&sample);
            const QString image = QString::fromStdString(sample.imagePath);
            QVERIFY(QFile::copy(image, QDir(images).filePath(QFileInfo(image).fileName())));
        }
    QVERIFY(!validation.empty());
    const QString masks = m_dir.filePath(QStringLiteral("val-masks"));
    result = run({QStringLiteral("predict"), best, images, QStringLiteral("-o"), masks});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    SegmentationMetrics metrics(int(readModelBundleInfo(best.toStdString()).classes.size()));
    for (const VocSample *sample : validation) {
        const VocMask truth = VocReader::readMask(dataset, *sample);
        QCOMPARE(truth.width, 64);
        QCOMPARE(truth.height, 40);
        const core::detail::PngImage predicted = core::detail::readPng(
            QDir(masks)
                .filePath(QFileInfo(QString::fromStdString(sample->imagePath)).completeBaseName() +
                          QStringLiteral(".png"))
                .toStdString());
        QCOMPARE(predicted.width, 64);
        QCOMPARE(predicted.height, 40);
        const auto asTensor = [](const std::vector<std::uint8_t> &pixels) {
            return at::tensor(std::vector<std::int64_t>(pixels.begin(), pixels.end()))
                .view({40, 64});
        };
        metrics.add(asTensor(predicted.pixels), asTensor(truth.indexes));
    }
    QCOMPARE(metrics.meanForegroundDice(), reported);
}

void tst_PredictCli::augmentPreviewWritesAReproducibleGrid()
{
    auto preview = [&](const QString &file, const QString &seed) {
        return run({QStringLiteral("augment-preview"), m_voc, QStringLiteral("-o"), file,
                    QStringLiteral("--level"), QStringLiteral("high"), QStringLiteral("--count"),
                    QStringLiteral("3"), QStringLiteral("--seed"), seed});
    };
    const QString a = m_dir.filePath(QStringLiteral("a.png"));
    const QString b = m_dir.filePath(QStringLiteral("b.png"));
    const QString c = m_dir.filePath(QStringLiteral("c.png"));
    Result result = preview(a, QStringLiteral("4"));
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY(result.out.contains(QLatin1String("3 augmented pair")));
    QCOMPARE(preview(b, QStringLiteral("4")).exitCode, 0);
    QCOMPARE(preview(c, QStringLiteral("5")).exitCode, 0);
    const QImage grid(a);
    QVERIFY(!grid.isNull());
    // 3 pairs in one row: gap 4, each pair 2 x 64 wide plus two gaps.
    QCOMPARE(grid.width(), 4 + 3 * (2 * 64 + 8));
    QCOMPARE(grid.height(), 4 + 64 + 4);
    QCOMPARE(readAll(a), readAll(b));
    QVERIFY(readAll(a) != readAll(c));
}

void tst_PredictCli::badInputGivesTheDocumentedExitCodes()
{
    const QString missing = m_dir.filePath(QStringLiteral("missing.pt"));
    Result result = run({QStringLiteral("predict"), missing, m_demo, QStringLiteral("-o"),
                         m_dir.filePath(QStringLiteral("x.nii.gz"))});
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.err.contains(m_dir.filePath(QStringLiteral("missing.json"))),
             qPrintable(result.err));
    QCOMPARE(run({QStringLiteral("predict"), m_model, m_demo, QStringLiteral("-o"),
                  m_dir.filePath(QStringLiteral("x.png"))})
                 .exitCode,
             2);
    QCOMPARE(run({QStringLiteral("predict"), m_model, m_demo}).exitCode, 2);
    QCOMPARE(run({QStringLiteral("predict"), m_model, m_dir.filePath(QStringLiteral("nothing")),
                  QStringLiteral("-o"), m_dir.filePath(QStringLiteral("x.nii.gz"))})
                 .exitCode,
             3);
    QCOMPARE(run({QStringLiteral("augment-preview"), m_voc, QStringLiteral("-o"),
                  m_dir.filePath(QStringLiteral("g.png")), QStringLiteral("--level"),
                  QStringLiteral("extreme")})
                 .exitCode,
             2);
    QCOMPARE(run({QStringLiteral("augment-preview"), m_dir.filePath(QStringLiteral("nothing")),
                  QStringLiteral("-o"), m_dir.filePath(QStringLiteral("g.png"))})
                 .exitCode,
             3);
}

QTEST_GUILESS_MAIN(tst_PredictCli)
#include "tst_PredictCli.moc"
