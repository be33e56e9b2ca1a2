#include "core/train/Checkpoint.h"

#include <ATen/ATen.h>

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <sys/resource.h>

using namespace medseg::core;

class TestCheckpoint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripKeepsEveryField();
    void corruptFilesGiveAClearError_data();
    void corruptFilesGiveAClearError();
    void missingFileNamesThePath();
    void hostileTensorHeadersAreRefusedBeforeAllocating_data();
    void hostileTensorHeadersAreRefusedBeforeAllocating();
};

namespace {

CheckpointState sampleState()
{
    CheckpointState state;
    at::manual_seed(1);
    state.model["backbone.conv1.weight"] = at::randn({4, 1, 3, 3});
    state.model["backbone.bn1.num_batches_tracked"] = at::scalar_tensor(7, at::kLong);
    state.optimizer["classifier.weight.exp_avg"] = at::randn({3, 4});
    state.rng["cpu"] = at::randint(0, 255, {16}, at::kByte);
    state.augmenterState = std::string("\x00\x01\xff generator", 13);
    state.stage = 1;
    state.epoch = 2;
    state.stepInEpoch = 3;
    state.globalStep = 42;
    state.bestScore = 0.75;
    state.stageBestScore = 0.5;
    state.epochsWithoutImprovement = 1;
    state.epochLossSum = 1.25;
    state.epochLossCount = 3;
    state.lossScale = 1024;
    state.lossScaleFiniteSteps = 17;
    state.metricsBytes = 999;
    state.elapsedSeconds = 12.5;
    return state;
}

std::string readAll(const QString &path)
{
    std::ifstream in(path.toStdString(), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeAll(const QString &path, const std::string &bytes)
{
    std::ofstream(path.toStdString(), std::ios::binary | std::ios::trunc) << bytes;
}

} // namespace

void TestCheckpoint::roundTripKeepsEveryField()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("c/last.ckpt").toStdString();
    const CheckpointState state = sampleState();
    saveCheckpoint(path, state);
    // Saved through core/common/AtomicFile: nothing but the checkpoint is left in its folder.
    QCOMPARE(QDir(dir.filePath("c")).entryList(QDir::Files | QDir::Hidden),
             QStringList{QStringLiteral("last.ckpt")});
    const CheckpointState loaded = loadCheckpoint(path);
    QCOMPARE(loaded.model.size(), std::size_t(2));
    for (const auto &[name, tensor] : state.model)
        QVERIFY(at::equal(tensor, loaded.model.at(name)));
    QCOMPARE(loaded.model.at("backbone.bn1.num_batches_tracked").scalar_type(), at::kLong);
    QVERIFY(at::equal(state.optimizer.at("classifier.weight.exp_avg"),
                      loaded.optimizer.at("classifier.weight.exp_avg")));
    QVERIFY(at::equal(state.rng.at("cpu"), loaded.rng.at("cpu")));
    QVERIFY(loaded.augmenterState == state.augmenterState);
    QCOMPARE(loaded.stage, 1);
    QCOMPARE(loaded.epoch, 2);
    QCOMPARE(loaded.stepInEpoch, std::int64_t(3));
    QCOMPARE(loaded.globalStep, std::int64_t(42));
    QCOMPARE(loaded.bestScore, 0.75);
    QCOMPARE(loaded.stageBestScore, 0.5);
    QCOMPARE(loaded.epochsWithoutImprovement, 1);
    QCOMPARE(loaded.epochLossSum, 1.25);
    QCOMPARE(loaded.epochLossCount, std::int64_t(3));
    QCOMPARE(loaded.lossScale, 1024.0);
    QCOMPARE(loaded.lossScaleFiniteSteps, std::int64_t(17));
    QCOMPARE(loaded.metricsBytes, std::int64_t(999));
    QCOMPARE(loaded.elapsedSeconds, 12.5);
}

void TestCheckpoint::corruptFilesGiveAClearError_data()
{
    QTest::addColumn<int>("damage");
    QTest::newRow("truncated") << 0;
    QTest::newRow("flipped byte") << 1;
    QTest::newRow("not a checkpoint") << 2;
    QTest::newRow("empty") << 3;
}

void TestCheckpoint::corruptFilesGiveAClearError()
{
    QFETCH(int, damage);
    QTemporaryDir dir;
    const QString path = dir.filePath("last.ckpt");
    saveCheckpoint(path.toStdString(), sampleState());
    std::string bytes = readAll(path);
    if (damage == 0)
        bytes.resize(bytes.size() / 2);
    else if (damage == 1)
        bytes[bytes.size() - 10] ^= 0x5a;
    else if (damage == 2)
        bytes = "PK\x03\x04 this is some zip file";
    else
        bytes.clear();
    writeAll(path, bytes);
    try {
        loadCheckpoint(path.toStdString());
        QFAIL("a damaged checkpoint was read");
    } catch (const std::runtime_error &error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(path), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("corrupt")), qPrintable(message));
    }
}

