#include "core/train/AutoConfig.h"
#include "core/train/TrainingConfig.h"

#include <ATen/ATen.h>

#include <QtTest>

using namespace medseg::core;

class TestTrainingConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultPlanIsTheDesigns();
    void jsonRoundTripKeepsEveryField();
    void recipeFollowsThePretrainedWeights();
    void inputSizeAndStrideFollowTheDataAndTheDevice();
    void badKeysAreNamed_data();
    void badKeysAreNamed();
};

void TestTrainingConfig::defaultPlanIsTheDesigns()
{
    const std::vector<StagePlan> stages = defaultStages();
    QCOMPARE(stages.size(), std::size_t(3));
    QCOMPARE(stages[0].learningRate, 1e-4);
    QCOMPARE(stages[0].dataFraction, 0.2);
    QVERIFY(stages[0].augmentation == AugmentationLevel::Low);
    QVERIFY(stages[0].trainable == TrainableParts::BackboneAndClassifier);
    QCOMPARE(stages[1].learningRate, 5e-5);
    QCOMPARE(stages[1].dataFraction, 0.6);
    QVERIFY(stages[1].augmentation == AugmentationLevel::Medium);
    QVERIFY(stages[1].trainable == TrainableParts::PyramidPoolingAndClassifier);
    QCOMPARE(stages[2].learningRate, 1e-5);
    QCOMPARE(stages[2].dataFraction, 1.0);
    QVERIFY(stages[2].augmentation == AugmentationLevel::High);
    QVERIFY(stages[2].trainable == TrainableParts::All);
}

void TestTrainingConfig::jsonRoundTripKeepsEveryField()
{
    TrainingConfig config;
    config.stages = defaultStages();
    config.recipe = Recipe::FineTune;
    config.model.backbone = "mobilenet_v3_large";
    config.model.in_channels = 1;
    config.model.num_classes = 5;
    config.model.output_stride = 16;
    config.model.bins = {1, 2, 4};
    config.model.aux = true;
    config.model.bottleneck_channels = 64;
    config.stages[1].epochs = 7;
    config.stages[1].batchSize = 3;
    config.stages[1].inputSize = 320;
    config.stages[1].schedule = "cosine";
    config.stages[1].warmupSteps = 12;
    config.stages[1].earlyStoppingPatience = 4;
    config.stages[2].weightDecay = 0.05;
    config.loss.alpha = 0.5;
    config.loss.focal.classWeights = {0.1, 2.0, 3.0, 1.0, 1.0};
    config.loss.dice.includeBackground = false;
    config.classWeightsFromData = false;
    config.seed = 1234567890123ull;
    config.deterministic = true;
    config.device = "cpu";
    config.amp = "fp16";
    config.channelsLast = false;
    config.threads = 3;
    config.checkpointMinutes = 2.5;
    config.checkpointEverySteps = 9;
    config.keepStageCheckpoints = true;
    config.pretrainedBackbone = "/w/resnet18.pth";
    config.dataset = "/data/voc";

    const std::string json = toJson(config);
    const TrainingConfig back = trainingConfigFromJson(json, "run.json");
    QCOMPARE(toJson(back), json);
    QCOMPARE(back.model.backbone, std::string("mobilenet_v3_large"));
    QCOMPARE(back.model.bins, (std::vector<int>{1, 2, 4}));
    QCOMPARE(back.stages[1].inputSize, 320);
    QCOMPARE(back.stages[1].schedule, std::string("cosine"));
    QCOMPARE(back.seed, 1234567890123ull);
    QCOMPARE(back.loss.focal.classWeights.size(), std::size_t(5));
    QCOMPARE(back.checkpointEverySteps, 9);
    QVERIFY(back.keepStageCheckpoints);
    // Keys left out keep their defaults.
    const TrainingConfig partial = trainingConfigFromJson(R"({"seed": 5})");
    QCOMPARE(partial.seed, std::uint64_t(5));
    QVERIFY(!partial.keepStageCheckpoints);
    QVERIFY(partial.recipe == Recipe::FromScratch);
    QCOMPARE(partial.stages.size(), std::size_t(1));
    // Stages from a file are its own plan, unless it names its recipe.
    QVERIFY(trainingConfigFromJson(R"({"stages": [{"epochs": 2}]})").recipe == Recipe::Custom);
    QVERIFY(trainingConfigFromJson(toJson(config)).recipe == Recipe::FineTune);
}

