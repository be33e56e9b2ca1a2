// Importing torch.save'd state dicts: torchvision's models saved by Python load with every key
// accounted for and give torchvision's outputs; mismatches are reported exactly; files that are
// not state dicts are rejected with a reason. The Python side is written by the ctest fixture
// `models_torchvision_reference` (tests/models/torchvision_reference.py).

#include "models/Registry.h"
#include "models/WeightImport.h"

#include <caffe2/serialize/inline_container.h>
#include <zlib.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

#include <cstdint>
#include <limits>

using namespace medseg::models;

namespace {

QString referenceDir()
{
    const QString fromEnvironment = qEnvironmentVariable("MEDSEG_TORCHVISION_REFERENCE_DIR");
    return fromEnvironment.isEmpty() ? QStringLiteral(MEDSEG_TORCHVISION_REFERENCE_DIR)
                                     : fromEnvironment;
}

std::string referenceFile(const QString &name)
{
    return QDir(referenceDir()).filePath(name).toStdString();
}

std::vector<std::string> keysOf(const StateDict &state)
{
    std::vector<std::string> keys;
    for (const auto &entry : state)
        keys.push_back(entry.first);
    return keys;
}

StateDict stateOf(const torch::nn::Module &module)
{
    StateDict state;
    for (const auto &p : module.named_parameters())
        state[p.key()] = p.value().detach().clone();
    for (const auto &b : module.named_buffers())
        state[b.key()] = b.value().detach().clone();
    return state;
}

double maxAbsDiff(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

// Pickle opcodes, for hand-made (hostile) files.
QByteArray littleEndian(std::uint64_t value, int bytes)
{
    QByteArray out;
    for (int i = 0; i < bytes; ++i)
        out += char((value >> (8 * i)) & 0xff);
    return out;
}
QByteArray text(const QByteArray &value) // BINUNICODE
{
    return 'X' + littleEndian(std::uint64_t(value.size()), 4) + value;
}
QByteArray global(const QByteArray &module, const QByteArray &name) // GLOBAL
{
    return 'c' + module + '\n' + name + '\n';
}
QByteArray integer(std::int64_t value) // LONG1, eight bytes
{
    return QByteArray("\x8a\x08", 2) + littleEndian(std::uint64_t(value), 8);
}

// A state dict {"w": a float tensor of `size` elements viewing storage "0" of `numel`}.
QByteArray stateDictPickle(std::int64_t numel, std::int64_t size)
{
    return QByteArray("\x80\x02}", 3) + text("w") + global("torch._utils", "_rebuild_tensor_v2") +
           "((" + text("storage") + global("torch", "FloatStorage") + text("0") + text("cpu") +
           integer(numel) + "tQ" + integer(0) + '(' + integer(size) + "t(" + integer(1) + "t\x89" +
           global("collections", "OrderedDict") + ")Rt" + "Rs.";
}

// A weight file as torch.save writes it: data.pkl and the storages' records, stored.
void writeArchive(const std::string &path, const QByteArray &pickle,
                  const std::vector<std::pair<std::string, QByteArray>> &records = {})
{
    caffe2::serialize::PyTorchStreamWriter writer(path);
    writer.writeRecord("data.pkl", pickle.constData(), std::size_t(pickle.size()));
    for (const auto &[name, bytes] : records)
        writer.writeRecord(name, bytes.constData(), std::size_t(bytes.size()));
    writer.writeEndOfFile();
}

// A zip of two members: data.pkl stored, and data/0 deflated from `zeros` zero bytes (a "zip
// bomb": about a thousandth of that in the file).
void writeZipBomb(const std::string &path, const QByteArray &pickle, std::uint64_t zeros)
{
    QByteArray deflated;
    {
        z_stream stream{};
        deflateInit2(&stream, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY); // raw deflate
        const QByteArray chunk(1 << 20, '\0');
        QByteArray out(1 << 20, '\0');
        for (std::uint64_t done = 0; done < zeros;) {
            const std::uint64_t take =
                std::min<std::uint64_t>(std::uint64_t(chunk.size()), zeros - done);
            done += take;
            stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(chunk.constData()));
            stream.avail_in = uInt(take);
            do {
                stream.next_out = reinterpret_cast<Bytef *>(out.data());
                stream.avail_out = uInt(out.size());
                deflate(&stream, done == zeros ? Z_FINISH : Z_NO_FLUSH);
                deflated += out.left(out.size() - int(stream.avail_out));
            } while (stream.avail_out == 0);
        }
        deflateEnd(&stream);
    }
    struct Member
    {
        QByteArray name, data;
        std::uint16_t method;
        std::uint64_t size;
        std::uint32_t crc;
        std::uint64_t offset = 0;
    };
    std::uint32_t zerosCrc = crc32(0, nullptr, 0);
    {
        const QByteArray chunk(1 << 20, '\0');
        for (std::uint64_t done = 0; done < zeros; done += std::uint64_t(chunk.size()))
            zerosCrc =
                crc32(zerosCrc, reinterpret_cast<const Bytef *>(chunk.constData()),
                      uInt(std::min<std::uint64_t>(std::uint64_t(chunk.size()), zeros - done)));
    }
    std::vector<Member> members{
        {"archive/data.pkl", pickle, 0, std::uint64_t(pickle.size()),
         std::uint32_t(
             crc32(0, reinterpret_cast<const Bytef *>(pickle.constData()), uInt(pickle.size())))},
        {"archive/data/0", deflated, 8, zeros, zerosCrc}};
    QByteArray zip;
    for (Member &m : members) {
        m.offset = std::uint64_t(zip.size());
        zip += littleEndian(0x04034b50, 4) + littleEndian(20, 2) + littleEndian(0, 2) +
               littleEndian(m.method, 2) + littleEndian(0, 4) + littleEndian(m.crc, 4) +
               littleEndian(std::uint64_t(m.data.size()), 4) + littleEndian(m.size, 4) +
               littleEndian(std::uint64_t(m.name.size()), 2) + littleEndian(0, 2) + m.name + m.data;
    }
    const std::uint64_t directory = std::uint64_t(zip.size());
    for (const Member &m : members)
        zip += littleEndian(0x02014b50, 4) + littleEndian(20, 2) + littleEndian(20, 2) +
               littleEndian(0, 2) + littleEndian(m.method, 2) + littleEndian(0, 4) +
               littleEndian(m.crc, 4) + littleEndian(std::uint64_t(m.data.size()), 4) +
               littleEndian(m.size, 4) + littleEndian(std::uint64_t(m.name.size()), 2) +
               littleEndian(0, 2) + littleEndian(0, 2) + littleEndian(0, 2) + littleEndian(0, 2) +
               littleEndian(0, 4) + littleEndian(m.offset, 4) + m.name;
    const std::uint64_t directorySize = std::uint64_t(zip.size()) - directory;
    zip += littleEndian(0x06054b50, 4) + littleEndian(0, 4) + littleEndian(2, 2) +
           littleEndian(2, 2) + littleEndian(directorySize, 4) + littleEndian(directory, 4) +
           littleEndian(0, 2);
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::WriteOnly) || file.write(zip) != zip.size())
        qFatal("cannot write %s", path.c_str());
}

