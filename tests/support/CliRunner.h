#pragma once

// Runs the `medseg` command line as a script would, for the CLI tests: the C locale (messages
// and numbers as documented), passive OpenMP threads (idle LibTorch threads otherwise spin beside
// the test), and whatever else a test sets. The tests' CMake defines MEDSEG_CLI, the binary.

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace medseg::testing {

struct CliResult
{
    int exitCode = -1; // -1: did not finish in time, or crashed
    QString out;
    QString err;
};

inline QProcessEnvironment cliEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    env.insert(QStringLiteral("LANG"), QStringLiteral("C"));
    env.insert(QStringLiteral("OMP_WAIT_POLICY"), QStringLiteral("PASSIVE"));
    return env;
}

inline CliResult runCli(const QStringList &arguments, int timeoutMs = 120000,
                        const QProcessEnvironment &env = cliEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(MEDSEG_CLI), arguments);
    if (!process.waitForFinished(timeoutMs) || process.exitStatus() != QProcess::NormalExit) {
        process.kill();
        process.waitForFinished(5000);
        return {-1, QString::fromUtf8(process.readAllStandardOutput()),
                QString::fromUtf8(process.readAllStandardError())};
    }
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

} // namespace medseg::testing
