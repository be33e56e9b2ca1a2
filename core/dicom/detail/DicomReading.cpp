#include "core/dicom/detail/DicomReading.h"

#include "core/dicom/DicomCodecs.h"
#include "core/dicom/detail/NestingScan.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcistrmf.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcvr.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/oflog/oflog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>

#include <unistd.h>

namespace medseg::core::detail {
namespace {

// A bare data set (no preamble, no meta header) starts with a low group, in practice 0x0008
// (or 0x0002 when only the preamble is missing). Anything else is not DICOM; this keeps
// DCMTK from parsing text files or images as data sets.
bool looksLikeDataSetStart(const unsigned char *bytes, std::size_t size, std::uint64_t fileSize)
{
    if (size < 8)
        return false;
    const unsigned groupLittle = bytes[0] | (bytes[1] << 8);
    const unsigned groupBig = (bytes[0] << 8) | bytes[1];
    const auto plausibleGroup = [](unsigned group) {
        return group >= 0x0002 && group <= 0x0010 && group % 2 == 0;
    };
    if (!plausibleGroup(groupLittle) && !plausibleGroup(groupBig))
        return false;
    // Explicit VR: two upper-case letters that DCMTK knows as a standard VR.
    const char vr[3] = {char(bytes[4]), char(bytes[5]), 0};
    if (std::isupper(static_cast<unsigned char>(vr[0])) &&
        std::isupper(static_cast<unsigned char>(vr[1])))
        return DcmVR(vr).isStandard();
    // Implicit VR little endian: a 32-bit length that fits in the file.
    const std::uint64_t length = std::uint64_t(bytes[4]) | (std::uint64_t(bytes[5]) << 8) |
                                 (std::uint64_t(bytes[6]) << 16) | (std::uint64_t(bytes[7]) << 24);
    return plausibleGroup(groupLittle) && length < fileSize;
}

std::string trim(const char *text, std::size_t length)
{
    std::size_t begin = 0;
    while (begin < length && (text[begin] == ' ' || text[begin] == '\0'))
        ++begin;
    while (length > begin && (text[length - 1] == ' ' || text[length - 1] == '\0'))
        --length;
    return std::string(text + begin, length - begin);
}

std::string xferName(E_TransferSyntax xfer)
{
    return DcmXfer(xfer).getXferName();
}

std::optional<Vec3> getVec3(DcmItem &item, const DcmTagKey &tag)
{
    const std::vector<double> values = getDoubles(item, tag);
    if (values.size() < 3)
        return std::nullopt;
    return Vec3{values[0], values[1], values[2]};
}

} // namespace

void initializeDcmtk()
{
    static std::once_flag once;
    std::call_once(once, [] {
        OFLogger::LogLevel level = OFLogger::OFF_LOG_LEVEL;
        if (const char *wanted = std::getenv("MEDSEG_DCMTK_LOG")) {
            const std::string name = wanted;
            if (name == "error")
                level = OFLogger::ERROR_LOG_LEVEL;
            else if (name == "warn")
                level = OFLogger::WARN_LOG_LEVEL;
            else if (name == "info")
                level = OFLogger::INFO_LOG_LEVEL;
            else if (name == "debug")
                level = OFLogger::DEBUG_LOG_LEVEL;
        }
        OFLog::configure(level);
        DicomCodecs::ensureRegistered();
    });
}

DicomRead readDicom(const std::string &path, std::uint32_t maxReadLength, bool convertText)
{
    initializeDcmtk();
    DicomRead result;

    std::FILE *stream = std::fopen(path.c_str(), "rb");
    if (!stream) {
        result.error = std::string("cannot open the file: ") + std::strerror(errno);
        return result;
    }
    unsigned char head[132];
    const std::size_t headSize = std::fread(head, 1, sizeof head, stream);
    std::fseek(stream, 0, SEEK_END);
    const long endPosition = std::ftell(stream);
    std::fclose(stream);
    const std::uint64_t fileSize = endPosition > 0 ? std::uint64_t(endPosition) : 0;
    if (fileSize == 0) {
        result.error = "empty file";
        return result;
    }

    const bool hasPreamble = headSize == sizeof head && std::memcmp(head + 128, "DICM", 4) == 0;
    std::size_t junk = 0;
    if (!hasPreamble) {
        // A few stray bytes before a bare data set happen (pydicom's no_meta.dcm has one);
        // more than that and it is not a DICOM file.
        for (junk = 0; junk < 8; ++junk) {
            if (headSize > junk &&
                looksLikeDataSetStart(head + junk, headSize - junk, fileSize - junk))
                break;
        }
        if (junk == 8) {
            result.error = fileSize < 132 ? "not a DICOM file (too short)"
                                          : "not a DICOM file (no DICM prefix and no data set)";
            return result;
        }
    }

    if (std::string problem = nestingProblem(path, hasPreamble ? 132 : junk, hasPreamble);
        !problem.empty()) {
        result.error = problem;
        return result;
    }

    auto file = std::make_unique<DcmFileFormat>();
    OFCondition status;
    if (junk == 0) {
        status =
            file->loadFile(path.c_str(), EXS_Unknown, EGL_noChange, maxReadLength, ERM_autoDetect);
    } else {
        DcmInputFileStream input(path.c_str());
        status = input.status();
        if (status.good()) {
            input.skip(junk);
            file->transferInit();
            status = file->read(input, EXS_Unknown, EGL_noChange, maxReadLength);
            file->transferEnd();
        }
    }

    DcmDataset *dataset = file->getDataset();
    DcmMetaInfo *meta = file->getMetaInfo();
    if (status.bad()) {
        DcmElement *pixelData = nullptr;
        if (dataset && dataset->findAndGetElement(DCM_PixelData, pixelData).good()) {
            result.pixelDataTruncated = true;
            result.error = "pixel data truncated (the file ends inside the pixel data)";
        } else if (!dataset || dataset->card() == 0) {
            result.error = std::string("not a DICOM file (") + status.text() + ")";
        } else {
            result.error = std::string("truncated or corrupt header (") + status.text() + ")";
        }
        // The header of a file with truncated pixel data is complete; the indexer reports
        // the file, the loader needs the data set to say which slice is missing.
        if (result.pixelDataTruncated)
            result.file = std::move(file);
        return result;
    }
    if (!dataset || dataset->card() == 0) {
        result.error = "not a DICOM file (empty data set)";
        return result;
    }

    const E_TransferSyntax xfer = dataset->getOriginalXfer();
    std::string metaSyntax = meta ? getString(*meta, DCM_TransferSyntaxUID) : std::string();
    const bool hasMeta = meta && meta->card() > 0;
    if (!metaSyntax.empty()) {
        result.transferSyntaxUid = metaSyntax;
    } else if (xfer != EXS_Unknown) {
        result.transferSyntaxUid = DcmXfer(xfer).getXferID();
    }

    if (junk > 0) {
        result.warning = std::to_string(junk) +
                         " stray byte(s) before the data set and no file meta information; read "
                         "as " +
                         xferName(xfer);
    } else if (!hasMeta) {
        result.warning =
            "no file meta information; read as a bare data set (" + xferName(xfer) + ")";
    } else if (metaSyntax.empty()) {
        result.warning =
            "the file meta information has no Transfer Syntax UID; read as " + xferName(xfer);
    } else if (!hasPreamble) {
        result.warning = "no 128-byte preamble before the file meta information";
    }

    // Strings in the index are UTF-8. Only files that declare another character set pay for
    // the conversion.
    const std::string charset =
        convertText ? getString(*dataset, DCM_SpecificCharacterSet) : std::string();
    if (convertText && !charset.empty() && charset != "ISO_IR 192" && charset != "ISO_IR 6")
        dataset->convertToUTF8().good(); // best effort: unconvertible text is kept as read

    result.file = std::move(file);
    return result;
}

std::string getString(DcmItem &item, const DcmTagKey &tag)
{
    OFString value;
    if (item.findAndGetOFStringArray(tag, value).bad())
        return {};
    return trim(value.c_str(), value.length());
}

std::string getFirstString(DcmItem &item, const DcmTagKey &tag)
{
    OFString value;
    if (item.findAndGetOFString(tag, value).bad())
        return {};
    return trim(value.c_str(), value.length());
}

std::optional<double> getDouble(DcmItem &item, const DcmTagKey &tag, unsigned long pos)
{
    DcmElement *element = nullptr;
    if (item.findAndGetElement(tag, element).bad() || !element || pos >= element->getVM())
        return std::nullopt;
    switch (element->ident()) {
    case EVR_DS:
    case EVR_FD:
    case EVR_FL: {
        Float64 value = 0;
        if (element->getFloat64(value, pos).good())
            return value;
        Float32 single = 0;
        if (element->getFloat32(single, pos).good())
            return single;
        break;
    }
    case EVR_US: {
        Uint16 value = 0;
        if (element->getUint16(value, pos).good())
            return value;
        break;
    }
    case EVR_SS: {
        Sint16 value = 0;
        if (element->getSint16(value, pos).good())
            return value;
        break;
    }
    case EVR_UL: {
        Uint32 value = 0;
        if (element->getUint32(value, pos).good())
            return value;
        break;
    }
    case EVR_SL:
    case EVR_IS: {
        Sint32 value = 0;
        if (element->getSint32(value, pos).good())
            return value;
        break;
    }
    default:
        break;
    }
    // Anything else (e.g. UN in an implicit file with an unknown tag): parse its text.
    OFString text;
    if (element->getOFString(text, pos).bad())
        return std::nullopt;
    const std::string trimmed = trim(text.c_str(), text.length());
    if (trimmed.empty())
        return std::nullopt;
    char *end = nullptr;
    const double value = std::strtod(trimmed.c_str(), &end);
    if (end == trimmed.c_str())
        return std::nullopt;
    return value;
}

std::optional<long> getInt(DcmItem &item, const DcmTagKey &tag, unsigned long pos)
{
    const std::optional<double> value = getDouble(item, tag, pos);
    if (!value || !(*value > -2147483648.0 && *value < 2147483648.0))
        return std::nullopt;
    return long(*value);
}

std::vector<double> getDoubles(DcmItem &item, const DcmTagKey &tag)
{
    std::vector<double> values;
    DcmElement *element = nullptr;
    if (item.findAndGetElement(tag, element).bad() || !element)
        return values;
    const unsigned long count = element->getVM();
    values.reserve(count);
    for (unsigned long n = 0; n < count; ++n) {
        const std::optional<double> value = getDouble(item, tag, n);
        if (!value)
            return {};
        values.push_back(*value);
    }
    return values;
}

DcmItem *sequenceItem(DcmItem &item, const DcmTagKey &sequence, unsigned long index)
{
    DcmItem *found = nullptr;
    if (item.findAndGetSequenceItem(sequence, found, long(index)).bad())
        return nullptr;
    return found;
}

DcmItem *functionalGroup(DcmItem &dataset, const DcmTagKey &macroSequence, int frame)
{
    if (DcmItem *perFrame =
            sequenceItem(dataset, DCM_PerFrameFunctionalGroupsSequence, unsigned(frame))) {
        if (DcmItem *macro = sequenceItem(*perFrame, macroSequence))
            return macro;
    }
    if (DcmItem *shared = sequenceItem(dataset, DCM_SharedFunctionalGroupsSequence)) {
        if (DcmItem *macro = sequenceItem(*shared, macroSequence))
            return macro;
    }
    return nullptr;
}

namespace {

// What the header claims against what the file holds, before anything is allocated or
// decoded: native pixel data must hold every frame; encapsulated pixel data a fragment per
// frame at least (PS3.5 A.4: a fragment never holds data of two frames); and the image must fit
// the computer's memory as the float volume it becomes. Returns the reason to refuse, or empty.
std::string claimedSizeProblem(DcmDataset &ds, const DicomInstance &instance, bool encapsulated)
{
    DcmElement *element = nullptr;
    if (!instance.hasPixelData || ds.findAndGetElement(DCM_PixelData, element).bad())
        return {};
    const auto rows = std::uint64_t(std::max(0, instance.rows));
    const auto columns = std::uint64_t(std::max(0, instance.columns));
    const auto frames = std::uint64_t(std::max(1, instance.frames));
    const auto samples =
        std::uint64_t(std::clamp<long>(getInt(ds, DCM_SamplesPerPixel).value_or(1), 1, 4));
    // Bits, not bytes: DICOM SEG stores one bit per pixel; YBR_*_422 two samples per pixel.
    const auto bitsPerSample = std::uint64_t(std::clamp(instance.bitsAllocated, 1, 64));
    const bool halfChroma = instance.photometricInterpretation.find("_422") != std::string::npos;
    const std::uint64_t frameBits = rows * columns * (halfChroma ? 2 : samples) * bitsPerSample;
    const std::string claim = std::to_string(frames) + " frame(s) of " + std::to_string(columns) +
                              " x " + std::to_string(rows) + " pixels";
    if (encapsulated) {
        if (DcmPixelSequence *sequence = pixelSequence(ds, element)) {
            const std::uint64_t fragments = sequence->card() > 0 ? sequence->card() - 1 : 0;
            if (frames > fragments)
                return "the header claims " + claim + " but the compressed pixel data hold " +
                       std::to_string(fragments) + " fragment(s): damaged or not an image file";
        }
    } else if (element->getLengthField() != DCM_UndefinedLength &&
               (frames * frameBits + 7) / 8 > std::uint64_t(element->getLengthField()) + 1) {
        return "the header claims " + claim + " but the pixel data hold " +
               std::to_string(element->getLengthField()) + " bytes, too few for them";
    }
    // As float voxels: what opening it takes.
    const std::uint64_t memory = physicalMemoryBytes();
    const double voxels = double(rows) * double(columns) * double(frames) * double(samples);
    if (voxels * 4.0 > double(memory))
        return "the header claims " + claim + ", " +
               std::to_string(std::uint64_t(voxels * 4.0 / 1e9)) +
               " GB to open, more than this computer's " + std::to_string(memory / 1000000000u) +
               " GB of memory";
    return {};
}

} // namespace

DcmPixelSequence *pixelSequence(DcmDataset &dataset, DcmElement *pixelData)
{
    auto *pixels = dynamic_cast<DcmPixelData *>(pixelData);
    DcmPixelSequence *sequence = nullptr;
    if (!pixels ||
        pixels->getEncapsulatedRepresentation(dataset.getOriginalXfer(), nullptr, sequence).bad())
        return nullptr;
    return sequence;
}

std::uint64_t physicalMemoryBytes()
{
    const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && pageSize > 0 ? std::uint64_t(pages) * std::uint64_t(pageSize)
                                     : (std::uint64_t(1) << 40); // unknown: 1 TiB
}

std::optional<HeaderRecord> readHeaderRecord(const std::string &path, std::string &reason)
{
    DicomRead read = readDicom(path, 256);
    if (!read.file) {
        reason = read.error;
        return std::nullopt;
    }
    if (read.pixelDataTruncated) {
        reason = read.error;
        return std::nullopt;
    }
    DcmDataset &ds = *read.file->getDataset();

    HeaderRecord record;
    DicomInstance &instance = record.instance;
    instance.path = path;
    instance.warning = read.warning;
    instance.transferSyntaxUid = read.transferSyntaxUid;
    instance.sopInstanceUid = getString(ds, DCM_SOPInstanceUID);
    instance.sopClassUid = getString(ds, DCM_SOPClassUID);
    if (instance.sopClassUid.empty() && read.file->getMetaInfo())
        instance.sopClassUid = getString(*read.file->getMetaInfo(), DCM_MediaStorageSOPClassUID);
    if (isMediaStorageDirectory(instance.sopClassUid)) {
        reason = "DICOMDIR";
        return std::nullopt;
    }
    instance.photometricInterpretation = getString(ds, DCM_PhotometricInterpretation);
    instance.instanceNumber = int(getInt(ds, DCM_InstanceNumber).value_or(0));
    instance.frames = std::max(1, int(getInt(ds, DCM_NumberOfFrames).value_or(1)));
    instance.rows = int(getInt(ds, DCM_Rows).value_or(0));
    instance.columns = int(getInt(ds, DCM_Columns).value_or(0));
    instance.bitsAllocated = int(getInt(ds, DCM_BitsAllocated).value_or(0));
    DcmElement *pixelData = nullptr;
    instance.hasPixelData = ds.findAndGetElement(DCM_PixelData, pixelData).good();
    reason = claimedSizeProblem(ds, instance, DcmXfer(ds.getOriginalXfer()).isEncapsulated());
    if (!reason.empty())
        return std::nullopt;

    instance.imagePosition = getVec3(ds, DCM_ImagePositionPatient);
    std::vector<double> orientation = getDoubles(ds, DCM_ImageOrientationPatient);
    std::vector<double> spacing = getDoubles(ds, DCM_PixelSpacing);
    // Enhanced multi-frame objects keep the geometry in functional groups (frame 0 here; the
    // loader reads every frame's).
    if (!instance.imagePosition) {
        if (DcmItem *position = functionalGroup(ds, DCM_PlanePositionSequence, 0))
            instance.imagePosition = getVec3(*position, DCM_ImagePositionPatient);
    }
    if (orientation.size() != 6) {
        if (DcmItem *plane = functionalGroup(ds, DCM_PlaneOrientationSequence, 0))
            orientation = getDoubles(*plane, DCM_ImageOrientationPatient);
    }
    if (spacing.size() != 2) {
        if (DcmItem *measures = functionalGroup(ds, DCM_PixelMeasuresSequence, 0))
            spacing = getDoubles(*measures, DCM_PixelSpacing);
    }
    if (orientation.size() == 6) {
        std::array<double, 6> iop{};
        std::copy(orientation.begin(), orientation.end(), iop.begin());
        instance.imageOrientation = iop;
    }
    if (spacing.size() == 2)
        instance.pixelSpacing = std::array<double, 2>{spacing[0], spacing[1]};

    DicomSeries &series = record.series;
    series.seriesInstanceUid = getString(ds, DCM_SeriesInstanceUID);
    series.modality = getString(ds, DCM_Modality);
    series.description = getString(ds, DCM_SeriesDescription);
    series.bodyPart = getString(ds, DCM_BodyPartExamined);
    series.date = getString(ds, DCM_SeriesDate);
    series.time = getString(ds, DCM_SeriesTime);
    series.seriesNumber = int(getInt(ds, DCM_SeriesNumber).value_or(0));

    DicomStudy &study = record.study;
    study.studyInstanceUid = getString(ds, DCM_StudyInstanceUID);
    study.studyId = getString(ds, DCM_StudyID);
    study.accessionNumber = getString(ds, DCM_AccessionNumber);
    study.date = getString(ds, DCM_StudyDate);
    study.time = getString(ds, DCM_StudyTime);
    study.description = getString(ds, DCM_StudyDescription);
    if (series.date.empty()) {
        series.date = study.date;
        series.time = study.time;
    }

    DicomPatient &patient = record.patient;
    patient.patientId = getString(ds, DCM_PatientID);
    patient.name = getString(ds, DCM_PatientName);
    patient.birthDate = getString(ds, DCM_PatientBirthDate);
    patient.sex = getString(ds, DCM_PatientSex);

    if (!instance.hasPixelData) {
        reason = "no pixel data";
        if (!series.modality.empty())
            reason += " (modality " + series.modality + ")";
        return std::nullopt;
    }
    if (instance.rows <= 0 || instance.columns <= 0) {
        reason = "no image size (Rows/Columns missing or zero)";
        return std::nullopt;
    }
    // Uncompressed pixel data shorter than the image size says: the loader would read past it.
    if (pixelData && !DcmXfer(ds.getOriginalXfer()).isEncapsulated() &&
        pixelData->getLengthField() != DCM_UndefinedLength) {
        const std::uint64_t samples = std::uint64_t(getInt(ds, DCM_SamplesPerPixel).value_or(1));
        std::uint64_t bits = std::uint64_t(instance.rows) * std::uint64_t(instance.columns) *
                             std::uint64_t(instance.frames) * samples *
                             std::uint64_t(std::max(1, instance.bitsAllocated));
        if (instance.photometricInterpretation.rfind("YBR_FULL_422", 0) == 0 ||
            instance.photometricInterpretation.rfind("YBR_PARTIAL_42", 0) == 0)
            bits = bits * 2 / 3; // two chroma samples per two pixels
        const std::uint64_t expected = (bits + 7) / 8;
        if (pixelData->getLengthField() < expected) {
            reason = "pixel data too short: " + std::to_string(pixelData->getLengthField()) +
                     " of " + std::to_string(expected) + " bytes";
            return std::nullopt;
        }
    }
    // Files without them are images all the same (DCMTK renders them): they are grouped by what
    // else names their study and series, under derived UIDs, and the instance says so.
    if (study.studyInstanceUid.empty() || series.seriesInstanceUid.empty()) {
        if (study.studyInstanceUid.empty())
            study.studyInstanceUid =
                derivedUid("study|" + patient.patientId + "|" + patient.name + "|" + study.studyId +
                           "|" + study.date + "|" + study.time + "|" + study.accessionNumber);
        if (series.seriesInstanceUid.empty())
            series.seriesInstanceUid =
                derivedUid("series|" + study.studyInstanceUid + "|" +
                           std::to_string(series.seriesNumber) + "|" + series.modality + "|" +
                           series.description + "|" + getString(ds, DCM_FrameOfReferenceUID));
        const std::string note = "no Study or Series Instance UID in the file: grouped with the "
                                 "files of the same patient, study and series number";
        instance.warning = instance.warning.empty() ? note : instance.warning + "; " + note;
    }
    if (!instance.transferSyntaxUid.empty() &&
        !isDecodableTransferSyntax(instance.transferSyntaxUid)) {
        const std::string note =
            "transfer syntax " + instance.transferSyntaxUid + " cannot be decoded";
        instance.warning = instance.warning.empty() ? note : instance.warning + "; " + note;
    }
    return record;
}

bool isJpeg2000TransferSyntax(const std::string &uid)
{
    return uid == UID_JPEG2000LosslessOnlyTransferSyntax || uid == UID_JPEG2000TransferSyntax ||
           uid == "1.2.840.10008.1.2.4.201" || uid == "1.2.840.10008.1.2.4.202" ||
           uid == "1.2.840.10008.1.2.4.203"; // HTJ2K (OpenJPEG >= 2.5)
}

bool isDecodableTransferSyntax(const std::string &uid)
{
    static const char *const supported[] = {
        UID_LittleEndianImplicitTransferSyntax, UID_LittleEndianExplicitTransferSyntax,
        UID_BigEndianExplicitTransferSyntax,    UID_DeflatedExplicitVRLittleEndianTransferSyntax,
        UID_JPEGProcess1TransferSyntax,         UID_JPEGProcess2_4TransferSyntax,
        UID_JPEGProcess14TransferSyntax,        UID_JPEGProcess14SV1TransferSyntax,
        UID_JPEGLSLosslessTransferSyntax,       UID_JPEGLSLossyTransferSyntax,
        UID_RLELosslessTransferSyntax,
    };
    for (const char *candidate : supported) {
        if (uid == candidate)
            return true;
    }
    return isJpeg2000TransferSyntax(uid);
}

bool isSegmentationStorage(const std::string &sopClassUid)
{
    return sopClassUid == UID_SegmentationStorage;
}

bool isMediaStorageDirectory(const std::string &sopClassUid)
{
    return sopClassUid == UID_MediaStorageDirectoryStorage;
}

} // namespace medseg::core::detail