void TestCheckpoint::missingFileNamesThePath()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("none.ckpt");
    try {
        loadCheckpoint(path.toStdString());
        QFAIL("a missing checkpoint was read");
    } catch (const std::runtime_error &error) {
        QVERIFY(QString::fromUtf8(error.what()).contains(path));
    }
}

// Issue 24: a checkpoint is a file like any other; one whose checksum is right but whose tensor
// list claims terabytes (or an unknown type) is refused before anything is allocated.
void TestCheckpoint::hostileTensorHeadersAreRefusedBeforeAllocating_data()
{
    QTest::addColumn<QString>("tensor");
    QTest::addColumn<QString>("reason");
    QTest::newRow("terabytes") << R"({"name":"w","dtype":6,"sizes":[1048576,1048576],)"
                                  R"("offset":0,"bytes":4398046511104})"
                               << "tensor 'w' claims more bytes than the file";
    QTest::newRow("negative size")
        << R"({"name":"w","dtype":6,"sizes":[-1,4],"offset":0,"bytes":16})"
        << "tensor 'w' claims more bytes than the file";
    QTest::newRow("unknown type") << R"({"name":"w","dtype":99,"sizes":[4],"offset":0,"bytes":16})"
                                  << "tensor 'w' has an unknown type";
    QTest::newRow("past the data") << R"({"name":"w","dtype":6,"sizes":[4],"offset":8,"bytes":16})"
                                   << "tensor 'w' does not fit its record";
}

void TestCheckpoint::hostileTensorHeadersAreRefusedBeforeAllocating()
{
    QFETCH(QString, tensor);
    QFETCH(QString, reason);
    const std::string header =
        R"({"augmenter_state":"","stage":0,"epoch":0,"step_in_epoch":0,"global_step":0,)"
        R"("best_score":-1,"stage_best_score":-1,"epochs_without_improvement":0,)"
        R"("epoch_loss_sum":0,"epoch_loss_count":0,"loss_scale":1,"metrics_bytes":0,)"
        R"("optimizer":[],"rng":[],"model":[)" +
        tensor.toStdString() + "]}";
    const auto append = [](std::string &out, auto value) {
        out.append(reinterpret_cast<const char *>(&value), sizeof value);
    };
    std::string payload;
    append(payload, std::uint64_t(header.size()));
    payload += header + std::string(16, '\0');   // the data: four floats
    std::uint64_t hash = 1469598103934665603ull; // FNV-1a, as the format has it
    for (unsigned char c : payload) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    std::string file = "MEDSEGCK";
    append(file, std::uint32_t(1));
    append(file, std::uint64_t(payload.size()));
    append(file, hash);
    file += payload;
    QTemporaryDir dir;
    const QString path = dir.filePath("hostile.ckpt");
    writeAll(path, file);
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    try {
        loadCheckpoint(path.toStdString());
        QFAIL("a hostile checkpoint was read");
    } catch (const std::runtime_error &error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(path) && message.contains(reason), qPrintable(message));
    }
    getrusage(RUSAGE_SELF, &after);
    QVERIFY(after.ru_maxrss - before.ru_maxrss < 64 * 1024); // kB
}

QTEST_APPLESS_MAIN(TestCheckpoint)
#include "tst_Checkpoint.moc"
