// Workspace: the project folder's layout and project.json survive a save/open round trip,
// label files are named by a hash (never a UID or a name), the lock tells a second instance
// and a crash apart, autosaves are listed and discarded, and broken or foreign projects are
// refused with messages that name the file.

#include "core/workspace/Workspace.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace medseg::core;

namespace {

const std::string seriesUid = "1.2.826.0.1.3680043.9.7433.1.1.1";

ImageGeometry geometry()
{
    ImageGeometry g;
    g.spacing = {0.5, 0.75, 2.5};
    g.origin = {-10.0, -20.0, -30.0};
    return g;
}

std::vector<std::uint16_t> labels(int seed)
{
    std::vector<std::uint16_t> values(6 * 8 * 3);
    for (std::size_t n = 0; n < values.size(); ++n)
        values[n] = std::uint16_t((n * 7 + std::size_t(seed)) % (seed > 5 ? 400 : 5));
    return values;
}

QString message(const std::function<void()> &call)
{
    try {
        call();
    } catch (const std::runtime_error &error) {
        return QString::fromUtf8(error.what());
    }
    return QStringLiteral("<no exception>");
}

// The PID of a process that has exited (and been reaped): a crashed session's lock holder.
int deadPid()
{
    const pid_t pid = ::fork();
    if (pid == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return int(pid);
}

void writeText(const std::string &path, const std::string &text)
{
    std::ofstream(path, std::ios::binary) << text;
}

} // namespace

class tst_Workspace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createMakesFolderLayout();
    void projectRoundTripKeepsContentAndUnknownKeys();
    void createRefusesNonEmptyFolder();
    void openRefusesMissingNewerOrBrokenProject();
    void labelFileOutsideLabelsFolderIsRefused();
    void labelFilesAreNamedByHashOfUid();
    void savedLabelsLoadAndMismatchIsRefused();
    void secondInstanceSeesLockAndCannotSave();
    void staleLockAfterCrashOffersRecovery();
    void lockFromAnotherBootOrAReusedPidIsStale();
    void recoveryFilesAreListedReadAndDiscarded();
    void recoveryProjectRestoresUnsavedState();
    void preparedRecoveryWritesOnAnotherThreadWhatItCopied();
    void openRemovesTemporaryFilesOfKilledSaves();
    void indexCacheLivesInWorkspace();
};

void tst_Workspace::createMakesFolderLayout()
{
    QTemporaryDir dir;
    Workspace workspace =
        Workspace::create(dir.filePath(QStringLiteral("Liver study")).toStdString());
    const QString folder = dir.filePath(QStringLiteral("Liver study.medseg"));
    QCOMPARE(QString::fromStdString(workspace.folder()), folder);
    QCOMPARE(workspace.name(), std::string("Liver study"));
    for (const char *sub : {"labels", "runs", "exports", "recovery", "cache"})
        QVERIFY2(QFileInfo(folder + QLatin1Char('/') + QLatin1String(sub)).isDir(), sub);
    QVERIFY(QFile::exists(folder + QStringLiteral("/project.json")));
    QVERIFY(QFile::exists(folder + QStringLiteral("/.lock")));
    QCOMPARE(workspace.lockStatus(), WorkspaceLock::Acquired);
    QVERIFY(workspace.ownsLock());
    QVERIFY(!workspace.needsRecovery());
}

