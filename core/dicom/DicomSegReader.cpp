#include "core/dicom/DicomSegReader.h"

#include "core/dicom/detail/DicomReading.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmfg/fginterface.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmfg/fgseg.h>
#include <dcmtk/dcmiod/cielabutil.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <dcmtk/dcmseg/segutils.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace medseg::core {
namespace {

double parse(const OFString &text)
{
    return std::strtod(text.c_str(), nullptr);
}

} // namespace

DicomSegContent DicomSegReader::read(const std::string &path, int width, int height, int depth,
                                     const ImageGeometry &geometry)
{
    detail::initializeDcmtk();
    // Rows, columns and the source series straight from the data set (DCMTK's SEG class keeps
    // the pixel module protected and the references in a form that is clumsy to walk).
    detail::DicomRead header = detail::readDicom(path, 256, false);
    if (!header.file)
        throw std::runtime_error(path + ": " + header.error);
    DcmDataset &dataset = *header.file->getDataset();
    // Checked before DCMTK parses the SEG: DCMTK 3.6.7 leaks what it had read when it rejects
    // another SOP class.
    if (!detail::isSegmentationStorage(detail::getFirstString(dataset, DCM_SOPClassUID)))
        throw std::runtime_error(path + ": not a DICOM SEG (SOP class " +
                                 detail::getFirstString(dataset, DCM_SOPClassUID) + ")");
    const Uint16 rows = Uint16(detail::getInt(dataset, DCM_Rows).value_or(0));
    const Uint16 columns = Uint16(detail::getInt(dataset, DCM_Columns).value_or(0));
    if (rows != height || columns != width)
        throw std::runtime_error(path + ": frames of " + std::to_string(columns) + "x" +
                                 std::to_string(rows) + " do not match the series' " +
                                 std::to_string(width) + "x" + std::to_string(height));

    DcmSegmentation *loaded = nullptr;
    const OFCondition status = DcmSegmentation::loadFile(path.c_str(), loaded);
    std::unique_ptr<DcmSegmentation> seg(loaded);
    if (status.bad() || !seg)
        throw std::runtime_error(path + ": not a readable DICOM SEG (" + status.text() + ")");

    DicomSegContent content;
    content.width = width;
    content.height = height;
    content.depth = depth;
    content.labels.assign(std::size_t(width) * std::size_t(height) * std::size_t(depth), 0);
    OFString value;
    if (seg->getSeries().getSeriesInstanceUID(value).good())
        content.seriesInstanceUid = value.c_str();

    if (DcmItem *series = detail::sequenceItem(dataset, DCM_ReferencedSeriesSequence))
        content.referencedSeriesInstanceUid =
            detail::getFirstString(*series, DCM_SeriesInstanceUID);

    const std::size_t segmentCount = seg->getNumberOfSegments();
    std::vector<std::uint16_t> labelOf(segmentCount + 1, 0);
    for (std::size_t number = 1; number <= segmentCount; ++number) {
        DcmSegment *segment = seg->getSegment(number);
        if (!segment)
            throw std::runtime_error(path + ": segment " + std::to_string(number) + " missing");
        DicomSegSegment out;
        out.label = int(number);
        OFString tracking;
        const std::string prefix = "MedSeg label ";
        if (segment->getTrackingID(tracking).good() && tracking.size() > prefix.size() &&
            std::string(tracking.c_str()).compare(0, prefix.size(), prefix) == 0) {
            const long label = std::strtol(tracking.c_str() + prefix.size(), nullptr, 10);
            if (label > 0 && label < 65536)
                out.label = int(label);
        }
        OFString name;
        segment->getSegmentLabel(name);
        out.name = name.c_str();
        Uint16 L = 0, a = 0, b = 0;
        if (segment->getRecommendedDisplayCIELabValue(L, a, b).good()) {
            double red = 0, green = 0, blue = 0;
            IODCIELabUtil::dicomLab2RGB(red, green, blue, L, a, b);
            const auto channel = [](double v) {
                return std::uint8_t(std::lround(std::clamp(v, 0.0, 1.0) * 255.0));
            };
            out.colour = {channel(red), channel(green), channel(blue)};
        }
        labelOf[number] = std::uint16_t(out.label);
        content.segments.push_back(out);
    }

    const bool binary = seg->getSegmentationType() == DcmSegTypes::ST_BINARY;
    const long maxFractional =
        std::max(1L, detail::getInt(dataset, DCM_MaximumFractionalValue).value_or(255));
    const std::size_t frames = seg->getNumberOfFrames();
    content.frames = int(frames);
    FGInterface &groups = seg->getFunctionalGroups();
    const std::size_t sliceSize = std::size_t(width) * std::size_t(height);
    // Frames are applied in segment order so that overlaps resolve the same way every time.
    std::vector<std::pair<Uint16, std::size_t>> order;
    for (std::size_t f = 0; f < frames; ++f) {
        auto *segmentation =
            dynamic_cast<FGSegmentation *>(groups.get(Uint32(f), DcmFGTypes::EFG_SEGMENTATION));
        Uint16 number = 0;
        if (!segmentation || segmentation->getReferencedSegmentNumber(number).bad() ||
            number == 0 || number > segmentCount)
            throw std::runtime_error(path + ": frame " + std::to_string(f + 1) +
                                     " names no valid segment");
        order.emplace_back(number, f);
    }
    std::stable_sort(order.begin(), order.end());

    for (const auto &[number, f] : order) {
        auto *position = dynamic_cast<FGPlanePosPatient *>(
            groups.get(Uint32(f), DcmFGTypes::EFG_PLANEPOSPATIENT));
        OFString x, y, z;
        if (!position || position->getImagePositionPatient(x, 0).bad() ||
            position->getImagePositionPatient(y, 1).bad() ||
            position->getImagePositionPatient(z, 2).bad())
            throw std::runtime_error(path + ": frame " + std::to_string(f + 1) +
                                     " has no Image Position (Patient)");
        if (auto *orientation = dynamic_cast<FGPlaneOrientationPatient *>(
                groups.get(Uint32(f), DcmFGTypes::EFG_PLANEORIENTPATIENT))) {
            OFString v[6];
            bool ok = true;
            for (int n = 0; n < 6; ++n)
                ok = ok && orientation->getImageOrientationPatient(v[n], n).good();
            const Vec3 row{parse(v[0]), parse(v[1]), parse(v[2])};
            const Vec3 column{parse(v[3]), parse(v[4]), parse(v[5])};
            if (ok && (std::abs(dot(row, geometry.rowDirection) - 1.0) > 1e-3 ||
                       std::abs(dot(column, geometry.columnDirection) - 1.0) > 1e-3))
                throw std::runtime_error(path + ": frame " + std::to_string(f + 1) +
                                         " is oriented differently from the series");
        }
        const Vec3 ijk = geometry.patientToVoxel({parse(x), parse(y), parse(z)});
        const int k = int(std::lround(ijk[2]));
        // Half a voxel in-plane, a tenth of a slice across: anything else is another grid.
        if (std::abs(ijk[0]) > 0.5 || std::abs(ijk[1]) > 0.5 || std::abs(ijk[2] - k) > 0.1 ||
            k < 0 || k >= depth)
            throw std::runtime_error(path + ": frame " + std::to_string(f + 1) + " at (" +
                                     x.c_str() + ", " + y.c_str() + ", " + z.c_str() +
                                     ") mm lies off the series' slices");
        const DcmIODTypes::Frame *stored = seg->getFrame(f);
        if (!stored)
            throw std::runtime_error(path + ": frame " + std::to_string(f + 1) + " missing");
        std::unique_ptr<DcmIODTypes::Frame> unpacked;
        const Uint8 *pixels = stored->pixData;
        if (binary) {
            unpacked.reset(DcmSegUtils::unpackBinaryFrame(stored, rows, columns));
            if (!unpacked)
                throw std::runtime_error(path + ": frame " + std::to_string(f + 1) +
                                         " cannot be unpacked");
            pixels = unpacked->pixData;
        } else if (stored->length < sliceSize) {
            throw std::runtime_error(path + ": frame " + std::to_string(f + 1) + " is too short");
        }
        std::uint16_t *out = content.labels.data() + sliceSize * std::size_t(k);
        const std::uint16_t label = labelOf[number];
        for (std::size_t n = 0; n < sliceSize; ++n) {
            const bool set = binary ? pixels[n] != 0 : 2L * pixels[n] >= maxFractional;
            if (set)
                out[n] = label;
        }
    }
    return content;
}

} // namespace medseg::core
