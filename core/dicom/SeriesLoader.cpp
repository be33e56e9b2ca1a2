#include "core/dicom/SeriesLoader.h"

#include "core/dicom/detail/DicomReading.h"
#include "core/dicom/detail/ParallelFor.h"
#include "core/dicom/detail/PixelDecoding.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>

namespace medseg::core {
namespace {

constexpr double Pi = 3.14159265358979323846;

// One frame of one instance, before the series is put in order.
struct FrameRef
{
    int instance = 0;
    int frame = 0;
    int instanceNumber = 0;
    std::optional<Vec3> position;
    std::optional<std::array<double, 6>> orientation;
    int rows = 0;
    int columns = 0;
    int components = 1;
};

int componentsOf(const std::string &photometric)
{
    return photometric == "PALETTE COLOR" || photometric == "RGB" ||
                   photometric.rfind("YBR", 0) == 0
               ? 3
               : 1;
}

std::string format(const char *pattern, double value)
{
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

std::string sizeText(int columns, int rows)
{
    return std::to_string(columns) + "x" + std::to_string(rows);
}

double distance(const Vec3 &a, const Vec3 &b)
{
    const Vec3 d{a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    return std::sqrt(dot(d, d));
}

// Keeps the largest group of frames by `key` (ties: the group met first) and says what was
// left out.
template <typename Key, typename Describe>
void keepMajority(std::vector<FrameRef> &frames, Key key, Describe describe,
                  std::vector<std::string> &warnings)
{
    std::vector<decltype(key(frames.front()))> order;
    std::map<decltype(key(frames.front())), int> counts;
    for (const FrameRef &frame : frames) {
        const auto k = key(frame);
        if (counts[k]++ == 0)
            order.push_back(k);
    }
    if (order.size() < 2)
        return;
    auto best = order.front();
    for (const auto &k : order) {
        if (counts[k] > counts[best])
            best = k;
    }
    std::string leftOut;
    for (const auto &k : order) {
        if (k == best)
            continue;
        if (!leftOut.empty())
            leftOut += ", ";
        leftOut += std::to_string(counts[k]) + " " + describe(k);
    }
    warnings.push_back(describe.kind + ": kept the " + std::to_string(counts[best]) + " " +
                       describe(best) + ", left out " + leftOut);
    frames.erase(std::remove_if(frames.begin(), frames.end(),
                                [&](const FrameRef &frame) { return !(key(frame) == best); }),
                 frames.end());
}

struct SizeDescription
{
    std::string kind = "mixed image sizes";
    std::string operator()(const std::array<int, 3> &k) const
    {
        return "image(s) of " + sizeText(k[1], k[0]) + (k[2] == 3 ? " colour" : "");
    }
};

struct OrientationDescription
{
    std::string kind = "mixed orientations";
    std::string operator()(const std::array<long, 6> &k) const
    {
        if (k[0] == LONG_MIN)
            return "image(s) without orientation";
        char text[96];
        std::snprintf(text, sizeof text, "image(s) oriented %.3g\\%.3g\\%.3g\\%.3g\\%.3g\\%.3g",
                      k[0] / 1e4, k[1] / 1e4, k[2] / 1e4, k[3] / 1e4, k[4] / 1e4, k[5] / 1e4);
        return text;
    }
};

std::array<long, 6> orientationKey(const FrameRef &frame)
{
    std::array<long, 6> key{};
    if (!frame.orientation) {
        key.fill(LONG_MIN);
        return key;
    }
    for (int n = 0; n < 6; ++n)
        key[std::size_t(n)] = std::lround((*frame.orientation)[std::size_t(n)] * 1e4);
    return key;
}

// Windows stored in the file: WindowCenter/Width pairs (or the enhanced FrameVOILUTSequence).
std::vector<Window> readWindows(DcmItem &dataset)
{
    DcmItem *source = &dataset;
    if (!dataset.tagExists(DCM_WindowCenter)) {
        if (DcmItem *group = detail::functionalGroup(dataset, DCM_FrameVOILUTSequence, 0))
            source = group;
    }
    const std::vector<double> centers = detail::getDoubles(*source, DCM_WindowCenter);
    const std::vector<double> widths = detail::getDoubles(*source, DCM_WindowWidth);
    OFString explanations;
    source->findAndGetOFStringArray(DCM_WindowCenterWidthExplanation, explanations);
    std::vector<std::string> names;
    std::string current;
    for (char c : std::string(explanations.c_str())) {
        if (c == '\\') {
            names.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    names.push_back(current);
    std::vector<Window> windows;
    for (std::size_t n = 0; n < std::min(centers.size(), widths.size()); ++n) {
        Window window{centers[n], widths[n], n < names.size() ? names[n] : std::string()};
        while (!window.name.empty() && window.name.back() == ' ')
            window.name.pop_back();
        if (window.isValid()) // 0/0 and other placeholders are not windows
            windows.push_back(window);
    }
    return windows;
}

std::optional<VoiLut> readVoiLut(DcmItem &dataset, bool isSigned)
{
    DcmItem *item = detail::sequenceItem(dataset, DCM_VOILUTSequence);
    if (!item)
        return std::nullopt;
    const std::vector<double> descriptor = detail::getDoubles(*item, DCM_LUTDescriptor);
    if (descriptor.size() != 3)
        return std::nullopt;
    const auto raw16 = [](double v) {
        return std::uint16_t(std::int64_t(v) & 0xFFFF);
    };
    VoiLut lut;
    const std::size_t entries = raw16(descriptor[0]) == 0 ? 65536 : raw16(descriptor[0]);
    lut.firstMapped =
        isSigned ? int(std::int16_t(raw16(descriptor[1]))) : int(raw16(descriptor[1]));
    lut.bitsPerEntry = std::clamp(int(descriptor[2]), 1, 16);
    lut.explanation = detail::getString(*item, DCM_LUTExplanation);
    const Uint16 *words = nullptr;
    unsigned long count = 0;
    if (item->findAndGetUint16Array(DCM_LUTData, words, &count).bad() || !words || count == 0)
        return std::nullopt;
    lut.entries.assign(words, words + std::min<std::size_t>(count, entries));
    return lut;
}

std::string sliceName(const SeriesLayout::SliceSource &source)
{
    std::string name = source.path;
    if (source.frame > 0)
        name += " frame " + std::to_string(source.frame);
    return name;
}

} // namespace

SeriesLoader::SeriesLoader(DicomSeries series)
    : m_series(std::move(series))
{}

SeriesLoader SeriesLoader::forFile(const std::string &path)
{
    std::string reason;
    std::optional<detail::HeaderRecord> record = detail::readHeaderRecord(path, reason);
    if (!record) {
        if (reason == "DICOMDIR")
            reason = "a DICOMDIR lists files; it holds no image";
        throw std::runtime_error(path + ": " + reason);
    }
    DicomSeries series = std::move(record->series);
    series.instances.push_back(std::move(record->instance));
    return SeriesLoader(std::move(series));
}

void SeriesLoader::prepare()
{
    detail::initializeDcmtk();
    m_layout = SeriesLayout();
    m_volume.reset();
    m_sliceInstance.clear();
    std::vector<std::string> &warnings = m_layout.warnings;
    if (m_series.instances.empty())
        throw std::runtime_error("the series holds no images");

    // 1. Every frame of every instance, with its position where the headers give one.
    std::vector<FrameRef> frames;
    for (int i = 0; i < int(m_series.instances.size()); ++i) {
        const DicomInstance &instance = m_series.instances[std::size_t(i)];
        if (detail::isSegmentationStorage(instance.sopClassUid) || m_series.modality == "SEG")
            throw std::runtime_error(instance.path +
                                     ": a DICOM Segmentation (SEG) holds labels, not an image "
                                     "to window; it is not loaded as a volume");
        FrameRef ref;
        ref.instance = i;
        ref.instanceNumber = instance.instanceNumber;
        ref.rows = instance.rows;
        ref.columns = instance.columns;
        ref.components = componentsOf(instance.photometricInterpretation);
        ref.orientation = instance.imageOrientation;
        if (instance.frames <= 1) {
            ref.position = instance.imagePosition;
            frames.push_back(ref);
            continue;
        }
        // Enhanced multi-frame objects give each frame its own position; older multi-frame
        // objects (cine, XA, US) have none and keep their frame order.
        detail::DicomRead read = detail::readDicom(instance.path, 256, false);
        DcmDataset *dataset = read.file ? read.file->getDataset() : nullptr;
        for (int f = 0; f < instance.frames; ++f) {
            FrameRef frame = ref;
            frame.frame = f;
            // A legacy multi-frame object's ImagePositionPatient places its first frame only.
            frame.position = f == 0 ? instance.imagePosition : std::nullopt;
            if (dataset) {
                if (DcmItem *plane =
                        detail::functionalGroup(*dataset, DCM_PlanePositionSequence, f)) {
                    const std::vector<double> p =
                        detail::getDoubles(*plane, DCM_ImagePositionPatient);
                    if (p.size() == 3)
                        frame.position = Vec3{p[0], p[1], p[2]};
                }
                if (DcmItem *plane =
                        detail::functionalGroup(*dataset, DCM_PlaneOrientationSequence, f)) {
                    const std::vector<double> o =
                        detail::getDoubles(*plane, DCM_ImageOrientationPatient);
                    if (o.size() == 6)
                        frame.orientation =
                            std::array<double, 6>{o[0], o[1], o[2], o[3], o[4], o[5]};
                }
            }
            frames.push_back(frame);
        }
    }

    // 2. One size, one kind of pixel, one orientation: the majority wins, the rest is named.
    keepMajority(
        frames,
        [](const FrameRef &f) {
            return std::array<int, 3>{f.rows, f.columns, f.components};
        },
        SizeDescription{}, warnings);
    keepMajority(frames, orientationKey, OrientationDescription{}, warnings);

    const FrameRef &reference = frames.front();
    const DicomInstance &referenceInstance = m_series.instances[std::size_t(reference.instance)];
    const int width = reference.columns;
    const int height = reference.rows;
    const int components = reference.components;

    ImageGeometry geometry;
    if (reference.orientation) {
        const auto &o = *reference.orientation;
        geometry.rowDirection = normalized(Vec3{o[0], o[1], o[2]});
        geometry.columnDirection = normalized(Vec3{o[3], o[4], o[5]});
        geometry.normal = normalized(cross(geometry.rowDirection, geometry.columnDirection));
    }
    if (referenceInstance.pixelSpacing) {
        // PixelSpacing is (between rows, between columns): y first.
        geometry.spacing[0] = (*referenceInstance.pixelSpacing)[1];
        geometry.spacing[1] = (*referenceInstance.pixelSpacing)[0];
        if (!(geometry.spacing[0] > 0.0) || !(geometry.spacing[1] > 0.0))
            geometry.spacing[0] = geometry.spacing[1] = 1.0;
    }

    // The header of the first file, for what the index does not keep.
    detail::DicomRead header = detail::readDicom(referenceInstance.path, 4096);
    if (!header.file)
        throw std::runtime_error(referenceInstance.path + ": " + header.error);
    DcmDataset &dataset = *header.file->getDataset();

    // 3. Order along the slice normal; gaps, uneven spacing and tilt are measured, not assumed.
    const bool positioned =
        reference.orientation && std::all_of(frames.begin(), frames.end(),
                                             [](const FrameRef &f) { return bool(f.position); });
    std::vector<int> slots; // index into frames per slice, -1 for a gap
    if (positioned && frames.size() > 1) {
        const Vec3 n0 = geometry.normal;
        std::stable_sort(frames.begin(), frames.end(), [&](const FrameRef &a, const FrameRef &b) {
            const double da = dot(*a.position, n0);
            const double db = dot(*b.position, n0);
            if (da != db)
                return da < db;
            if (a.instanceNumber != b.instanceNumber)
                return a.instanceNumber < b.instanceNumber;
            return a.frame < b.frame;
        });
        // Several frames at one position (echoes, phases) cannot share one volume.
        std::vector<FrameRef> unique;
        int repeated = 0;
        for (const FrameRef &frame : frames) {
            if (!unique.empty() && distance(*unique.back().position, *frame.position) < 1e-3) {
                ++repeated;
                continue;
            }
            unique.push_back(frame);
        }
        if (repeated > 0)
            warnings.push_back(std::to_string(repeated) +
                               " image(s) repeat a position already in the series (several "
                               "echoes, phases or acquisitions?); kept the first at each "
                               "position");
        frames = std::move(unique);
    } else {
        std::stable_sort(frames.begin(), frames.end(), [](const FrameRef &a, const FrameRef &b) {
            if (a.instanceNumber != b.instanceNumber)
                return a.instanceNumber < b.instanceNumber;
            return a.frame < b.frame;
        });
    }

    if (positioned && frames.size() > 1) {
        const Vec3 n0 = geometry.normal;
        std::vector<double> along;
        for (const FrameRef &frame : frames)
            along.push_back(dot(*frame.position, n0));
        std::vector<double> steps;
        for (std::size_t k = 1; k < along.size(); ++k)
            steps.push_back(along[k] - along[k - 1]);
        // The regular step is the smallest one: gaps only make steps longer. (A median would
        // take a gap for the step once a third of the slices are missing.)
        const double typical = *std::min_element(steps.begin(), steps.end());
        const double tolerance = std::max(0.005, 0.01 * typical);

        // Gaps that are whole multiples of the typical step are missing slices: blank slices
        // take their place, so every real slice stays exactly where its header says.
        bool even = true;
        int missing = 0;
        std::string gapText;
        std::vector<int> fill(steps.size(), 0);
        for (std::size_t k = 0; k < steps.size(); ++k) {
            const double ratio = steps[k] / typical;
            const long whole = std::lround(ratio);
            if (whole >= 2 &&
                std::abs(steps[k] - double(whole) * typical) <= tolerance * double(whole)) {
                fill[k] = int(whole - 1);
                missing += fill[k];
                if (gapText.size() < 200)
                    gapText += (gapText.empty() ? "" : ", ") + std::to_string(whole - 1) +
                               " after slice " + std::to_string(k + 1);
            } else if (std::abs(steps[k] - typical) > tolerance) {
                even = false;
            }
        }
        // A tiny step between two nearly coincident slices must not turn every other step
        // into a "gap" of hundreds of blank slices.
        std::vector<double> sorted = steps;
        std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(sorted.size() / 2),
                         sorted.end());
        if (typical < 0.25 * sorted[sorted.size() / 2] || missing > 2 * int(frames.size()))
            even = false;
        const Vec3 first = *frames.front().position;
        const Vec3 last = *frames.back().position;
        const Vec3 span{last[0] - first[0], last[1] - first[1], last[2] - first[2]};
        const double spanAlong = dot(span, n0);
        const Vec3 across{span[0] - spanAlong * n0[0], span[1] - spanAlong * n0[1],
                          span[2] - spanAlong * n0[2]};
        const double tilt = std::atan2(std::sqrt(dot(across, across)), spanAlong) * 180.0 / Pi;

        int slices = int(frames.size());
        if (even) {
            for (std::size_t k = 0; k < frames.size(); ++k) {
                slots.push_back(int(k));
                if (k < fill.size())
                    slots.insert(slots.end(), std::size_t(fill[k]), -1);
            }
            slices = int(slots.size());
            if (missing > 0)
                warnings.push_back("missing slices: " + gapText + " (" + format("%.4g", typical) +
                                   " mm apart); blank slices fill the gaps");
        } else {
            for (std::size_t k = 0; k < frames.size(); ++k)
                slots.push_back(int(k));
            const auto [lo, hi] = std::minmax_element(steps.begin(), steps.end());
            warnings.push_back("uneven slice spacing (from " + format("%.4g", *lo) + " to " +
                               format("%.4g", *hi) + " mm); the volume uses the mean spacing " +
                               format("%.4g", spanAlong / double(slices - 1)) +
                               " mm, so inner slices are placed approximately");
        }
        geometry.origin = first;
        if (tilt > 0.01) {
            // Gantry tilt: the stack is sheared. The slice axis follows the positions, which
            // keeps every voxel where the scanner put it (the axes are not orthogonal).
            geometry.normal = normalized(span);
            geometry.spacing[2] = std::sqrt(dot(span, span)) / double(slices - 1);
            warnings.push_back("gantry tilt of " + format("%.3g", tilt) +
                               " degrees: the slices are sheared; the slice axis follows "
                               "the image positions");
        } else {
            geometry.spacing[2] = spanAlong / double(slices - 1);
        }
        if (!(geometry.spacing[2] > 0.0))
            geometry.spacing[2] = 1.0;
    } else {
        for (std::size_t k = 0; k < frames.size(); ++k)
            slots.push_back(int(k));
        if (reference.position)
            geometry.origin = *reference.position;
        // Without positions the headers' thickness is all there is.
        std::string source = "1 mm (no spacing in the headers)";
        if (const auto between = detail::getDouble(dataset, DCM_SpacingBetweenSlices);
            between && *between > 0.0) {
            geometry.spacing[2] = *between;
            source = "Spacing Between Slices";
        } else if (const auto thickness = detail::getDouble(dataset, DCM_SliceThickness);
                   thickness && *thickness > 0.0) {
            geometry.spacing[2] = *thickness;
            source = "Slice Thickness";
        }
        const bool oneMultiFrame = m_series.instances.size() == 1;
        if (frames.size() > 1 && !oneMultiFrame)
            warnings.push_back("no Image Position (Patient) on every slice: slices are ordered by "
                               "Instance Number and their spacing comes from " +
                               source);
    }

    // 4. What the viewer needs to know before any pixel is decoded.
    const detail::PixelFormat pixelFormat = [&] {
        try {
            return detail::readPixelFormat(dataset);
        } catch (const std::exception &error) {
            throw std::runtime_error(referenceInstance.path + ": " + error.what());
        }
    }();
    m_layout.modality =
        m_series.modality.empty() ? detail::getString(dataset, DCM_Modality) : m_series.modality;
    m_layout.photometric = components == 3 ? "RGB" : pixelFormat.photometric;
    m_layout.invertForDisplay = m_layout.photometric == "MONOCHROME1";
    // CT's rescaled values are Hounsfield units by definition (PS3.3 C.8.2.1), whatever a
    // scanner writes in Rescale Type ("US" is common).
    if (m_layout.modality == "CT") {
        m_layout.rescaleType = "HU";
    } else {
        m_layout.rescaleType = detail::getString(dataset, DCM_RescaleType);
        DcmItem *group = detail::functionalGroup(dataset, DCM_PixelValueTransformationSequence, 0);
        if (m_layout.rescaleType.empty() && group)
            m_layout.rescaleType = detail::getString(*group, DCM_RescaleType);
    }
    if (components == 1) {
        m_layout.windows = readWindows(dataset);
        m_layout.voiLut = readVoiLut(dataset, pixelFormat.isSigned);
    }

    for (int slot : slots) {
        if (slot < 0) {
            m_layout.slices.push_back({std::string(), -1});
            m_sliceInstance.push_back(-1);
            continue;
        }
        const FrameRef &frame = frames[std::size_t(slot)];
        m_layout.slices.push_back(
            {m_series.instances[std::size_t(frame.instance)].path, frame.frame});
        m_sliceInstance.push_back(frame.instance);
    }

    // Each file was checked against the memory alone; together they may still not fit.
    const double bytes =
        4.0 * double(width) * double(height) * double(m_layout.slices.size()) * double(components);
    if (bytes > double(detail::physicalMemoryBytes()))
        throw std::runtime_error("the series needs " + std::to_string(std::uint64_t(bytes / 1e9)) +
                                 " GB of memory to open (" +
                                 std::to_string(m_layout.slices.size()) + " slices of " +
                                 std::to_string(width) + " x " + std::to_string(height) +
                                 "), more than this computer has");
    m_volume = std::make_shared<Volume>(width, height, int(m_layout.slices.size()), components);
    m_volume->setGeometry(geometry);
}

void SeriesLoader::decode(ProgressSink *progress,
                          const std::function<void(int slice)> &onSliceDecoded)
{
    if (!m_volume)
        prepare();
    const int depth = m_volume->depth();

    // Work items: runs of slices from one file. A multi-frame file is split so that every core
    // gets a share; each item opens its file once.
    struct Task
    {
        std::vector<int> slices;
    };
    std::vector<Task> tasks;
    std::map<std::string, std::vector<int>> slicesOfFile;
    std::vector<std::string> fileOrder;
    for (int k = 0; k < depth; ++k) {
        const std::string &path = m_layout.slices[std::size_t(k)].path;
        auto &list = slicesOfFile[path];
        if (list.empty())
            fileOrder.push_back(path);
        list.push_back(k);
    }
    const int threads = detail::threadCount(0, depth);
    for (const std::string &path : fileOrder) {
        const std::vector<int> &list = slicesOfFile[path];
        if (path.empty()) {
            for (int k : list)
                tasks.push_back({{k}});
            continue;
        }
        const std::size_t chunk = std::max<std::size_t>(
            1, (list.size() + std::size_t(threads) - 1) / std::size_t(threads));
        for (std::size_t start = 0; start < list.size(); start += chunk)
            tasks.push_back({std::vector<int>(
                list.begin() + std::ptrdiff_t(start),
                list.begin() + std::ptrdiff_t(std::min(list.size(), start + chunk)))});
    }
    std::sort(tasks.begin(), tasks.end(),
              [](const Task &a, const Task &b) { return a.slices.front() < b.slices.front(); });

    std::mutex failuresMutex;
    std::vector<std::string> failures;
    std::atomic<int> done{0};
    std::atomic<bool> cancelled{false};
    const auto isStopped = [&] {
        return cancelled.load() || (progress && progress->isCancelled());
    };
    // The caller's callbacks run on worker threads; what they throw is rethrown on the calling
    // thread after the workers stop, never across threads.
    std::exception_ptr callbackError;
    const auto finished = [&](int k) {
        try {
            if (onSliceDecoded)
                onSliceDecoded(k);
            const int count = ++done;
            if (progress && !progress->progress(count, depth, "Decoding slices"))
                cancelled = true;
        } catch (...) {
            std::lock_guard<std::mutex> lock(failuresMutex);
            if (!callbackError)
                callbackError = std::current_exception();
            cancelled = true;
        }
    };
    const auto fail = [&](const std::string &message) {
        std::lock_guard<std::mutex> lock(failuresMutex);
        failures.push_back(message);
    };

    const auto runTask = [&](int t) {
        const Task &task = tasks[std::size_t(t)];
        const int firstSlice = task.slices.front();
        const int instanceIndex = m_sliceInstance[std::size_t(firstSlice)];
        if (instanceIndex < 0) {
            for (int k : task.slices)
                finished(k);
            return;
        }
        const DicomInstance &instance = m_series.instances[std::size_t(instanceIndex)];
        std::unique_ptr<detail::FrameDecoder> decoder;
        detail::DicomRead read;
        try {
            read = detail::readDicom(instance.path, 4096, false);
            if (!read.file || read.pixelDataTruncated)
                throw std::runtime_error(read.error);
            decoder = std::make_unique<detail::FrameDecoder>(
                *read.file, instance.transferSyntaxUid.empty() ? read.transferSyntaxUid
                                                               : instance.transferSyntaxUid);
            const detail::PixelFormat &pixels = decoder->format();
            if (pixels.columns != m_volume->width() || pixels.rows != m_volume->height() ||
                pixels.outputComponents() != m_volume->components())
                throw std::runtime_error("the image size changed since the series was indexed");
        } catch (const std::exception &error) {
            fail(instance.path + ": " + error.what());
            for (int k : task.slices)
                finished(k);
            return;
        }
        for (int k : task.slices) {
            if (isStopped())
                return;
            const SeriesLayout::SliceSource &source = m_layout.slices[std::size_t(k)];
            try {
                decoder->decode(source.frame, m_volume->slice(k));
            } catch (const std::exception &error) {
                std::fill(m_volume->slice(k), m_volume->slice(k) + m_volume->sliceSize(), 0.0f);
                fail(sliceName(source) + ": " + error.what());
            }
            finished(k);
        }
    };
    detail::parallelFor(int(tasks.size()), detail::threadCount(0, int(tasks.size())), runTask,
                        isStopped);
    if (callbackError)
        std::rethrow_exception(callbackError);
    if (isStopped())
        throw CancelledError();

    std::sort(failures.begin(), failures.end());
    const std::size_t shown = std::min<std::size_t>(failures.size(), 5);
    for (std::size_t n = 0; n < shown; ++n)
        m_layout.warnings.push_back("slice not decoded (left blank): " + failures[n]);
    if (failures.size() > shown)
        m_layout.warnings.push_back("and " + std::to_string(failures.size() - shown) +
                                    " more slices not decoded");
}

void SeriesLoader::decodeSlice(int slice)
{
    if (!m_volume)
        prepare();
    if (slice < 0 || slice >= m_volume->depth())
        throw std::runtime_error("slice " + std::to_string(slice) + " does not exist");
    const int instanceIndex = m_sliceInstance[std::size_t(slice)];
    if (instanceIndex < 0)
        return; // a gap: blank by design
    const DicomInstance &instance = m_series.instances[std::size_t(instanceIndex)];
    const SeriesLayout::SliceSource &source = m_layout.slices[std::size_t(slice)];
    try {
        detail::DicomRead read = detail::readDicom(instance.path, 4096, false);
        if (!read.file || read.pixelDataTruncated)
            throw std::runtime_error(read.error);
        detail::FrameDecoder decoder(*read.file, instance.transferSyntaxUid.empty()
                                                     ? read.transferSyntaxUid
                                                     : instance.transferSyntaxUid);
        const detail::PixelFormat &pixels = decoder.format();
        if (pixels.columns != m_volume->width() || pixels.rows != m_volume->height() ||
            pixels.outputComponents() != m_volume->components())
            throw std::runtime_error("the image size changed since the series was indexed");
        decoder.decode(source.frame, m_volume->slice(slice));
    } catch (const std::exception &error) {
        throw std::runtime_error(sliceName(source) + ": " + error.what());
    }
}

std::shared_ptr<Volume> SeriesLoader::load(const DicomSeries &series, SeriesLayout *layout,
                                           ProgressSink *progress)
{
    SeriesLoader loader(series);
    loader.prepare();
    loader.decode(progress);
    if (layout)
        *layout = loader.layout();
    return loader.volume();
}

Window defaultWindow(const SeriesLayout &layout, const Volume &volume)
{
    if (volume.components() == 3)
        return Window{128.0, 256.0, "identity"};
    if (!layout.windows.empty())
        return layout.windows.front();
    return minMaxWindow(volume.data(), volume.voxelCount(), std::size_t(volume.components()));
}

} // namespace medseg::core