void tst_Workspace::projectRoundTripKeepsContentAndUnknownKeys()
{
    QTemporaryDir dir;
    const std::string folder = dir.filePath(QStringLiteral("p.medseg")).toStdString();
    {
        Workspace workspace = Workspace::create(folder);
        workspace.setSources({"/data/ct", "/data/mr/DICOMDIR"});
        workspace.addSource("/data/ct");
        workspace.setLabelTable(nlohmann::json::parse(
            R"([{"index":1,"name":"Liver","colour":[255,0,0],"opacity":0.5,"visible":true,"locked":false}])"));
        workspace.settings()["autosaveMinutes"] = 3;
        workspace.seriesEntry(seriesUid).state["sliceStatus"] = {0, 1, 2};
        workspace.save();
    }
    // A later version's key must survive this version's save.
    {
        nlohmann::json json = nlohmann::json::parse(std::ifstream(folder + "/project.json"));
        QCOMPARE(json["format"].get<std::string>(), std::string("medseg-workspace"));
        QCOMPARE(json["version"].get<int>(), 1);
        json["futureKey"] = "kept";
        writeText(folder + "/project.json", json.dump());
    }
    {
        Workspace workspace = Workspace::open(folder);
        QCOMPARE(workspace.lockStatus(), WorkspaceLock::Acquired); // the first one closed cleanly
        QCOMPARE(workspace.sources(), (std::vector<std::string>{"/data/ct", "/data/mr/DICOMDIR"}));
        QCOMPARE(workspace.labelTable()[0]["name"].get<std::string>(), std::string("Liver"));
        QCOMPARE(workspace.labelTable()[0]["opacity"].get<double>(), 0.5);
        QCOMPARE(workspace.settings()["autosaveMinutes"].get<int>(), 3);
        QCOMPARE(workspace.series().size(), std::size_t(1));
        QCOMPARE(workspace.series()[0].uid, seriesUid);
        QCOMPARE(workspace.series()[0].state["sliceStatus"][2].get<int>(), 2);
        workspace.save();
    }
    const nlohmann::json json = nlohmann::json::parse(std::ifstream(folder + "/project.json"));
    QCOMPARE(json["futureKey"].get<std::string>(), std::string("kept"));
}

void tst_Workspace::createRefusesNonEmptyFolder()
{
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("x.medseg"));
    QDir().mkpath(folder);
    writeText((folder + QStringLiteral("/other.txt")).toStdString(), "x");
    const QString error = message([&] { Workspace::create(folder.toStdString()); });
    QVERIFY2(error.contains(folder) && error.contains(QStringLiteral("not empty")),
             qPrintable(error));
}

void tst_Workspace::openRefusesMissingNewerOrBrokenProject()
{
    QTemporaryDir dir;
    const std::string folder = dir.filePath(QStringLiteral("p.medseg")).toStdString();
    QString error = message([&] { Workspace::open(folder); });
    QVERIFY2(error.contains(QString::fromStdString(folder + "/project.json")), qPrintable(error));
    {
        Workspace::create(folder);
    }
    writeText(folder + "/project.json", R"({"format":"medseg-workspace","version":99})");
    error = message([&] { Workspace::open(folder); });
    QVERIFY2(error.contains(QStringLiteral("newer MedSeg Studio")), qPrintable(error));
    writeText(folder + "/project.json", "{ not json");
    error = message([&] { Workspace::open(folder); });
    QVERIFY2(error.contains(QStringLiteral("project.json: not valid JSON")), qPrintable(error));
    writeText(folder + "/project.json", R"({"hello":1})");
    error = message([&] { Workspace::open(folder); });
    QVERIFY2(error.contains(QStringLiteral("not a MedSeg workspace")), qPrintable(error));
}

void tst_Workspace::labelFileOutsideLabelsFolderIsRefused()
{
    QTemporaryDir dir;
    const std::string folder = dir.filePath(QStringLiteral("p.medseg")).toStdString();
    {
        Workspace::create(folder);
    }
    writeText(
        folder + "/project.json",
        R"({"format":"medseg-workspace","version":1,"series":[{"uid":"1.2","labelFile":"labels/../../evil.nii.gz"}]})");
    const QString error = message([&] { Workspace::open(folder); });
    QVERIFY2(error.contains(QStringLiteral("outside the labels folder")), qPrintable(error));
}

void tst_Workspace::labelFilesAreNamedByHashOfUid()
{
    QTemporaryDir dir;
    Workspace workspace = Workspace::create(dir.filePath(QStringLiteral("p")).toStdString());
    const std::string key = Workspace::seriesKey(seriesUid);
    QCOMPARE(key.size(), std::size_t(16));
    QCOMPARE(key.find_first_not_of("0123456789abcdef"), std::string::npos);
    QCOMPARE(Workspace::seriesKey(seriesUid), key); // stable across calls and runs
    QVERIFY(Workspace::seriesKey(seriesUid + "2") != key);
    QCOMPARE(workspace.labelPath(seriesUid), workspace.folder() + "/labels/" + key + ".nii.gz");
    QVERIFY(workspace.labelPath(seriesUid).find(seriesUid) == std::string::npos);
}

