// TorchScript export of every backbone, loaded back with torch::jit::load (no MedSeg code on the
// loading side) and compared with the LibTorch network at sizes that are not multiples of 8.

#include "ExportTestModels.h"
#include "core/export/TorchScriptExporter.h"

#include <torch/script.h>

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace medseg;
using testing::makeLogitsOrderOne;
using testing::tinyConfig;

class TestTorchScriptExporter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { at::set_num_threads(2); }

    void loadedModuleMatchesLibTorch_data()
    {
        QTest::addColumn<QString>("backbone");
        QTest::addColumn<int>("inChannels");
        for (const auto &b : models::availableBackbones())
            QTest::newRow(b.c_str()) << QString::fromStdString(b) << 3;
        QTest::newRow("resnet18 gray") << "resnet18" << 1;
    }

    void loadedModuleMatchesLibTorch()
    {
        QFETCH(QString, backbone);
        QFETCH(int, inChannels);
        torch::manual_seed(6);
        auto model = models::createModel(tinyConfig(backbone.toStdString(), inChannels));
        makeLogitsOrderOne(model);
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.torchscript.pt").toStdString();
        const std::string card = R"({"classes": ["background", "liver", "tumour"]})";
        core::saveTorchScriptModel(model, path, card);

        torch::jit::ExtraFilesMap extra{{core::kTorchScriptModelCard, ""}};
        torch::jit::Module loaded = torch::jit::load(path, at::kCPU, extra);
        QCOMPARE(extra.at(core::kTorchScriptModelCard), card);
        QCOMPARE(loaded.is_training(), false);
        torch::NoGradGuard no_grad;
        for (const auto &[n, h, w] :
             std::vector<std::array<int64_t, 3>>{{1, 33, 47}, {2, 64, 64}, {1, 97, 71}}) {
            const at::Tensor input = at::randn({n, inChannels, h, w});
            const at::Tensor reference = model->forward(input).logits;
            const at::Tensor got = loaded.forward({input}).toTensor();
            QCOMPARE(got.sizes().vec(), reference.sizes().vec());
            const double diff = (got - reference).abs().max().item<double>();
            qInfo("%s %lldx%lldx%lld: max |torchscript - libtorch| = %.3g (max |logit| %.3g)",
                  qPrintable(backbone), (long long)n, (long long)h, (long long)w, diff,
                  reference.abs().max().item<double>());
            QVERIFY(reference.abs().max().item<double>() > 0.1);
            QVERIFY(diff <= 1e-4);
        }
    }

    void sourceIsPlainTorchScript()
    {
        auto model = models::createModel(tinyConfig("convnext_tiny"));
        model->eval();
        const std::string source = core::torchScriptSource(model);
        QVERIFY(source.rfind("def forward(self, input: Tensor) -> Tensor:\n", 0) == 0);
        QVERIFY(source.find("torch.layer_norm(") != std::string::npos);
        QVERIFY(source.find("torch.upsample_bilinear2d(") != std::string::npos);
        QVERIFY(source.find("batch_norm") == std::string::npos); // folded into the convolutions
    }

    void refusesTrainingModeAndReportsUnwritableFiles()
    {
        auto model = models::createModel(tinyConfig("resnet18"));
        model->train();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 core::saveTorchScriptModel(model, "/tmp/unused.pt", "{}"));
        model->eval();
        try {
            core::saveTorchScriptModel(model, "/nonexistent-folder/model.pt", "{}");
            QFAIL("no error for an unwritable file");
        } catch (const std::runtime_error &error) {
            QVERIFY2(std::string(error.what()).find("/nonexistent-folder/model.pt") !=
                         std::string::npos,
                     error.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestTorchScriptExporter)
#include "tst_TorchScriptExporter.moc"