// Issue 22: the plan follows the weights. Without pretrained weights the fine-tune plan's
// small learning rates ended near Dice 0.06 from random weights.
void TestTrainingConfig::recipeFollowsThePretrainedWeights()
{
    TrainingConfig config;
    QVERIFY(config.recipe == Recipe::FromScratch);
    QCOMPARE(config.stages.size(), std::size_t(1));
    QVERIFY(config.stages[0].trainable == TrainableParts::All);
    QVERIFY(config.stages[0].learningRate >= 1e-3);
    QVERIFY(config.stages[0].warmupSteps > 0);
    QCOMPARE(recipeReason(config),
             std::string("from scratch because no pretrained weights were given"));

    config.pretrainedBackbone = "/weights/resnet18-f37072fd.pth";
    applyRecipe(config);
    QVERIFY(config.recipe == Recipe::FineTune);
    QCOMPARE(config.stages.size(), std::size_t(3));
    QCOMPARE(config.stages[0].learningRate, 1e-4);
    QCOMPARE(recipeReason(config), std::string("fine-tune because pretrained weights were given "
                                               "(resnet18-f37072fd.pth)"));
    // config.json and the model card carry the recipe, its reason and the numbers, no path.
    const std::string card = trainingPlanJson(config);
    QVERIFY(card.find("\"fine_tune\"") != std::string::npos);
    QVERIFY(card.find("resnet18-f37072fd.pth") != std::string::npos);
    QVERIFY(card.find("/weights/") == std::string::npos);
    QVERIFY(toJson(config).find("\"recipe_reason\"") != std::string::npos);
}

void TestTrainingConfig::badKeysAreNamed_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown key") << R"({"sead": 1})"
                                 << "sead";
    QTest::newRow("wrong type") << R"({"model": {"num_classes": "three"}})"
                                << "model.num_classes";
    QTest::newRow("unknown stage key") << R"({"stages": [{"lr": 1}]})"
                                       << "stages[0].lr";
    QTest::newRow("bad augmentation") << R"({"stages": [{"augmentation": "extreme"}]})"
                                      << "stages[0].augmentation";
    QTest::newRow("bad value") << R"({"stages": [{"learning_rate": -1}]})"
                               << "learning_rate";
    QTest::newRow("not json") << "{nope"
                              << "not valid JSON";
    // Issue 24: 2^63 epochs wrapped to 0 (a run that trained nothing and exited 0), a million
    // threads were started, and out-of-range numbers were called negative.
    QTest::newRow("epochs 2^63") << R"({"stages": [{"epochs": 9223372036854775808}]})"
                                 << "'stages[0].epochs' is out of range";
    QTest::newRow("negative seed") << R"({"seed": -1})"
                                   << "'seed' is out of range";
    QTest::newRow("fractional batch") << R"({"stages": [{"batch_size": 2.5}]})"
                                      << "must be a whole number";
    QTest::newRow("a million threads") << R"({"threads": 1000000})"
                                       << "threads must be 0 (all cores) to 1024";
    QTest::newRow("huge input") << R"({"stages": [{"input_size": 100000}]})"
                                << "input_size must be 8 to 8192";
}

void TestTrainingConfig::badKeysAreNamed()
{
    QFETCH(QString, json);
    QFETCH(QString, expected);
    try {
        trainingConfigFromJson(json.toStdString(), "run.json");
        QFAIL("a bad config was accepted");
    } catch (const std::runtime_error &error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("run.json")), qPrintable(message));
    }
}

// Issue 22, point 3 (first part): the input size is the median slice's longer side rounded up
// to a multiple of 32 (capped: 256 on a CPU, 512 on a GPU); the output stride 8 on a GPU, and
// on a CPU 16 where that leaves a feature map 16 cells across, else 8.
void TestTrainingConfig::inputSizeAndStrideFollowTheDataAndTheDevice()
{
    const auto slices = [](std::vector<std::pair<int, int>> sizes) {
        TrainingData data;
        for (const auto &[height, width] : sizes)
            data.train.push_back({at::zeros({1, height, width}, at::kByte),
                                  at::zeros({height, width}, at::kByte), "slice"});
        return data;
    };
    AutoConfiguration choice =
        chooseAutoConfiguration(slices({{40, 64}, {40, 64}, {128, 128}}), false);
    QCOMPARE(choice.inputSize, 64);
    QCOMPARE(choice.medianWidth, 64);
    QCOMPARE(choice.medianHeight, 40);
    QCOMPARE(choice.outputStride, 8); // 64 / 16 = 4 cells
    QVERIFY(describe(choice).find("stride 16 would leave 4") != std::string::npos);
    choice = chooseAutoConfiguration(slices({{100, 130}}), false);
    QCOMPARE(choice.inputSize, 160);
    choice = chooseAutoConfiguration(slices({{512, 512}, {512, 400}}), false);
    QCOMPARE(choice.inputSize, 256);
    QCOMPARE(choice.outputStride, 16);
    QVERIFY(describe(choice).find("at most 256 on a CPU") != std::string::npos);
    choice = chooseAutoConfiguration(slices({{512, 512}, {512, 400}}), true);
    QCOMPARE(choice.inputSize, 512);
    QCOMPARE(choice.outputStride, 8);
    QCOMPARE(chooseAutoConfiguration(slices({{20, 30}}), false).inputSize, 64);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, chooseAutoConfiguration(TrainingData(), false));

    TrainingConfig config;
    config.recipe = Recipe::FineTune;
    config.stages = defaultStages();
    apply(chooseAutoConfiguration(slices({{128, 128}}), false), config);
    for (const StagePlan &stage : config.stages)
        QCOMPARE(stage.inputSize, 128);
    QCOMPARE(config.model.output_stride, 8);
}

QTEST_APPLESS_MAIN(TestTrainingConfig)
#include "tst_TrainingConfig.moc"