void tst_Workspace::savedLabelsLoadAndMismatchIsRefused()
{
    QTemporaryDir dir;
    const std::string folder = dir.filePath(QStringLiteral("p.medseg")).toStdString();
    const std::vector<std::uint16_t> saved = labels(9);
    {
        Workspace workspace = Workspace::create(folder);
        QVERIFY(!workspace.loadLabels(seriesUid, 6, 8, 3, geometry()));
        workspace.saveLabels(seriesUid, saved.data(), 6, 8, 3, geometry());
        workspace.save();
    }
    Workspace workspace = Workspace::open(folder);
    const auto back = workspace.loadLabels(seriesUid, 6, 8, 3, geometry());
    QVERIFY(back);
    QVERIFY(back->labels == saved);
    const QString error = message([&] { workspace.loadLabels(seriesUid, 6, 8, 4, geometry()); });
    QVERIFY2(error.contains(QStringLiteral("6x8x3 voxels of 0.5x0.75x2.5 mm do not match the "
                                           "series' 6x8x4 voxels")),
             qPrintable(error));
}

void tst_Workspace::secondInstanceSeesLockAndCannotSave()
{
    QTemporaryDir dir;
    const std::string folder = dir.filePath(QStringLiteral("p.medseg")).toStdString();
    // Another live process holds the lock: this test's parent (always running).
    Workspace::create(folder); // closed again: no lock
    writeText(folder + "/.lock", nlohmann::json{{"pid", int(::getppid())},
                                                {"host", QSysInfo::machineHostName().toStdString()}}
                                     .dump());
    Workspace second = Workspace::open(folder);
    QCOMPARE(second.lockStatus(), WorkspaceLock::HeldByOther);
    QCOMPARE(second.lockHolderPid(), int(::getppid()));
    QVERIFY(!second.ownsLock());
    const QString error = message([&] { second.save(); });
    QVERIFY2(error.contains(QStringLiteral("open in another MedSeg Studio")), qPrintable(error));
    second.takeOverLock();
    second.save();
    QVERIFY(second.ownsLock());
    // The same process opening it twice is a second instance too.
    Workspace third = Workspace::open(folder);
    QCOMPARE(third.lockStatus(), WorkspaceLock::HeldByOther);
}

void tst_Workspace::lockFromAnotherBootOrAReusedPidIsStale()
{
    QTemporaryDir dir;
    const std::string folder = dir.filePath(QStringLiteral("p.medseg")).toStdString();
    Workspace::create(folder);
    std::string boot;
    std::getline(std::ifstream("/proc/sys/kernel/random/boot_id"), boot);
    QVERIFY(!boot.empty());
    // The lock this process writes carries its boot and start time.
    {
        Workspace own = Workspace::open(folder);
        const nlohmann::json lock = nlohmann::json::parse(std::ifstream(folder + "/.lock"));
        QCOMPARE(lock["boot_id"].get<std::string>(), boot);
        QVERIFY(lock["start_ticks"].get<std::int64_t>() > 0);
    }
    const std::string host = QSysInfo::machineHostName().toStdString();
    // The parent process runs, but the lock names another boot, or a process that started at
    // another time that had the same PID: both are stale.
    const auto lockWith = [&](const std::string &lockBoot, std::int64_t start) {
        writeText(folder + "/.lock", nlohmann::json{{"pid", int(::getppid())},
                                                    {"host", host},
                                                    {"boot_id", lockBoot},
                                                    {"start_ticks", start}}
                                         .dump());
        return Workspace::open(folder).lockStatus();
    };
    QCOMPARE(lockWith("00000000-0000-0000-0000-000000000000", -1), WorkspaceLock::RecoveredStale);
    QCOMPARE(lockWith(boot, 1), WorkspaceLock::RecoveredStale);
    // The parent's real start time: held.
    std::string stat;
    std::getline(std::ifstream("/proc/" + std::to_string(::getppid()) + "/stat"), stat);
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    for (int i = 3; i <= 22; ++i)
        fields >> field;
    QCOMPARE(lockWith(boot, std::stoll(field)), WorkspaceLock::HeldByOther);
}

