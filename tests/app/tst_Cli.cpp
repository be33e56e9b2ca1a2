#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
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
};

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_Cli.moc"
