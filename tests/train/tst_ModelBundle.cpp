// Model bundles (NAME.pt + NAME.json): a round trip gives the same logits and the same card;
// missing, corrupt and mismatching files are refused with errors naming the file and tensor.

#include "TinyModel.h"

#include "core/train/ModelBundle.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace medseg;
using namespace medseg::core;

namespace {

QString errorOf(const std::function<void()> &call)
{
    try {
        call();
    } catch (const std::exception &error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

void replaceInFile(const QString &path, const QByteArray &from, const QByteArray &to)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray data = file.readAll();
    file.close();
    QVERIFY(data.contains(from));
    data.replace(from, to);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(data);
}

} // namespace

class tst_ModelBundle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void roundTripGivesIdenticalLogits();
    void roundTripKeepsTheCard();
    void saveLeavesNoTemporaryFiles();
    void missingFilesAreNamed();
    void corruptWeightsAreNamed();
    void corruptDescriptionIsNamed();
    void mismatchingConfigNamesTheTensor();

private:
    QTemporaryDir m_dir;
    QString m_pt;
    models::ModelConfig m_config = test::tinyModelConfig();
};

void tst_ModelBundle::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_pt = m_dir.filePath(QStringLiteral("best.pt"));
    models::PSPNet model = test::tinyModel(m_config);
    saveModelBundle(m_pt.toStdString(), model, test::tinyBundle(m_config));
    QVERIFY(QFile::exists(m_pt));
    QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("best.json"))));
}

void tst_ModelBundle::roundTripGivesIdenticalLogits()
{
    models::PSPNet original = test::tinyModel(m_config);
    models::PSPNet loaded{nullptr};
    loadModelBundle(m_pt.toStdString(), &loaded);
    QVERIFY(loaded);
    QVERIFY(!loaded->is_training());
    at::manual_seed(5);
    const at::Tensor input = at::randn({2, 3, 48, 64});
    torch::NoGradGuard noGrad;
    const at::Tensor a = original->forward(input).logits;
    const at::Tensor b = loaded->forward(input).logits;
    QCOMPARE(b.sizes().vec(), (std::vector<std::int64_t>{2, 3, 48, 64}));
    QVERIFY(at::equal(a, b));
    // Another seed gives other logits: the comparison is not vacuous.
    const at::Tensor c = test::tinyModel(m_config, 2)->forward(input).logits;
    QVERIFY(!at::equal(a, c));
}

void tst_ModelBundle::roundTripKeepsTheCard()
{
    ModelBundle expected = test::tinyBundle(m_config);
    const ModelBundle bundle = loadModelBundle(m_pt.toStdString(), nullptr);
    QCOMPARE(bundle.config.backbone, expected.config.backbone);
    QCOMPARE(bundle.config.bins, expected.config.bins);
    QCOMPARE(bundle.config.bottleneck_channels, 32);
    QCOMPARE(bundle.classes.size(), std::size_t(3));
    QCOMPARE(bundle.classes[2].name, std::string("organ 2"));
    QCOMPARE(bundle.classes[2].colour, expected.classes[2].colour);
    QCOMPARE(bundle.preprocessing.intensity.size(), std::size_t(1));
    QVERIFY(bundle.preprocessing.intensity[0].scheme == IntensityScheme::Window);
    QCOMPARE(bundle.preprocessing.intensity[0].windowCenter, 40.0);
    QCOMPARE(bundle.preprocessing.intensity[0].windowWidth, 400.0);
    QCOMPARE(bundle.preprocessing.mean, expected.preprocessing.mean);
    QCOMPARE(bundle.version, std::string("3"));
    QCOMPARE(bundle.datasetSummary, expected.datasetSummary);
    QCOMPARE(bundle.createdAt, expected.createdAt);
    // The description alone, and its text form.
    QCOMPARE(readModelBundleInfo(m_pt.toStdString()).classes.size(), std::size_t(3));
    expected.preprocessing.inputSize = 64;
    QCOMPARE(modelBundleFromJson(toJson(expected)).preprocessing.inputSize, 64);
    QVERIFY(modelBundleFromJson(toJson(expected)).preprocessing.resize == InputResize::KeepAspect);
    expected.preprocessing.resize = InputResize::Stretch;
    QVERIFY(modelBundleFromJson(toJson(expected)).preprocessing.resize == InputResize::Stretch);
    // The validation the weights were chosen on travels with them; an absent class stays NaN.
    QVERIFY(!bundle.validation.isValid());
    QVERIFY(!modelBundleFromJson(toJson(expected)).validation.isValid());
    expected.validation = {{0.99, std::nan(""), 0.25}, 0.25, 2, 4, 1234};
    const ValidationScores back = modelBundleFromJson(toJson(expected)).validation;
    QVERIFY(back.isValid());
    QCOMPARE(back.dice.size(), std::size_t(3));
    QCOMPARE(back.dice[0], 0.99);
    QVERIFY(std::isnan(back.dice[1]));
    QCOMPARE(back.meanForegroundDice, 0.25);
    QCOMPARE(back.stage, 2);
    QCOMPARE(back.epoch, 4);
    QCOMPARE(back.step, std::int64_t(1234));
    QCOMPARE(modelBundleJsonPath("/a/b.pt"), std::string("/a/b.json"));
    QCOMPARE(modelBundleJsonPath("/a/model"), std::string("/a/model.json"));
}