void tst_Workspace::staleLockAfterCrashOffersRecovery()
{
    QTemporaryDir dir;
    const std::string folder = dir.filePath(QStringLiteral("p.medseg")).toStdString();
    Workspace::create(folder);
    writeText(folder + "/.lock", nlohmann::json{{"pid", deadPid()},
                                                {"host", QSysInfo::machineHostName().toStdString()}}
                                     .dump());
    {
        Workspace workspace = Workspace::open(folder);
        QCOMPARE(workspace.lockStatus(), WorkspaceLock::RecoveredStale);
        QVERIFY(workspace.ownsLock());
        QVERIFY(workspace.needsRecovery());
        const nlohmann::json lock = nlohmann::json::parse(std::ifstream(folder + "/.lock"));
        QCOMPARE(lock["pid"].get<int>(), int(::getpid()));
    }
    // Closing released the lock: the next open is clean.
    Workspace workspace = Workspace::open(folder);
    QCOMPARE(workspace.lockStatus(), WorkspaceLock::Acquired);
    QVERIFY(!workspace.needsRecovery());
}

void tst_Workspace::recoveryFilesAreListedReadAndDiscarded()
{
    QTemporaryDir dir;
    const std::string folder = dir.filePath(QStringLiteral("p.medseg")).toStdString();
    const std::string otherUid = "1.2.3.4.5";
    const std::vector<std::uint16_t> a = labels(1), b = labels(7);
    {
        Workspace workspace = Workspace::create(folder);
        workspace.writeRecovery(seriesUid, a.data(), 6, 8, 3, geometry());
        workspace.writeRecovery(otherUid, b.data(), 6, 8, 3, geometry());
        // Crash: the lock stays (simulated by a dead PID below).
    }
    writeText(folder + "/.lock", nlohmann::json{{"pid", deadPid()},
                                                {"host", QSysInfo::machineHostName().toStdString()}}
                                     .dump());
    Workspace workspace = Workspace::open(folder);
    QVERIFY(workspace.needsRecovery());
    const std::vector<WorkspaceRecovery> list = workspace.listRecovery();
    QCOMPARE(list.size(), std::size_t(2));
    std::vector<std::string> uids{list[0].seriesUid, list[1].seriesUid};
    std::sort(uids.begin(), uids.end());
    QCOMPARE(uids, (std::vector<std::string>{otherUid, seriesUid}));
    for (const WorkspaceRecovery &entry : list) {
        QCOMPARE(entry.key, Workspace::seriesKey(entry.seriesUid));
        QVERIFY(entry.modifiedTime > 0);
        QVERIFY(QFile::exists(QString::fromStdString(entry.path)));
    }
    QVERIFY(workspace.readRecovery(seriesUid, 6, 8, 3, geometry()).labels == a);
    QVERIFY(workspace.readRecovery(otherUid, 6, 8, 3, geometry()).labels == b);
    // Saving a series' labels drops its autosave; discard drops the other.
    workspace.saveLabels(seriesUid, a.data(), 6, 8, 3, geometry());
    QCOMPARE(workspace.listRecovery().size(), std::size_t(1));
    workspace.discardRecovery(otherUid);
    QVERIFY(workspace.listRecovery().empty());
    QCOMPARE(QDir(QString::fromStdString(workspace.recoveryFolder())).entryList(QDir::Files).size(),
             0);
}

void tst_Workspace::recoveryProjectRestoresUnsavedState()
{
    QTemporaryDir dir;
    const std::string folder = dir.filePath(QStringLiteral("p.medseg")).toStdString();
    {
        Workspace workspace = Workspace::create(folder);
        workspace.addSource("/data/unsaved");
        workspace.writeRecoveryProject();
    }
    Workspace workspace = Workspace::open(folder);
    QVERIFY(workspace.sources().empty());
    QVERIFY(workspace.hasRecoveryProject());
    QVERIFY(workspace.needsRecovery());
    workspace.restoreRecoveryProject();
    QCOMPARE(workspace.sources(), std::vector<std::string>{"/data/unsaved"});
    workspace.save(); // keeps it and drops the autosave
    QVERIFY(!workspace.hasRecoveryProject());
    workspace.writeRecoveryProject();
    workspace.discardAllRecovery();
    QVERIFY(!workspace.hasRecoveryProject());
}

