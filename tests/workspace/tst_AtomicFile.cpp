// AtomicFile: a commit replaces the file whole, anything else leaves the old one and no
// temporary file behind, and errors name the file and the system's reason.

#include "core/common/AtomicFile.h"
#include "core/common/ErrorText.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace medseg::core;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return "<missing>";
    return file.readAll();
}

void writeFile(const std::string &path, const QByteArray &bytes)
{
    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

} // namespace

class tst_AtomicFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writeAllReplacesContent();
    void commitRenamesTemporaryOverTarget();
    void withoutCommitTargetAndFolderStayAsTheyWere();
    void exceptionInWriterKeepsOldFile();
    void temporaryNameKeepsExtension();
    void replacedFileKeepsItsMode();
    void recognisesTemporaryNames();
    void errorNamesFileAndReason();
    void standardLibraryErrorsAreWorded();
};

void tst_AtomicFile::writeAllReplacesContent()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("a.json")).toStdString();
    AtomicFile::writeAll(path, "first");
    QCOMPARE(readAll(QString::fromStdString(path)), QByteArray("first"));
    AtomicFile::writeAll(path, "second, longer");
    QCOMPARE(readAll(QString::fromStdString(path)), QByteArray("second, longer"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("a.json")});
}

void tst_AtomicFile::commitRenamesTemporaryOverTarget()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("labels.nii.gz")).toStdString();
    AtomicFile::writeAll(path, "old");
    AtomicFile file(path);
    QVERIFY(QFile::exists(QString::fromStdString(file.tempPath())));
    writeFile(file.tempPath(), "new");
    QCOMPARE(readAll(QString::fromStdString(path)), QByteArray("old"));
    file.commit();
    QVERIFY(file.isCommitted());
    QCOMPARE(readAll(QString::fromStdString(path)), QByteArray("new"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);
}

void tst_AtomicFile::withoutCommitTargetAndFolderStayAsTheyWere()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("a.txt")).toStdString();
    AtomicFile::writeAll(path, "old");
    {
        AtomicFile file(path);
        writeFile(file.tempPath(), "half of the new");
    }
    QCOMPARE(readAll(QString::fromStdString(path)), QByteArray("old"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("a.txt")});
}

void tst_AtomicFile::exceptionInWriterKeepsOldFile()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("a.txt")).toStdString();
    AtomicFile::writeAll(path, "old");
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             AtomicFile::write(path, [](const std::string &temp) {
                                 writeFile(temp, "partial");
                                 throw std::runtime_error("writer failed");
                             }));
    QCOMPARE(readAll(QString::fromStdString(path)), QByteArray("old"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);
}

void tst_AtomicFile::temporaryNameKeepsExtension()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("labels.nii.gz")).toStdString();
    AtomicFile file(path);
    const QString temp = QFileInfo(QString::fromStdString(file.tempPath())).fileName();
    QVERIFY2(temp.startsWith(QStringLiteral("labels.tmp-")), qPrintable(temp));
    QVERIFY2(temp.endsWith(QStringLiteral(".nii.gz")), qPrintable(temp));
    QCOMPARE(QFileInfo(QString::fromStdString(file.tempPath())).absolutePath(),
             QFileInfo(QString::fromStdString(path)).absolutePath());
}

void tst_AtomicFile::replacedFileKeepsItsMode()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("shared.json"));
    AtomicFile::writeAll(path.toStdString(), "a");
    // New files are readable by others, as any file the user saves.
    QVERIFY(QFile::permissions(path).testFlag(QFileDevice::ReadOther));
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                    QFileDevice::ReadGroup | QFileDevice::WriteGroup);
    AtomicFile::writeAll(path.toStdString(), "b");
    const QFileDevice::Permissions mode = QFile::permissions(path);
    QVERIFY(mode.testFlag(QFileDevice::WriteGroup));
    QVERIFY(!mode.testFlag(QFileDevice::ReadOther));
}

void tst_AtomicFile::recognisesTemporaryNames()
{
    QVERIFY(AtomicFile::isTemporaryName("labels.tmp-a1B2c3.nii.gz"));
    QVERIFY(AtomicFile::isTemporaryName("/x/y/project.tmp-abcdef.json"));
    QVERIFY(AtomicFile::isTemporaryName("lock.tmp-abcdef"));
    QVERIFY(!AtomicFile::isTemporaryName("labels.nii.gz"));
    QVERIFY(!AtomicFile::isTemporaryName("labels.tmp-abc.nii.gz"));
    QVERIFY(!AtomicFile::isTemporaryName("x.tmp-abcdefgh"));
}

void tst_AtomicFile::errorNamesFileAndReason()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("missing/a.json")).toStdString();
    try {
        AtomicFile::writeAll(path, "x");
        QFAIL("no exception");
    } catch (const std::runtime_error &error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("No such file or directory")),
                 qPrintable(message));
    }
}

// Issue 24: "std::bad_alloc" and "vector::_M_default_append" reached the user; core's error
// text says what happened instead, and leaves our own messages as they are.
void tst_AtomicFile::standardLibraryErrorsAreWorded()
{
    const std::string memory = medseg::core::userMessage(std::bad_alloc());
    QVERIFY2(memory.find("not enough memory") == 0, memory.c_str());
    QVERIFY(memory.find("bad_alloc") == std::string::npos);
    try {
        std::vector<char> huge;
        huge.resize(std::size_t(-1) / 2 + 1);
        QFAIL("a vector of half the address space");
    } catch (const std::exception &error) {
        const std::string text = medseg::core::userMessage(error);
        QVERIFY2(text.find("a size beyond what this program can hold") == 0 ||
                     text.find("not enough memory") == 0,
                 text.c_str());
    }
    QCOMPARE(medseg::core::userMessage(std::runtime_error("scan.nii: truncated")),
             std::string("scan.nii: truncated"));
}

QTEST_GUILESS_MAIN(tst_AtomicFile)
#include "tst_AtomicFile.moc"