void tst_ModelBundle::saveLeavesNoTemporaryFiles()
{
    QTemporaryDir dir;
    models::PSPNet model = test::tinyModel(m_config);
    const std::string pt = dir.filePath(QStringLiteral("m.pt")).toStdString();
    saveModelBundle(pt, model, test::tinyBundle(m_config));
    saveModelBundle(pt, model, test::tinyBundle(m_config)); // over the old one
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files),
             (QStringList{QStringLiteral("m.json"), QStringLiteral("m.pt")}));
    // A folder that does not exist is an error naming the file.
    const std::string nowhere = dir.filePath(QStringLiteral("no/such/m.pt")).toStdString();
    QVERIFY(errorOf([&] {
                saveModelBundle(nowhere, model, test::tinyBundle(m_config));
            }).contains(QString::fromStdString(nowhere)));
}

void tst_ModelBundle::missingFilesAreNamed()
{
    QTemporaryDir dir;
    const QString pt = dir.filePath(QStringLiteral("gone.pt"));
    QString error = errorOf([&] { loadModelBundle(pt.toStdString(), nullptr); });
    QVERIFY2(error.contains(dir.filePath(QStringLiteral("gone.json"))), qPrintable(error));
    // The json without the weights.
    QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("best.json")),
                        dir.filePath(QStringLiteral("gone.json"))));
    error = errorOf([&] { loadModelBundle(pt.toStdString(), nullptr); });
    QVERIFY2(error.contains(pt), qPrintable(error));
}

void tst_ModelBundle::corruptWeightsAreNamed()
{
    QTemporaryDir dir;
    const QString pt = dir.filePath(QStringLiteral("bad.pt"));
    QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("best.json")),
                        dir.filePath(QStringLiteral("bad.json"))));
    QFile file(pt);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("PK\x03\x04 this is not a state dict");
    file.close();
    models::PSPNet model{nullptr};
    const QString error = errorOf([&] { loadModelBundle(pt.toStdString(), &model); });
    QVERIFY2(error.contains(pt), qPrintable(error));
    QVERIFY(!model); // untouched on failure
}

void tst_ModelBundle::corruptDescriptionIsNamed()
{
    QTemporaryDir dir;
    const QString json = dir.filePath(QStringLiteral("m.json"));
    QVERIFY(QFile::copy(m_pt, dir.filePath(QStringLiteral("m.pt"))));
    QFile file(json);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"format\": \"medseg-model\", \"model\": ");
    file.close();
    const QString error = errorOf(
        [&] { loadModelBundle(dir.filePath(QStringLiteral("m.pt")).toStdString(), nullptr); });
    QVERIFY2(error.contains(json) && error.contains(QLatin1String("corrupt")), qPrintable(error));
}

void tst_ModelBundle::mismatchingConfigNamesTheTensor()
{
    QTemporaryDir dir;
    const QString pt = dir.filePath(QStringLiteral("m.pt"));
    const QString json = dir.filePath(QStringLiteral("m.json"));
    QVERIFY(QFile::copy(m_pt, pt));
    QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("best.json")), json));
    QFile::setPermissions(json, QFile::ReadOwner | QFile::WriteOwner);
    replaceInFile(json, "\"bottleneck_channels\": 32", "\"bottleneck_channels\": 16");
    const QString error = errorOf([&] { loadModelBundle(pt.toStdString(), nullptr); });
    QVERIFY2(error.contains(pt) && error.contains(QLatin1String("bottleneck.0.weight")) &&
                 error.contains(QLatin1String("[32,")) && error.contains(QLatin1String("[16,")),
             qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_ModelBundle)
#include "tst_ModelBundle.moc"
