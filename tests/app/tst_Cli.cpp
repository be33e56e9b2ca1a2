#include "support/CliRunner.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

// Runs the real `medseg` binary and checks what a script sees: exit codes, stdout, stderr.
class tst_Cli : public QObject
{
    Q_OBJECT

    struct Result
    {
        int exitCode = -1;
        QString out;
        QString err;
    };

    static Result run(const QStringList &arguments)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C")); // English messages
        env.insert(QStringLiteral("LANG"), QStringLiteral("C"));
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(MEDSEG_CLI), arguments);
        if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit)
            return {};
        return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
                QString::fromUtf8(process.readAllStandardError())};
    }

private Q_SLOTS:
    void helpListsCommandsAndExitCodes()
    {
        const Result result = run({QStringLiteral("--help")});
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.contains(QStringLiteral("Commands:")));
        QVERIFY(result.out.contains(QRegularExpression(QStringLiteral("\\n  versions\\s+Print"))));
        QVERIFY(result.out.contains(QStringLiteral("Exit codes:")));
        QVERIFY(
            result.out.contains(QRegularExpression(QStringLiteral("\\n\\s+2  unknown command"))));
        QVERIFY(result.err.isEmpty());
    }

    void versionPrintsTheProjectVersion()
    {
        const Result result = run({QStringLiteral("--version")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.out, QStringLiteral("medseg " MEDSEG_VERSION_STRING "\n"));
    }

    void usageErrorsExitWithTwo_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown command")
            << QStringList{"frobnicate", "--fast"} << "unknown command 'frobnicate'";
        QTest::newRow("no command") << QStringList{} << "Commands:";
        QTest::newRow("unknown option") << QStringList{"--bogus"} << "Unknown option 'bogus'";
        QTest::newRow("command option")
            << QStringList{"versions", "--bogus"} << "Unknown option 'bogus'";
        QTest::newRow("stray argument") << QStringList{"versions", "extra"} << "takes no arguments";
        // Numbers: one rule and one wording for every command (issue 23).
        QTest::newRow("not a number")
            << QStringList{"train", "voc", "--batch", "eight"}
            << "--batch must be a whole number from 1 to 4096, not 'eight'.";
        QTest::newRow("out of range")
            << QStringList{"make-demo", "out", "--patients", "100"}
            << "--patients must be a whole number from 1 to 99, not '100'.";
        QTest::newRow("open bounds") << QStringList{"train", "voc", "--val-fraction", "1"}
                                     << "--val-fraction must be a number above 0 and below 1";
        QTest::newRow("half-open") << QStringList{"train", "voc", "--minutes", "0"}
                                   << "--minutes must be a number above 0 and at most 43200";
        QTest::newRow("no upper bound") << QStringList{"stats", "voc", "--max-ratio", "0.5"}
                                        << "--max-ratio must be a number of at least 1";
        QTest::newRow("not finite")
            << QStringList{"mesh", "l.nii", "-o", "m.stl", "--decimate", "nan"}
            << "--decimate must be a number from 0 to 0.99, not 'nan'";
    }
    void usageErrorsExitWithTwo()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const Result result = run(arguments);
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains(message), qPrintable(result.err));
        QVERIFY(result.out.isEmpty());
    }

    void commandHelpNamesTheCommand()
    {
        const Result result = run({QStringLiteral("versions"), QStringLiteral("--help")});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.startsWith(QStringLiteral("Usage: medseg versions")),
                 qPrintable(result.out));
        QVERIFY(result.out.contains(QStringLiteral("--json")));
    }

    void versionsReportsEveryLoadedLibrary()
    {
        const Result result = run({QStringLiteral("versions"), QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 0);
        QJsonParseError error;
        const QJsonObject object = QJsonDocument::fromJson(result.out.toUtf8(), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(object.value(QStringLiteral("MedSeg Studio")).toString(),
                 QStringLiteral(MEDSEG_VERSION_STRING));
        QCOMPARE(object.value(QStringLiteral("Qt")).toString(), QString::fromLatin1(qVersion()));
        for (const char *name : {"LibTorch", "DCMTK", "OpenCV", "VTK"})
            QVERIFY2(object.value(QLatin1String(name)).toString().contains(QLatin1Char('.')), name);
        // All cores, not Debian LibTorch's default of one.
        QCOMPARE(object.value(QStringLiteral("LibTorch threads")).toString().toInt(),
                 QThread::idealThreadCount());
    }

    // Issue 22, point 7: `medseg models` was an unknown command.
    void modelsListsEveryBackboneWithItsCost()
    {
        const Result result = run({QStringLiteral("models"), QStringLiteral("--json"),
                                   QStringLiteral("--size"), QStringLiteral("64")});
        QCOMPARE(result.exitCode, 0);
        const QJsonArray rows = QJsonDocument::fromJson(result.out.toUtf8()).array();
        QCOMPARE(rows.size(), 4);
        QStringList names;
        for (const QJsonValue &value : rows) {
            const QJsonObject row = value.toObject();
            names << row.value(QStringLiteral("backbone")).toString();
            QVERIFY(row.value(QStringLiteral("gflops")).toDouble() > 0);
            QVERIFY(row.value(QStringLiteral("parameters")).toDouble() >
                    row.value(QStringLiteral("backbone_parameters")).toDouble());
            QCOMPARE(row.value(QStringLiteral("input_size")).toInt(), 64);
        }
        QCOMPARE(names, (QStringList{"resnet18", "mobilenet_v3_large", "efficientnet_b0",
                                     "convnext_tiny"}));
        QCOMPARE(rows.at(0).toObject().value(QStringLiteral("backbone_parameters")).toDouble(),
                 11176512.0);
        const Result table =
            run({QStringLiteral("models"), QStringLiteral("--size"), QStringLiteral("64"),
                 QStringLiteral("--output-stride"), QStringLiteral("32")});
        QCOMPARE(table.exitCode, 0);
        QVERIFY2(table.out.contains(QStringLiteral("GFLOPs@64")), qPrintable(table.out));
        QCOMPARE(
            run({QStringLiteral("models"), QStringLiteral("--output-stride"), QStringLiteral("12")})
                .exitCode,
            2);
    }

    // Issue 24, privacy: what the tool writes for sharing (a VOC dataset, a run folder with its
    // metrics and models, an ONNX model with its card and report, a prediction) and what it
    // prints hold none of the source series' identifying values: a demo study whose files are
    // given a patient name, ID, birth date, accession number and institution of their own runs
    // through the whole pipeline, and every byte of every output is searched for them.
    void sharedOutputsHoldNoIdentifyingValues()
    {
        using medseg::testing::runCli;
        QTemporaryDir dir;
        const QString study = dir.filePath(QStringLiteral("study"));
        QList<medseg::testing::CliResult> results;
        const auto step = [&](const QStringList &arguments, int timeoutMs = 300000) {
            results.append(runCli(arguments, timeoutMs));
            return results.back().exitCode;
        };
        QCOMPARE(step({QStringLiteral("make-demo"), study, QStringLiteral("--patients"),
                       QStringLiteral("2"), QStringLiteral("--slices"), QStringLiteral("8"),
                       QStringLiteral("--size"), QStringLiteral("48")}),
                 0);
        const QStringList identifying{QStringLiteral("Zyxwvut"),    QStringLiteral("Quinnella"),
                                      QStringLiteral("PID-77413"),  QStringLiteral("19311125"),
                                      QStringLiteral("1931-11-25"), QStringLiteral("ACC-99817"),
                                      QStringLiteral("Qwertyuiop")};
        // Each patient folder its own values (one ID for all would make one patient: no split).
        QStringList dicomFiles;
        int patient = 0;
        for (const QFileInfo &folder :
             QDir(study).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            QStringList files;
            for (QDirIterator it(folder.filePath(), {QStringLiteral("*.dcm")}, QDir::Files,
                                 QDirIterator::Subdirectories);
                 it.hasNext();)
                files << it.next();
            if (files.isEmpty())
                continue;
            ++patient;
            const QString n = QString::number(patient);
            QProcess modify;
            modify.start(
                QStringLiteral("dcmodify"),
                QStringList{QStringLiteral("-nb"), QStringLiteral("-i"),
                            QStringLiteral("(0010,0010)=Zyxwvut^Quinnella") + n,
                            QStringLiteral("-i"), QStringLiteral("(0010,0020)=PID-77413-") + n,
                            QStringLiteral("-i"), QStringLiteral("(0010,0030)=19311125"),
                            QStringLiteral("-i"), QStringLiteral("(0008,0050)=ACC-99817-") + n,
                            QStringLiteral("-i"),
                            QStringLiteral("(0008,0080)=St Qwertyuiop Hospital")} +
                    files);
            QVERIFY2(modify.waitForFinished(60000) && modify.exitCode() == 0,
                     "dcmodify (Debian's dcmtk, installed by scripts/test.sh) failed");
            dicomFiles += files;
        }
        QCOMPARE(patient, 2);
        QVERIFY(readAll(dicomFiles.first()).contains("PID-77413")); // the source has them

        const QString out = dir.filePath(QStringLiteral("shared"));
        const QString voc = out + QStringLiteral("/voc");
        const QString run = out + QStringLiteral("/run");
        QCOMPARE(step({QStringLiteral("convert"), study, voc}), 0);
        QCOMPARE(step({QStringLiteral("train"), voc, QStringLiteral("--epochs"),
                       QStringLiteral("1"), QStringLiteral("--batch"), QStringLiteral("4"),
                       QStringLiteral("--input-size"), QStringLiteral("32"),
                       QStringLiteral("--run-dir"), run, QStringLiteral("--threads"),
                       QStringLiteral("2"), QStringLiteral("--device"), QStringLiteral("cpu")}),
                 0);
        QCOMPARE(step({QStringLiteral("predict"), run + QStringLiteral("/best.pt"), study,
                       QStringLiteral("-o"), out + QStringLiteral("/prediction.nii.gz")}),
                 0);
        // Exit 0, or 1 when a check (ONNX Runtime's agreement) does not pass on this tiny
        // model: the files are written either way, and they are what is searched.
        QVERIFY(step({QStringLiteral("export"), run, QStringLiteral("-o"),
                      out + QStringLiteral("/model.onnx")}) <= 1);
        QVERIFY(QFile::exists(out + QStringLiteral("/model.onnx")));

        int searched = 0;
        for (QDirIterator it(out, QDir::Files, QDirIterator::Subdirectories); it.hasNext();) {
            const QString path = it.next();
            const QByteArray bytes = readAll(path);
            ++searched;
            for (const QString &value : identifying)
                QVERIFY2(!bytes.contains(value.toUtf8()) && !path.contains(value),
                         qPrintable(QStringLiteral("%1 holds %2").arg(path, value)));
        }
        QVERIFY2(searched >= 10, qPrintable(QString::number(searched)));
        for (const medseg::testing::CliResult &result : results)
            for (const QString &value : identifying)
                QVERIFY2(!result.out.contains(value) && !result.err.contains(value),
                         qPrintable(result.out + result.err));
    }

private:
    static QByteArray readAll(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
};

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_Cli.moc"
