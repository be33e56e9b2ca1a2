// A process killed (SIGKILL) at random moments while it saves a label volume over and over
// never leaves a broken file: what is on disk always reads back as one of the two complete
// volumes it writes in turns.

#include "LabelPatterns.h"

#include "core/common/AtomicFile.h"
#include "core/dataset/NiftiIo.h"

#include <QDir>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>

using namespace medseg::core;

class tst_AtomicSaveKill : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killDuringSaveLeavesOldOrNewFile();
};

void tst_AtomicSaveKill::killDuringSaveLeavesOldOrNewFile()
{
    const int width = 128, height = 128, depth = 24;
    const std::vector<std::uint16_t> expected[2] = {
        medseg::test::killTestPattern(width, height, depth, 0),
        medseg::test::killTestPattern(width, height, depth, 1)};
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("labels.nii.gz"));
    QRandomGenerator random(20261125);
    int seen[2] = {0, 0};
    int leftTemporary = 0;
    const int rounds = 10;
    for (int round = 0; round < rounds; ++round) {
        QProcess child;
        child.start(QStringLiteral(MEDSEG_LABEL_WRITER),
                    {path, QString::number(width), QString::number(height), QString::number(depth),
                     QString::number(round % 2)});
        QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));
        if (round == 0) {
            // The first save must be on disk before there is an "old file" to keep.
            QVERIFY(child.waitForReadyRead(60000));
            QCOMPARE(child.readLine().trimmed(), QByteArray("ready"));
        }
        // Kill at a random moment: anywhere in a save (a few hundred milliseconds each), or
        // between two. Each child starts with the other volume, so the file keeps changing.
        QTest::qSleep(int(random.bounded(20, 1200)));
        ::kill(pid_t(child.processId()), SIGKILL);
        QVERIFY(child.waitForFinished(30000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);

        const NiftiIo::LabelVolume volume = NiftiIo::readLabelVolume(path.toStdString());
        QCOMPARE(volume.width, width);
        QCOMPARE(volume.height, height);
        QCOMPARE(volume.depth, depth);
        const int which = volume.labels == expected[0] ? 0 : volume.labels == expected[1] ? 1 : -1;
        QVERIFY2(which >= 0,
                 qPrintable(QStringLiteral("round %1: the file is neither volume").arg(round)));
        ++seen[which];
        for (const QString &name : QDir(dir.path()).entryList(QDir::Files))
            if (AtomicFile::isTemporaryName(name.toStdString())) {
                ++leftTemporary;
                QFile::remove(dir.filePath(name)); // as Workspace::open() does
            }
    }
    qInfo("after %d kills: %d times the uint16 volume, %d times the uint8 one; %d kills left a "
          "temporary file",
          rounds, seen[0], seen[1], leftTemporary);
    // No assertion on leftTemporary: how many kills land inside a save depends on timing (the
    // child spends nearly all its time saving, so usually most of them do).
}

QTEST_GUILESS_MAIN(tst_AtomicSaveKill)
#include "tst_AtomicSaveKill.moc"