long peakResidentKilobytes()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

} // namespace

class TestWeightImport : public QObject
{
    Q_OBJECT

private:
    void requireReference()
    {
        if (!QFile::exists(QDir(referenceDir()).filePath("versions.txt")))
            QSKIP("no torchvision reference data; run through ctest (fixture "
                  "models_torchvision_reference) or set MEDSEG_TORCHVISION_REFERENCE_DIR");
    }

private Q_SLOTS:
    void initTestCase() { at::set_num_threads(2); }

    // Issue 24, safe weight files: what torch.load(weights_only=True) refuses is refused here
    // too, by name, before anything runs, is written or is allocated beyond the file's size.
    // First, while the process's peak memory is still low enough to show an allocation.
    void refusesHostileWeightFiles_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("reason");
        QTest::newRow("REDUCE of os.system") << "os.system"
                                             << "refused: the file asks Python for 'os.system'";
        QTest::newRow("builtins.eval") << "eval"
                                       << "refused: the file asks Python for 'builtins.eval'";
        QTest::newRow("STACK_GLOBAL exec") << "exec"
                                           << "refused: the file asks Python for 'builtins.exec'";
        QTest::newRow("a class of someone's code")
            << "class"
            << "refused: the file asks Python for 'train.Config'";
        QTest::newRow("storage larger than its bytes")
            << "huge storage"
            << "claims 1099511627776 elements, more than the 16 bytes";
        QTest::newRow("view past its storage")
            << "long view"
            << "reaches past the end of its storage (4 elements)";
        QTest::newRow("storage not in the file") << "missing storage"
                                                 << "storage '0' that the file does not hold";
        QTest::newRow("member named ../x") << "dot-dot"
                                           << "/../x', a path that could point outside";
        QTest::newRow("deflated gigabyte of zeros") << "zip bomb"
                                                    << "is compressed";
        QTest::newRow("NaN weights") << "nan"
                                     << "tensor 'layer.weight' holds NaN or infinite";
    }
    void refusesHostileWeightFiles()
    {
        QFETCH(QString, kind);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("hostile.pth")).toStdString();
        const QByteArray marker = dir.filePath(QStringLiteral("pwned")).toUtf8();
        const QByteArray sixteenBytes(16, '\0');
        const long peakBefore = peakResidentKilobytes();
        if (kind == QLatin1String("os.system")) {
            writeArchive(path,
                         "\x80\x02" + global("os", "system") + text("touch " + marker) + "\x85R.");
        } else if (kind == QLatin1String("eval")) {
            writeArchive(path, "\x80\x02" + global("builtins", "eval") +
                                   text("open('" + marker + "', 'w')") + "\x85R.");
        } else if (kind == QLatin1String("exec")) {
            writeArchive(path, QByteArray("\x80\x04") + '\x8c' + char(8) + "builtins" + '\x8c' +
                                   char(4) + "exec" + '\x93' + text("open('" + marker + "', 'w')") +
                                   "\x85R.");
        } else if (kind == QLatin1String("class")) {
            writeArchive(path,
                         "\x80\x02}" + text("config") + global("train", "Config") + ")\x81s.");
        } else if (kind == QLatin1String("huge storage")) {
            writeArchive(path, stateDictPickle(std::int64_t(1) << 40, 4),
                         {{"data/0", sixteenBytes}});
        } else if (kind == QLatin1String("long view")) {
            writeArchive(path, stateDictPickle(4, 1000), {{"data/0", sixteenBytes}});
        } else if (kind == QLatin1String("missing storage")) {
            writeArchive(path, stateDictPickle(4, 4));
        } else if (kind == QLatin1String("dot-dot")) {
            writeArchive(path, stateDictPickle(4, 4),
                         {{"data/0", sixteenBytes}, {"../x", "hello"}});
        } else if (kind == QLatin1String("zip bomb")) {
            writeZipBomb(path, stateDictPickle(4, 4), std::uint64_t(1) << 30);
            QVERIFY(QFileInfo(QString::fromStdString(path)).size() < 4 * 1024 * 1024);
        } else {
            StateDict state;
            state["layer.weight"] = torch::ones({2, 2});
            state["layer.weight"][1][0] = std::numeric_limits<float>::quiet_NaN();
            writeStateDict(state, path);
        }
        try {
            readStateDict(path);
            QFAIL("a hostile weight file was read");
        } catch (const std::runtime_error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(reason), e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains(QString::fromStdString(path)), e.what());
        }
        QVERIFY(!QFile::exists(QString::fromUtf8(marker))); // nothing ran
        QCOMPARE(QDir(dir.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries),
                 QStringList{QStringLiteral("hostile.pth")}); // nothing was written
        // Memory stays near the file's size (the zip bomb's gigabyte is never inflated).
        QVERIFY2(
            peakResidentKilobytes() - peakBefore < 64 * 1024,
            qPrintable(
                QStringLiteral("peak grew by %1 kB").arg(peakResidentKilobytes() - peakBefore)));
    }

    // The same reader is safe for what passes: a valid file made by hand reads as written.
    void readsAHandMadeStateDict()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("hand.pth")).toStdString();
        QByteArray floats;
        for (float value : {1.0f, 2.0f, 3.0f, 4.0f})
            floats += QByteArray(reinterpret_cast<const char *>(&value), sizeof value);
        writeArchive(path, stateDictPickle(4, 4), {{"data/0", floats}});
        const StateDict state = readStateDict(path);
        QVERIFY(torch::equal(state.at("w"), torch::tensor({1.0f, 2.0f, 3.0f, 4.0f})));
    }

    void importAccountsForEveryTorchvisionTensor_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("classifierKeys");
        QTest::newRow("resnet18") << "resnet18" << QStringList{"fc.bias", "fc.weight"};
        QTest::newRow("mobilenet_v3_large")
            << "mobilenet_v3_large"
            << QStringList{"classifier.0.bias", "classifier.0.weight", "classifier.3.bias",
                           "classifier.3.weight"};
        QTest::newRow("efficientnet_b0")
            << "efficientnet_b0" << QStringList{"classifier.1.bias", "classifier.1.weight"};
        QTest::newRow("convnext_tiny") << "convnext_tiny"
                                       << QStringList{"classifier.0.bias", "classifier.0.weight",
                                                      "classifier.2.bias", "classifier.2.weight"};
    }
    void importAccountsForEveryTorchvisionTensor()
    {
        requireReference();
        QFETCH(QString, name);
        QFETCH(QStringList, classifierKeys);
        const std::string path = referenceFile(name + ".pth");
        const auto fileKeys = keysOf(readStateDict(path));

        BackboneOptions options;
        options.classifier = true;
        const auto whole = createBackbone(name.toStdString(), options);
        const auto report = importBackboneWeights(*whole, path);
        QVERIFY2(report.ok(), report.summary().c_str());
        QCOMPARE(report.loaded, fileKeys);
        QVERIFY(report.missing.empty() && report.unexpected.empty() && report.mismatched.empty());
        QVERIFY(report.skipped.empty() && report.adapted.empty());
        QCOMPARE(report.source, path);

        const auto backbone = createBackbone(name.toStdString());
        const auto backboneReport = importBackboneWeights(*backbone, path);
        QVERIFY2(backboneReport.ok(), backboneReport.summary().c_str());
        std::vector<std::string> expectedSkipped;
        for (const auto &key : classifierKeys)
            expectedSkipped.push_back(key.toStdString());
        QCOMPARE(backboneReport.skipped, expectedSkipped);
        QCOMPARE(backboneReport.loaded.size() + expectedSkipped.size(), fileKeys.size());
    }

    void featuresAndLogitsMatchTorchvision_data()
    {
        QTest::addColumn<QString>("name");
        for (const auto &name : availableBackbones())
            QTest::newRow(name.c_str()) << QString::fromStdString(name);
    }
    void featuresAndLogitsMatchTorchvision()
    {
        requireReference();
        QFETCH(QString, name);
        const auto outputs = readStateDict(referenceFile(name + "_outputs.pth"));
        BackboneOptions options;
        options.classifier = true;
        const auto backbone = createBackbone(name.toStdString(), options);
        QVERIFY(importBackboneWeights(*backbone, referenceFile(name + ".pth")).ok());
        backbone->eval();
        torch::NoGradGuard no_grad;
        const auto &input = outputs.at("input");
        const auto features = backbone->forward(input);
        QCOMPARE(features.sizes(), outputs.at("features").sizes());
        const double featureDiff = maxAbsDiff(features, outputs.at("features"));
        const double logitDiff =
            maxAbsDiff(backbone->forwardClassifier(input), outputs.at("logits"));
        qInfo("%s: max |diff| features %.3g (max |value| %.3g), logits %.3g", qPrintable(name),
              featureDiff, outputs.at("features").abs().max().item<double>(), logitDiff);
        QVERIFY(featureDiff <= 1e-4);
        QVERIFY(logitDiff <= 1e-4);
    }

    // Output stride 16 and 8 against torchvision's modules dilated in place by
    // bench/pspnet_reference.py, and MobileNetV3 against torchvision's own `dilated=True`.
    void dilatedFeaturesMatchDilatedTorchvision_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("outputStride");
        QTest::addColumn<QString>("reference");
        for (const auto &name : availableBackbones())
            for (int stride : {16, 8})
                QTest::addRow("%s os%d", name.c_str(), stride)
                    << QString::fromStdString(name) << stride
                    << QString("features_os%1").arg(stride);
        QTest::newRow("mobilenet_v3_large torchvision dilated")
            << "mobilenet_v3_large" << 16 << "features_torchvision_dilated";
    }
    void dilatedFeaturesMatchDilatedTorchvision()
    {
        requireReference();
        QFETCH(QString, name);
        QFETCH(int, outputStride);
        QFETCH(QString, reference);
        const auto outputs = readStateDict(referenceFile(name + "_outputs.pth"));
        const auto &expected = outputs.at(reference.toStdString());
        BackboneOptions options;
        options.output_stride = outputStride;
        const auto backbone = createBackbone(name.toStdString(), options);
        QVERIFY(importBackboneWeights(*backbone, referenceFile(name + ".pth")).ok());
        backbone->eval();
        torch::NoGradGuard no_grad;
        const auto features = backbone->forward(outputs.at("input"));
        QCOMPARE(features.sizes(), expected.sizes());
        QCOMPARE(features.size(2), int64_t(64 / outputStride));
        const double diff = maxAbsDiff(features, expected);
        qInfo("%s os%d: max |diff| %.3g", qPrintable(name), outputStride, diff);
        QVERIFY(diff <= 1e-4);
    }

    void pspnetImportsIntoItsBackbone()
    {
        requireReference();
        ModelConfig config;
        config.backbone = "resnet18";
        config.in_channels = 1;
        auto model = createModel(config);
        const std::string path = referenceFile("resnet18.pth");
        const auto report = importBackboneWeights(*model, path);
        QVERIFY2(report.ok(), report.summary().c_str());
        QCOMPARE(report.adapted, std::vector<std::string>{"conv1.weight"});
        QCOMPARE(report.skipped, (std::vector<std::string>{"fc.bias", "fc.weight"}));
        const auto file = readStateDict(path);
        QVERIFY(torch::equal(model->backbone->named_parameters()["layer4.1.conv2.weight"],
                             file.at("layer4.1.conv2.weight")));
        QVERIFY(torch::allclose(model->backbone->named_parameters()["conv1.weight"],
                                file.at("conv1.weight").sum(1, true)));
    }

    void reportListsMissingUnexpectedAndMismatchedKeys()
    {
        torch::manual_seed(3);
        const auto source = createBackbone("resnet18");
        auto state = stateOf(*source);
        state.erase("layer1.0.bn1.running_var");
        state.erase("bn1.weight");
        state["extra.weight"] = torch::zeros({2});
        state["aaa"] = torch::zeros({1});
        state["layer2.0.conv1.weight"] = torch::zeros({128, 64, 1, 1});
        state["conv1.weight"] = torch::zeros({64, 2, 7, 7}); // not RGB: cannot be adapted
        QTemporaryDir dir;
        const std::string path = dir.filePath("broken.pth").toStdString();
        writeStateDict(state, path);

        const auto target = createBackbone("resnet18");
        const auto before = stateOf(*target);
        const auto report = importBackboneWeights(*target, path);
        QVERIFY(!report.ok());
        QCOMPARE(report.missing,
                 (std::vector<std::string>{"bn1.weight", "layer1.0.bn1.running_var"}));
        QCOMPARE(report.unexpected, (std::vector<std::string>{"aaa", "extra.weight"}));
        QCOMPARE(report.mismatched.size(), size_t(2));
        QCOMPARE(report.mismatched[0].key, std::string("conv1.weight"));
        QCOMPARE(report.mismatched[0].model_shape, (std::vector<int64_t>{64, 3, 7, 7}));
        QCOMPARE(report.mismatched[0].file_shape, (std::vector<int64_t>{64, 2, 7, 7}));
        QCOMPARE(report.mismatched[1].key, std::string("layer2.0.conv1.weight"));
        QCOMPARE(report.mismatched[1].model_shape, (std::vector<int64_t>{128, 64, 3, 3}));
        QCOMPARE(report.mismatched[1].file_shape, (std::vector<int64_t>{128, 64, 1, 1}));
        QCOMPARE(report.loaded.size(), stateOf(*target).size() - 4);
        QVERIFY(std::is_sorted(report.loaded.begin(), report.loaded.end()));

        const auto after = stateOf(*target);
        // Mismatched and missing tensors stay as they were; everything else comes from the file.
        QVERIFY(
            torch::equal(after.at("layer2.0.conv1.weight"), before.at("layer2.0.conv1.weight")));
        QVERIFY(torch::equal(after.at("conv1.weight"), before.at("conv1.weight")));
        QVERIFY(torch::equal(after.at("bn1.weight"), before.at("bn1.weight")));
        QVERIFY(torch::equal(after.at("layer4.1.conv2.weight"), state.at("layer4.1.conv2.weight")));

        const auto summary = report.summary();
        QVERIFY(summary.find("unexpected: extra.weight") != std::string::npos);
        QVERIFY(summary.find("model [128, 64, 3, 3] file [128, 64, 1, 1]") != std::string::npos);
    }

    void readsBackWhatItWrites()
    {
        StateDict state;
        state["float"] = torch::randn({3, 4});
        state["transposed"] = torch::randn({4, 5}).t();
        state["half"] = torch::randn({6}).to(torch::kHalf);
        state["long scalar"] = torch::tensor(int64_t(42));
        state["bool"] = torch::tensor({true, false, true});
        state["empty"] = torch::zeros({0, 3});
        QTemporaryDir dir;
        const std::string path = dir.filePath("roundtrip.pth").toStdString();
        writeStateDict(state, path);
        const auto read = readStateDict(path);
        QCOMPARE(keysOf(read), keysOf(state));
        for (const auto &[key, tensor] : state) {
            QCOMPARE(read.at(key).scalar_type(), tensor.scalar_type());
            QVERIFY2(torch::equal(read.at(key), tensor), key.c_str());
        }
    }

    void readsWhatPythonWrites()
    {
        requireReference();
        // A one-entry dict (SETITEM) holding a transposed (strided) int64 tensor.
        const auto single = readStateDict(referenceFile("single.pth"));
        QCOMPARE(keysOf(single), std::vector<std::string>{"only"});
        QVERIFY(
            torch::equal(single.at("only"), torch::arange(6, torch::kLong).reshape({2, 3}).t()));
        // A training checkpoint: the state dict under "state_dict".
        const auto checkpoint = readStateDict(referenceFile("checkpoint.pth"));
        QCOMPARE(keysOf(checkpoint),
                 (std::vector<std::string>{"0.bias", "0.weight", "1.bias", "1.num_batches_tracked",
                                           "1.running_mean", "1.running_var", "1.weight"}));
    }

    void rejectsFilesThatAreNotStateDicts_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing") << "no-such-file.pth"
                                 << "cannot open";
        QTest::newRow("legacy format") << "legacy.pth"
                                       << "not in PyTorch's zip format";
        QTest::newRow("plain text") << "versions.txt"
                                    << "not in PyTorch's zip format";
        QTest::newRow("a tensor") << "tensor.pth"
                                  << "does not hold a state dict";
    }
    void rejectsFilesThatAreNotStateDicts()
    {
        requireReference();
        QFETCH(QString, file);
        QFETCH(QString, reason);
        try {
            readStateDict(referenceFile(file));
            QFAIL("no exception");
        } catch (const std::runtime_error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(reason), e.what());
        }
    }

    // Issue 24: a pickle nesting lists, tuples or dicts 100,000 levels deep crashed
    // `medseg import-weights` (freeing the chain recursed until the stack overflowed); it is
    // refused at 100 levels with the reason.
    void refusesDeeplyNestedPickles_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("lists") << "lists";
        QTest::newRow("tuples") << "tuples";
        QTest::newRow("dicts") << "dicts";
    }
    void refusesDeeplyNestedPickles()
    {
        QFETCH(QString, kind);
        constexpr int depth = 100000;
        QByteArray pickle("\x80\x02", 2); // PROTO 2
        if (kind == QLatin1String("lists")) {
            // `depth` empty lists, then each APPENDed into the one below it: [[[...]]].
            pickle += QByteArray(depth + 1, ']');
            pickle += QByteArray(depth, 'a');
        } else if (kind == QLatin1String("tuples")) {
            pickle += ']';                           // the innermost object
            pickle += QByteArray(depth, char(0x85)); // TUPLE1: (x,)
        } else {
            pickle += ']';
            // {"k": x}: EMPTY_DICT and the key go below x with MARK-free SETITEM: build
            // `depth` dicts and keys first, then the innermost object, then the SETITEMs.
            pickle.truncate(2);
            for (int i = 0; i < depth; ++i)
                pickle += QByteArray("}X\x01\x00\x00\x00k", 7);
            pickle += ']';
            pickle += QByteArray(depth, 's');
        }
        pickle += '.'; // STOP
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("deep.pth")).toStdString();
        {
            caffe2::serialize::PyTorchStreamWriter writer(path);
            writer.writeRecord("data.pkl", pickle.constData(), std::size_t(pickle.size()));
            writer.writeEndOfFile();
        }
        try {
            readStateDict(path);
            QFAIL("a deeply nested pickle was read");
        } catch (const std::runtime_error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("levels deep")), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestWeightImport)
#include "tst_WeightImport.moc"