// prepareRecovery() takes the project's state and copies of the volumes; write() on another
// thread writes exactly those, whatever the owner changes meanwhile. A failed write names its
// file and leaves nothing half-written.
void tst_Workspace::preparedRecoveryWritesOnAnotherThreadWhatItCopied()
{
    QTemporaryDir dir;
    const std::string folder = dir.filePath(QStringLiteral("p.medseg")).toStdString();
    Workspace workspace = Workspace::create(folder);
    workspace.addSource("/data/at-prepare");
    std::vector<std::uint16_t> painted = labels(3);
    RecoveryWrite job = workspace.prepareRecovery();
    job.addVolume(seriesUid, painted, 6, 8, 3, geometry());
    QCOMPARE(job.volumeCount(), std::size_t(1));
    bool refused = false;
    try {
        job.addVolume(seriesUid, labels(1), 6, 8, 2, geometry()); // 144 values for 96
    } catch (const std::invalid_argument &) {
        refused = true;
    }
    QVERIFY(refused);
    QCOMPARE(job.volumeCount(), std::size_t(1));

    // The owner goes on (more edits, another source) while the job writes on another thread.
    painted[0] = 399;
    workspace.addSource("/data/after-prepare");
    std::string error;
    std::thread writer([&job, &error] {
        try {
            job.write();
        } catch (const std::exception &e) {
            error = e.what();
        }
    });
    writer.join();
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY(workspace.readRecovery(seriesUid, 6, 8, 3, geometry()).labels == labels(3));
    std::ifstream projectFile(workspace.recoveryFolder() + "/project.json");
    const std::string project((std::istreambuf_iterator<char>(projectFile)),
                              std::istreambuf_iterator<char>());
    QVERIFY(project.find("/data/at-prepare") != std::string::npos);
    QVERIFY(project.find("/data/after-prepare") == std::string::npos);

    // recovery/ blocked by a file (as a broken disk would, for root as for anyone): the write
    // fails with a message that names it.
    const RecoveryWrite again = workspace.prepareRecovery();
    QDir(QString::fromStdString(workspace.recoveryFolder())).removeRecursively();
    writeText(workspace.recoveryFolder(), "not a folder");
    const QString failure = message([&] { again.write(); });
    QVERIFY2(failure.contains(QLatin1String("recovery")), qPrintable(failure));
}

void tst_Workspace::openRemovesTemporaryFilesOfKilledSaves()
{
    QTemporaryDir dir;
    const std::string folder = dir.filePath(QStringLiteral("p.medseg")).toStdString();
    {
        Workspace::create(folder);
    }
    writeText(folder + "/project.tmp-Ab12Cd.json", "{");
    writeText(folder + "/labels/0123456789abcdef.tmp-xYz123.nii.gz", "half");
    writeText(folder + "/labels/keep.nii.gz", "not ours to judge");
    Workspace workspace = Workspace::open(folder);
    QVERIFY(!QFile::exists(QString::fromStdString(folder + "/project.tmp-Ab12Cd.json")));
    QVERIFY(!QFile::exists(
        QString::fromStdString(folder + "/labels/0123456789abcdef.tmp-xYz123.nii.gz")));
    QVERIFY(QFile::exists(QString::fromStdString(folder + "/labels/keep.nii.gz")));
}

void tst_Workspace::indexCacheLivesInWorkspace()
{
    QTemporaryDir dir;
    Workspace workspace = Workspace::create(dir.filePath(QStringLiteral("p")).toStdString());
    const std::string cache = workspace.indexCachePath("/data/ct/../ct");
    QVERIFY(cache.rfind(workspace.folder() + "/cache/dicom-index/", 0) == 0);
    QVERIFY(QFileInfo(QFileInfo(QString::fromStdString(cache)).absolutePath()).isDir());
    QCOMPARE(workspace.indexCachePath("/data/ct"), cache); // normalised path, same cache
    QVERIFY(workspace.indexCachePath("/data/mr") != cache);
}

QTEST_GUILESS_MAIN(tst_Workspace)
#include "tst_Workspace.moc"
