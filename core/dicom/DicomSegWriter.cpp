#include "core/dicom/DicomSegWriter.h"

#include "core/common/AtomicFile.h"
#include "core/dicom/detail/DicomReading.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmfg/fgseg.h>
#include <dcmtk/dcmiod/cielabutil.h>
#include <dcmtk/dcmiod/iodreferences.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

namespace medseg::core {
namespace {

std::string number(double value)
{
    // DS values hold at most 16 characters.
    char text[32];
    std::snprintf(text, sizeof text, "%.10g", value);
    return text;
}

void check(const OFCondition &condition, const std::string &path, const std::string &what)
{
    if (condition.bad())
        throw std::runtime_error(path + ": cannot write the DICOM SEG (" + what + ": " +
                                 condition.text() + ")");
}

// What the SEG needs to know of one source image.
struct SourceImage
{
    std::string sopClassUid;
    std::string sopInstanceUid;
    int frame = 0; // 0-based; referenced by number only for multi-frame sources
    bool multiFrame = false;
};

} // namespace

void DicomSegWriter::write(const std::string &path,
                           const std::vector<SeriesLayout::SliceSource> &slices,
                           const std::uint16_t *labels, int width, int height, int depth,
                           const ImageGeometry &geometry,
                           const std::vector<DicomSegSegment> &segments, const Options &options)
{
    detail::initializeDcmtk();
    if (width <= 0 || height <= 0 || depth <= 0 || !labels)
        throw std::runtime_error(path + ": empty label volume");
    if (width > 65535 || height > 65535)
        throw std::runtime_error(path + ": slices too large for DICOM");
    if (int(slices.size()) != depth)
        throw std::runtime_error(path + ": " + std::to_string(slices.size()) +
                                 " source slices for a label volume of " + std::to_string(depth) +
                                 " slices");

    // Headers of the sources only; the first one also gives patient, study and frame of
    // reference to the SEG.
    std::vector<SourceImage> sources(std::size_t(depth), SourceImage{});
    std::unique_ptr<DcmFileFormat> firstSource;
    std::string seriesUid, studyUid, patientId;
    std::map<std::string, std::unique_ptr<DcmFileFormat>> headers; // one read per file
    for (int k = 0; k < depth; ++k) {
        const SeriesLayout::SliceSource &slice = slices[std::size_t(k)];
        if (slice.path.empty())
            continue;
        auto found = headers.find(slice.path);
        if (found == headers.end()) {
            detail::DicomRead read = detail::readDicom(slice.path, 256, false);
            if (!read.file)
                throw std::runtime_error(slice.path + ": " + read.error);
            found = headers.emplace(slice.path, std::move(read.file)).first;
        }
        DcmDataset &dataset = *found->second->getDataset();
        SourceImage &source = sources[std::size_t(k)];
        source.sopClassUid = detail::getFirstString(dataset, DCM_SOPClassUID);
        source.sopInstanceUid = detail::getFirstString(dataset, DCM_SOPInstanceUID);
        source.frame = std::max(0, slice.frame);
        source.multiFrame = detail::getInt(dataset, DCM_NumberOfFrames).value_or(1) > 1;
        const long rows = detail::getInt(dataset, DCM_Rows).value_or(0);
        const long columns = detail::getInt(dataset, DCM_Columns).value_or(0);
        if (rows != height || columns != width)
            throw std::runtime_error(path + ": the label volume (" + std::to_string(width) + "x" +
                                     std::to_string(height) + ") does not match the image size " +
                                     std::to_string(columns) + "x" + std::to_string(rows) + " of " +
                                     slice.path);
        if (seriesUid.empty()) {
            seriesUid = detail::getFirstString(dataset, DCM_SeriesInstanceUID);
            studyUid = detail::getFirstString(dataset, DCM_StudyInstanceUID);
            patientId = detail::getFirstString(dataset, DCM_PatientID);
        }
    }
    DcmDataset *firstDataset = nullptr;
    for (const SeriesLayout::SliceSource &slice : slices)
        if (!slice.path.empty()) {
            firstDataset = headers.at(slice.path)->getDataset();
            break;
        }
    if (!firstDataset)
        throw std::runtime_error(path + ": the series has no source files to reference");

    // The segments: listed labels first (their names and colours), then any other label found.
    const std::size_t sliceSize = std::size_t(width) * std::size_t(height);
    std::set<int> present;
    {
        std::vector<bool> seen(65536, false);
        const std::size_t count = sliceSize * std::size_t(depth);
        for (std::size_t n = 0; n < count; ++n)
            seen[labels[n]] = true;
        for (int label = 1; label < 65536; ++label)
            if (seen[std::size_t(label)])
                present.insert(label);
    }
    if (present.empty())
        throw std::runtime_error(path + ": no labeled voxels to export");
    std::vector<DicomSegSegment> written;
    for (const DicomSegSegment &segment : segments)
        if (present.count(segment.label) &&
            std::none_of(written.begin(), written.end(),
                         [&](const DicomSegSegment &s) { return s.label == segment.label; }))
            written.push_back(segment);
    for (const int label : present)
        if (std::none_of(written.begin(), written.end(),
                         [&](const DicomSegSegment &s) { return s.label == label; }))
            written.push_back({label, "Label " + std::to_string(label), {255, 0, 0}});
    std::sort(written.begin(), written.end(),
              [](const DicomSegSegment &a, const DicomSegSegment &b) { return a.label < b.label; });

    IODGeneralEquipmentModule::EquipmentInfo equipment("MedSeg Studio", "MedSeg Studio", "1",
                                                       options.softwareVersion.c_str());
    ContentIdentificationMacro content("1", options.contentLabel.c_str(),
                                       options.contentDescription.c_str(),
                                       options.creatorName.c_str());
    DcmSegmentation *created = nullptr;
    check(DcmSegmentation::createBinarySegmentation(created, Uint16(height), Uint16(width),
                                                    equipment, content),
          path, "create");
    std::unique_ptr<DcmSegmentation> seg(created);
    check(seg->importFromSourceImage(*firstDataset, OFTrue), path, "patient and study");
    // The SEG must share its source's frame of reference; a source without one (rare, mostly
    // secondary captures) gets a new one, as the SEG IOD requires it.
    OFString frameOfReference;
    if (seg->getFrameOfReference().getFrameOfReferenceUID(frameOfReference).bad() ||
        frameOfReference.empty()) {
        char uid[100];
        check(seg->getFrameOfReference().setFrameOfReferenceUID(
                  dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT)),
              path, "frame of reference");
    }
    check(seg->getSeries().setSeriesDescription(options.seriesDescription.c_str()), path,
          "series description");
    check(seg->getSeries().setSeriesNumber(std::to_string(options.seriesNumber).c_str()), path,
          "series number");

