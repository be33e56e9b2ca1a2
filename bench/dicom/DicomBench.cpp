// medseg-dicom-bench: how fast core/dicom indexes a folder, loads a series and windows a slice,
// next to pydicom on the same files in the same run.
//
//   medseg-dicom-bench [--slices N] [--size N] [--repeats N] [--keep DIR]
//
// It writes a synthetic CT series (N slices of SIZE x SIZE int16, 400 x 512 x 512 by default)
// with DCMTK to a temporary folder, measures, runs bench/dicom/pydicom_reference.py with
// Debian's /usr/bin/python3 on the same folder, and prints both with their ratio. Every figure
// is the best of --repeats runs on warm files (both sides read from the page cache).

#include "core/dicom/DicomIndexer.h"
#include "core/dicom/SeriesLoader.h"
#include "core/dicom/WindowLevel.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace medseg::core;

namespace {

struct Settings
{
    int slices = 400;
    int size = 512;
    int repeats = 3;
    std::string keep;
};

double seconds(const std::function<void()> &work)
{
    const auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double best(int repeats, const std::function<void()> &work)
{
    double fastest = 1e30;
    for (int n = 0; n < repeats; ++n)
        fastest = std::min(fastest, seconds(work));
    return fastest;
}

// A CT slice as a scanner writes it: the usual header, a body-like disc with noise, HU via
// intercept -1024.
bool writeSeries(const fs::path &folder, const Settings &settings)
{
    std::mt19937 random(7);
    std::normal_distribution<double> noise(0.0, 20.0);
    char uid[100];
    const std::string study = dcmGenerateUniqueIdentifier(uid, SITE_STUDY_UID_ROOT);
    const std::string series = dcmGenerateUniqueIdentifier(uid, SITE_SERIES_UID_ROOT);
    std::vector<Uint16> pixels(std::size_t(settings.size) * std::size_t(settings.size));
    for (int k = 0; k < settings.slices; ++k) {
        for (int y = 0; y < settings.size; ++y) {
            for (int x = 0; x < settings.size; ++x) {
                const double dx = (x - settings.size / 2.0) / (settings.size * 0.4);
                const double dy = (y - settings.size / 2.0) / (settings.size * 0.3);
                const double hu = dx * dx + dy * dy < 1.0 ? 40.0 + noise(random) : -1000.0;
                pixels[std::size_t(y) * std::size_t(settings.size) + std::size_t(x)] =
                    Uint16(Sint16(std::lround(hu + 1024.0)));
            }
        }
        DcmFileFormat file;
        DcmDataset *ds = file.getDataset();
        char text[64];
        ds->putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 100");
        ds->putAndInsertString(DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL");
        ds->putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
        ds->putAndInsertString(DCM_SOPInstanceUID,
                               dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT));
        ds->putAndInsertString(DCM_StudyDate, "20240101");
        ds->putAndInsertString(DCM_SeriesDate, "20240101");
        ds->putAndInsertString(DCM_StudyTime, "120000");
        ds->putAndInsertString(DCM_AccessionNumber, "A1");
        ds->putAndInsertString(DCM_Modality, "CT");
        ds->putAndInsertString(DCM_Manufacturer, "MedSeg bench");
        ds->putAndInsertString(DCM_StudyDescription, "Benchmark");
        ds->putAndInsertString(DCM_SeriesDescription, "Axial 1mm");
        ds->putAndInsertString(DCM_PatientName, "Bench^Mark");
        ds->putAndInsertString(DCM_PatientID, "BENCH");
        ds->putAndInsertString(DCM_PatientBirthDate, "19700101");
        ds->putAndInsertString(DCM_PatientSex, "O");
        ds->putAndInsertString(DCM_BodyPartExamined, "CHEST");
        ds->putAndInsertString(DCM_SliceThickness, "1");
        ds->putAndInsertString(DCM_KVP, "120");
        ds->putAndInsertString(DCM_StudyInstanceUID, study.c_str());
        ds->putAndInsertString(DCM_SeriesInstanceUID, series.c_str());
        ds->putAndInsertString(DCM_StudyID, "1");
        ds->putAndInsertString(DCM_SeriesNumber, "2");
        std::snprintf(text, sizeof text, "%d", k + 1);
        ds->putAndInsertString(DCM_InstanceNumber, text);
        std::snprintf(text, sizeof text, "-250\\-250\\%.1f", -200.0 + k);
        ds->putAndInsertString(DCM_ImagePositionPatient, text);
        ds->putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
        ds->putAndInsertString(DCM_FrameOfReferenceUID, study.c_str());
        std::snprintf(text, sizeof text, "%.1f", -200.0 + k);
        ds->putAndInsertString(DCM_SliceLocation, text);
        ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
        ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
        ds->putAndInsertUint16(DCM_Rows, Uint16(settings.size));
        ds->putAndInsertUint16(DCM_Columns, Uint16(settings.size));
        ds->putAndInsertString(DCM_PixelSpacing, "0.9765625\\0.9765625");
        ds->putAndInsertUint16(DCM_BitsAllocated, 16);
        ds->putAndInsertUint16(DCM_BitsStored, 16);
        ds->putAndInsertUint16(DCM_HighBit, 15);
        ds->putAndInsertUint16(DCM_PixelRepresentation, 1);
        ds->putAndInsertString(DCM_WindowCenter, "40\\-600");
        ds->putAndInsertString(DCM_WindowWidth, "400\\1500");
        ds->putAndInsertString(DCM_RescaleIntercept, "-1024");
        ds->putAndInsertString(DCM_RescaleSlope, "1");
        ds->putAndInsertString(DCM_RescaleType, "HU");
        ds->putAndInsertUint16Array(DCM_PixelData, pixels.data(), Uint32(pixels.size()));
        std::snprintf(text, sizeof text, "CT%05d.dcm", k);
        if (file.saveFile((folder / text).c_str(), EXS_LittleEndianExplicit).bad())
            return false;
    }
    return true;
}

struct PydicomFigures
{
    bool ok = false;
    std::string version;
    double indexFilesPerSecond = 0;
    double loadSlicesPerSecond = 0;
    double windowMs = 0;
};

double jsonNumber(const std::string &json, const std::string &key)
{
    const std::size_t at = json.find("\"" + key + "\":");
    return at == std::string::npos ? 0.0 : std::atof(json.c_str() + at + key.size() + 3);
}

PydicomFigures runPydicom(const fs::path &folder, int repeats)
{
    PydicomFigures figures;
    const std::string command = "/usr/bin/python3 '" MEDSEG_PYDICOM_REFERENCE "' '" +
                                folder.string() + "' " + std::to_string(repeats);
    std::FILE *pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        return figures;
    std::string output;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
        output.append(buffer, n);
    if (::pclose(pipe) != 0 || output.find("index_files_per_s") == std::string::npos)
        return figures;
    figures.ok = true;
    const std::size_t version = output.find("\"pydicom\": \"");
    if (version != std::string::npos)
        figures.version =
            output.substr(version + 12, output.find('"', version + 12) - version - 12);
    figures.indexFilesPerSecond = jsonNumber(output, "index_files_per_s");
    figures.loadSlicesPerSecond = jsonNumber(output, "load_slices_per_s");
    figures.windowMs = jsonNumber(output, "window_ms");
    return figures;
}

Settings parse(int argc, char **argv)
{
    Settings settings;
    for (int n = 1; n < argc; ++n) {
        const std::string argument = argv[n];
        const bool hasValue = n + 1 < argc;
        if (argument == "--slices" && hasValue)
            settings.slices = std::max(2, std::atoi(argv[++n]));
        else if (argument == "--size" && hasValue)
            settings.size = std::max(16, std::atoi(argv[++n]));
        else if (argument == "--repeats" && hasValue)
            settings.repeats = std::max(1, std::atoi(argv[++n]));
        else if (argument == "--keep" && hasValue)
            settings.keep = argv[++n];
        else {
            std::fprintf(stderr, "usage: %s [--slices N] [--size N] [--repeats N] [--keep DIR]\n",
                         argv[0]);
            std::exit(argument == "--help" ? 0 : 2);
        }
    }
    return settings;
}

} // namespace

int main(int argc, char **argv)
{
    const Settings settings = parse(argc, argv);
    fs::path folder;
    if (!settings.keep.empty()) {
        folder = settings.keep;
        fs::create_directories(folder);
    } else {
        std::string pattern = (fs::temp_directory_path() / "medseg-dicom-bench-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) {
            std::perror("mkdtemp");
            return 1;
        }
        folder = pattern;
    }

    std::printf("Writing %d slices of %dx%d int16 to %s ...\n", settings.slices, settings.size,
                settings.size, folder.c_str());
    std::fflush(stdout);
    if (!writeSeries(folder, settings)) {
        std::fprintf(stderr, "cannot write the series\n");
        return 1;
    }

    // Indexing: every header, grouped, no cache.
    DicomIndex index;
    const double indexTime =
        best(settings.repeats, [&] { index = DicomIndexer::index(folder.string()); });
    if (index.seriesCount() != 1 || index.instanceCount() != settings.slices) {
        std::fprintf(stderr, "unexpected index: %d series, %d instances\n", index.seriesCount(),
                     index.instanceCount());
        return 1;
    }
    const DicomSeries series = index.patients[0].studies[0].series[0];

    // Loading: headers, sort, allocation and every slice decoded and rescaled to float.
    std::shared_ptr<Volume> volume;
    const double loadTime = best(settings.repeats, [&] {
        volume.reset();
        volume = SeriesLoader::load(series);
    });

    // Windowing one slice: building the LUT and applying it.
    const float *middle = volume->slice(volume->depth() / 2);
    const std::size_t pixels = std::size_t(volume->width()) * std::size_t(volume->height());
    const auto [lo, hi] = volume->range();
    std::vector<std::uint8_t> out(pixels);
    const double windowTime = best(50, [&] {
        const WindowLut lut(Window{40.0, 400.0, {}}, int(std::floor(lo)), int(std::ceil(hi)));
        lut.apply(middle, pixels, out.data());
    });

    std::printf("Running pydicom on the same files ...\n");
    std::fflush(stdout);
    const PydicomFigures py = runPydicom(folder, settings.repeats);

    const double ours[3] = {settings.slices / indexTime, settings.slices / loadTime,
                            windowTime * 1e3};
    const double theirs[3] = {py.indexFilesPerSecond, py.loadSlicesPerSecond, py.windowMs};
    const char *names[3] = {"indexing (files/s)", "full load (slices/s)", "window 1 slice (ms)"};
    std::printf("\n%d slices %dx%d int16, %u threads, best of %d\n", settings.slices, settings.size,
                settings.size, std::thread::hardware_concurrency(), settings.repeats);
    std::printf("%-24s %12s %12s %10s\n", "", "medseg",
                py.ok ? ("pydicom " + py.version).c_str() : "pydicom", "ratio");
    for (int n = 0; n < 3; ++n) {
        // Ratios say how many times faster medseg is (time ratio for the window row).
        const double ratio = !py.ok || theirs[n] <= 0 ? 0.0
                             : n < 2                  ? ours[n] / theirs[n]
                                                      : theirs[n] / ours[n];
        std::printf("%-24s %12.*f %12.*f %9.1fx\n", names[n], n < 2 ? 0 : 3, ours[n], n < 2 ? 0 : 3,
                    theirs[n], ratio);
    }
    if (!py.ok)
        std::printf("(pydicom did not run: is python3-pydicom installed for /usr/bin/python3?)\n");

    const bool indexGoal = ours[0] >= 5000.0;
    const bool loadGoal = py.ok && ours[1] >= 2.5 * theirs[1];
    const bool windowGoal = ours[2] <= 1.0;
    std::printf("\nGoals: indexing >= 5000 files/s: %s; full load >= 2.5x pydicom: %s; window <= 1 "
                "ms: %s\n",
                indexGoal ? "met" : "MISSED", loadGoal ? "met" : "MISSED",
                windowGoal ? "met" : "MISSED");

    if (settings.keep.empty())
        fs::remove_all(folder);
    return 0;
}