    // Shared functional groups: one grid for all frames.
    FGPixelMeasures measures;
    // PixelSpacing is row spacing (along a column) then column spacing (along a row).
    check(measures.setPixelSpacing(
              (number(geometry.spacing[1]) + "\\" + number(geometry.spacing[0])).c_str()),
          path, "pixel spacing");
    check(measures.setSliceThickness(number(geometry.spacing[2]).c_str()), path, "slice thickness");
    check(measures.setSpacingBetweenSlices(number(geometry.spacing[2]).c_str()), path,
          "spacing between slices");
    check(seg->addForAllFrames(measures), path, "pixel measures");
    FGPlaneOrientationPatient orientation;
    const Vec3 &r = geometry.rowDirection;
    const Vec3 &c = geometry.columnDirection;
    check(orientation.setImageOrientationPatient(number(r[0]).c_str(), number(r[1]).c_str(),
                                                 number(r[2]).c_str(), number(c[0]).c_str(),
                                                 number(c[1]).c_str(), number(c[2]).c_str()),
          path, "orientation");
    check(seg->addForAllFrames(orientation), path, "orientation");

    for (std::size_t s = 0; s < written.size(); ++s) {
        const DicomSegSegment &segment = written[s];
        DcmSegment *item = nullptr;
        // Generic "Tissue" category and type: the user's label names carry the meaning.
        CodeSequenceMacro category("85756007", "SCT", "Tissue");
        CodeSequenceMacro type("85756007", "SCT", "Tissue");
        const std::string name = segment.name.empty() ? "Label " + std::to_string(segment.label)
                                                      : segment.name.substr(0, 64);
        check(DcmSegment::create(item, name.c_str(), category, type, DcmSegTypes::SAT_MANUAL), path,
              "segment " + name);
        double L = 0, a = 0, b = 0;
        IODCIELabUtil::rgb2DicomLab(L, a, b, segment.colour[0] / 255.0, segment.colour[1] / 255.0,
                                    segment.colour[2] / 255.0);
        item->setRecommendedDisplayCIELabValue(Uint16(L + 0.5), Uint16(a + 0.5), Uint16(b + 0.5));
        item->setTrackingID(("MedSeg label " + std::to_string(segment.label)).c_str());
        char uid[100];
        item->setTrackingUID(dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT));
        Uint16 segmentNumber = 0;
        const OFCondition added = seg->addSegment(item, segmentNumber);
        if (added.bad())
            delete item;
        check(added, path, "segment " + name);
    }

    // Frames: segment by segment, slice by slice, as dimension index (segment, position).
    char dimensionUid[100];
    dcmGenerateUniqueIdentifier(dimensionUid, SITE_INSTANCE_UID_ROOT);
    IODMultiframeDimensionModule &dimensions = seg->getDimensions();
    check(dimensions.addDimensionIndex(DCM_ReferencedSegmentNumber, dimensionUid,
                                       DCM_SegmentIdentificationSequence,
                                       "ReferencedSegmentNumber"),
          path, "dimensions");
    check(dimensions.addDimensionIndex(DCM_ImagePositionPatient, dimensionUid,
                                       DCM_PlanePositionSequence, "ImagePositionPatient"),
          path, "dimensions");

    const CodeSequenceMacro derivationCode("113076", "DCM", "Segmentation");
    const CodeSequenceMacro purposeCode("121322", "DCM",
                                        "Source image for image processing operation");
    std::vector<Uint8> frame(sliceSize);
    std::set<int> referencedSlices;
    for (std::size_t s = 0; s < written.size(); ++s) {
        const Uint16 segmentNumber = Uint16(s + 1);
        for (int k = 0; k < depth; ++k) {
            const std::uint16_t *in = labels + sliceSize * std::size_t(k);
            bool any = false;
            for (std::size_t n = 0; n < sliceSize; ++n) {
                frame[n] = in[n] == written[s].label ? 1 : 0;
                any = any || frame[n];
            }
            if (!any)
                continue;
            FGPlanePosPatient position;
            const Vec3 p = geometry.voxelToPatient({0.0, 0.0, double(k)});
            check(position.setImagePositionPatient(number(p[0]).c_str(), number(p[1]).c_str(),
                                                   number(p[2]).c_str()),
                  path, "position");
            FGFrameContent frameContent;
            check(frameContent.setDimensionIndexValues(segmentNumber, 0), path, "dimension index");
            check(frameContent.setDimensionIndexValues(Uint32(k + 1), 1), path, "dimension index");
            FGSegmentation segmentation;
            check(segmentation.setReferencedSegmentNumber(segmentNumber), path, "segment number");
            FGDerivationImage derivation;
            std::vector<FGBase *> groups{&position, &frameContent, &segmentation};
            const SourceImage &source = sources[std::size_t(k)];
            if (!source.sopInstanceUid.empty()) {
                DerivationImageItem *derivationItem = nullptr;
                check(derivation.addDerivationImageItem(derivationCode, "", derivationItem), path,
                      "derivation image");
                auto *sourceItem = new SourceImageItem();
                derivationItem->getSourceImageItems().push_back(sourceItem);
                sourceItem->getPurposeOfReferenceCode() = purposeCode;
                ImageSOPInstanceReferenceMacro &reference =
                    sourceItem->getImageSOPInstanceReference();
                check(reference.setReferencedSOPClassUID(source.sopClassUid.c_str()), path,
                      "source SOP class");
                check(reference.setReferencedSOPInstanceUID(source.sopInstanceUid.c_str()), path,
                      "source SOP instance");
                if (source.multiFrame)
                    check(reference.addReferencedFrameNumber(Uint16(source.frame + 1)), path,
                          "source frame");
                groups.push_back(&derivation);
                referencedSlices.insert(k);
            }
            OFVector<FGBase *> perFrame(groups.begin(), groups.end());
            check(seg->addFrame(frame.data(), segmentNumber, perFrame), path, "frame");
        }
    }

    // Referenced Series Sequence: every source image the frames derive from.
    IODReferences references;
    std::set<std::string> referencedInstances;
    for (const int k : referencedSlices) {
        const SourceImage &source = sources[std::size_t(k)];
        if (!referencedInstances.insert(source.sopInstanceUid).second)
            continue;
        references.add(new IODImageReference(patientId.c_str(), studyUid.c_str(), seriesUid.c_str(),
                                             source.sopInstanceUid.c_str(),
                                             source.sopClassUid.c_str()));
    }
    seg->getCommonInstanceReference().addReferences(references, studyUid.c_str());

    AtomicFile file(path);
    check(seg->saveFile(file.tempPath().c_str(), EXS_LittleEndianExplicit), path, "save");
    file.commit();
}

} // namespace medseg::core
