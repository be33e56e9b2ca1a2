#include "SyntheticDicom.h"

#include <dcmtk/dcmdata/dcddirif.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcvrus.h>
#include <dcmtk/oflog/oflog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace medseg::test {
namespace {

std::string numbers(const double *values, std::size_t count)
{
    std::string text;
    for (std::size_t n = 0; n < count; ++n) {
        char value[32];
        std::snprintf(value, sizeof value, "%.10g", values[n]);
        if (n)
            text += '\\';
        text += value;
    }
    return text;
}

void quietDcmtk()
{
    static const bool once = [] {
        OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
        return true;
    }();
    (void)once;
}

} // namespace

std::string makeUid()
{
    // Unique within a test run and across runs: time plus a counter under a test-only root.
    static std::atomic<int> counter{0};
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return "1.2.826.0.1.3680043.9.7433.2." +
           std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count()) +
           "." + std::to_string(++counter);
}

bool writeSlice(const std::string &path, const SliceSpec &spec, Encoding encoding)
{
    quietDcmtk();
    DcmFileFormat file;
    DcmDataset *ds = file.getDataset();
    const std::string sopUid = spec.sopUid.empty() ? makeUid() : spec.sopUid;
    const char *sopClass = spec.modality == "MR" ? UID_MRImageStorage : UID_CTImageStorage;
    ds->putAndInsertString(DCM_SOPClassUID, sopClass);
    ds->putAndInsertString(DCM_SOPInstanceUID, sopUid.c_str());
    ds->putAndInsertString(DCM_StudyDate, spec.studyDate.c_str());
    ds->putAndInsertString(DCM_StudyTime, "101010");
    ds->putAndInsertString(DCM_Modality, spec.modality.c_str());
    ds->putAndInsertString(DCM_StudyDescription, spec.studyDescription.c_str());
    ds->putAndInsertString(DCM_SeriesDescription, spec.seriesDescription.c_str());
    ds->putAndInsertString(DCM_PatientName, spec.patientName.c_str());
    ds->putAndInsertString(DCM_PatientID, spec.patientId.c_str());
    ds->putAndInsertString(DCM_PatientBirthDate, "19700101");
    ds->putAndInsertString(DCM_PatientSex, "F");
    ds->putAndInsertString(DCM_BodyPartExamined, spec.bodyPart.c_str());
    ds->putAndInsertString(DCM_SliceThickness, numbers(&spec.sliceThickness, 1).c_str());
    ds->putAndInsertString(DCM_StudyInstanceUID, spec.studyUid.c_str());
    ds->putAndInsertString(DCM_SeriesInstanceUID, spec.seriesUid.c_str());
    ds->putAndInsertString(DCM_StudyID, "S1");
    ds->putAndInsertString(DCM_SeriesNumber, std::to_string(spec.seriesNumber).c_str());
    ds->putAndInsertString(DCM_InstanceNumber, std::to_string(spec.instanceNumber).c_str());
    if (!spec.framePositions.empty()) {
        // Enhanced multi-frame: geometry and rescale live in functional groups.
        DcmItem *shared = nullptr;
        DcmItem *macro = nullptr;
        ds->findOrCreateSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0);
        shared->findOrCreateSequenceItem(DCM_PlaneOrientationSequence, macro, 0);
        macro->putAndInsertString(DCM_ImageOrientationPatient,
                                  numbers(spec.orientation->data(), 6).c_str());
        shared->findOrCreateSequenceItem(DCM_PixelMeasuresSequence, macro, 0);
        macro->putAndInsertString(DCM_PixelSpacing, numbers(spec.pixelSpacing.data(), 2).c_str());
        for (std::size_t f = 0; f < spec.framePositions.size(); ++f) {
            DcmItem *frame = nullptr;
            ds->findOrCreateSequenceItem(DCM_PerFrameFunctionalGroupsSequence, frame, -2);
            frame->findOrCreateSequenceItem(DCM_PlanePositionSequence, macro, 0);
            macro->putAndInsertString(DCM_ImagePositionPatient,
                                      numbers(spec.framePositions[f].data(), 3).c_str());
            if (f < spec.frameIntercepts.size()) {
                frame->findOrCreateSequenceItem(DCM_PixelValueTransformationSequence, macro, 0);
                macro->putAndInsertString(DCM_RescaleIntercept,
                                          numbers(&spec.frameIntercepts[f], 1).c_str());
                macro->putAndInsertString(DCM_RescaleSlope, "1");
                macro->putAndInsertString(DCM_RescaleType, "HU");
            }
        }
    } else {
        if (spec.position)
            ds->putAndInsertString(DCM_ImagePositionPatient,
                                   numbers(spec.position->data(), 3).c_str());
        if (spec.orientation)
            ds->putAndInsertString(DCM_ImageOrientationPatient,
                                   numbers(spec.orientation->data(), 6).c_str());
    }
    if (!spec.voiLutEntries.empty()) {
        DcmItem *lut = nullptr;
        ds->findOrCreateSequenceItem(DCM_VOILUTSequence, lut, 0);
        const Uint16 descriptor[3] = {Uint16(spec.voiLutEntries.size()),
                                      Uint16(spec.voiLutFirstMapped), Uint16(spec.voiLutBits)};
        auto *descriptorElement = new DcmUnsignedShort(DcmTag(DCM_LUTDescriptor, EVR_US));
        descriptorElement->putUint16Array(descriptor, 3);
        lut->insert(descriptorElement, true);
        auto *dataElement = new DcmUnsignedShort(DcmTag(DCM_LUTData, EVR_US));
        dataElement->putUint16Array(spec.voiLutEntries.data(),
                                    static_cast<unsigned long>(spec.voiLutEntries.size()));
        lut->insert(dataElement, true);
        lut->putAndInsertString(DCM_LUTExplanation, "synthetic ramp");
    }
    const bool colour = spec.photometric == "RGB";
    ds->putAndInsertUint16(DCM_SamplesPerPixel, colour ? 3 : 1);
    ds->putAndInsertString(DCM_PhotometricInterpretation, spec.photometric.c_str());
    if (colour)
        ds->putAndInsertUint16(DCM_PlanarConfiguration, 0);
    const int frames = spec.framePositions.empty() ? spec.frames : int(spec.framePositions.size());
    if (frames > 1)
        ds->putAndInsertString(DCM_NumberOfFrames, std::to_string(frames).c_str());
    ds->putAndInsertUint16(DCM_Rows, Uint16(spec.rows));
    ds->putAndInsertUint16(DCM_Columns, Uint16(spec.columns));
    ds->putAndInsertString(DCM_PixelSpacing, numbers(spec.pixelSpacing.data(), 2).c_str());
    ds->putAndInsertUint16(DCM_BitsAllocated, Uint16(spec.bitsAllocated));
    ds->putAndInsertUint16(DCM_BitsStored, Uint16(spec.bitsStored));
    ds->putAndInsertUint16(DCM_HighBit, Uint16(spec.highBit));
    ds->putAndInsertUint16(DCM_PixelRepresentation, spec.isSigned ? 1 : 0);
    if (!spec.windowCenters.empty()) {
        ds->putAndInsertString(
            DCM_WindowCenter,
            numbers(spec.windowCenters.data(), spec.windowCenters.size()).c_str());
        ds->putAndInsertString(DCM_WindowWidth,
                               numbers(spec.windowWidths.data(), spec.windowWidths.size()).c_str());
    }
    if (spec.intercept)
        ds->putAndInsertString(DCM_RescaleIntercept, numbers(&*spec.intercept, 1).c_str());
    if (spec.slope)
        ds->putAndInsertString(DCM_RescaleSlope, numbers(&*spec.slope, 1).c_str());

    const std::size_t samples = std::size_t(spec.rows) * std::size_t(spec.columns) *
                                std::size_t(colour ? 3 : 1) * std::size_t(frames);
    std::vector<long> raw;
    raw.reserve(samples);
    for (int f = 0; f < frames; ++f)
        for (int y = 0; y < spec.rows; ++y)
            for (int x = 0; x < spec.columns; ++x)
                for (int c = 0; c < (colour ? 3 : 1); ++c)
                    raw.push_back(spec.pixel(x, y, f) + c * 7);
    OFCondition status;
    if (spec.bitsAllocated == 8) {
        std::vector<Uint8> data(raw.size());
        for (std::size_t n = 0; n < raw.size(); ++n)
            data[n] = Uint8(raw[n] & 0xFF);
        status = ds->putAndInsertUint8Array(DCM_PixelData, data.data(), Uint32(data.size()));
    } else if (spec.bitsAllocated == 16) {
        std::vector<Uint16> data(raw.size());
        for (std::size_t n = 0; n < raw.size(); ++n)
            data[n] = Uint16(raw[n] & 0xFFFF);
        status = ds->putAndInsertUint16Array(DCM_PixelData, data.data(), Uint32(data.size()));
    } else {
        // 32-bit samples as pairs of 16-bit words in host (little endian) order: only the
        // little endian encodings can be written this way.
        std::vector<Uint16> data(raw.size() * 2);
        for (std::size_t n = 0; n < raw.size(); ++n) {
            const auto value = std::uint32_t(raw[n]);
            data[2 * n] = Uint16(value & 0xFFFF);
            data[2 * n + 1] = Uint16(value >> 16);
        }
        status = ds->putAndInsertUint16Array(DCM_PixelData, data.data(), Uint32(data.size()));
    }
    if (status.bad())
        return false;

    E_TransferSyntax xfer = EXS_LittleEndianExplicit;
    E_FileWriteMode mode = EWM_fileformat;
    switch (encoding) {
    case Encoding::ExplicitLittle:
        break;
    case Encoding::ImplicitLittle:
        xfer = EXS_LittleEndianImplicit;
        break;
    case Encoding::ExplicitBig:
        xfer = EXS_BigEndianExplicit;
        break;
    case Encoding::Deflated:
        xfer = EXS_DeflatedLittleEndianExplicit;
        break;
    case Encoding::BareExplicitLittle:
        mode = EWM_dataset;
        break;
    case Encoding::BareImplicitLittle:
        xfer = EXS_LittleEndianImplicit;
        mode = EWM_dataset;
        break;
    case Encoding::BareExplicitBig:
        xfer = EXS_BigEndianExplicit;
        mode = EWM_dataset;
        break;
    }
    status = file.saveFile(path.c_str(), xfer, EET_ExplicitLength, EGL_recalcGL, EPD_noChange, 0, 0,
                           mode);
    if (status.bad())
        std::fprintf(stderr, "writeSlice %s: %s\n", path.c_str(), status.text());
    return status.good();
}

std::vector<SliceSpec> axialSeries(int count, const std::string &seriesUid, int seriesNumber)
{
    std::vector<SliceSpec> slices;
    for (int k = 0; k < count; ++k) {
        SliceSpec spec;
        spec.seriesUid = seriesUid;
        spec.seriesNumber = seriesNumber;
        spec.instanceNumber = k + 1;
        spec.position = std::array<double, 3>{-10.0, -20.0, -30.0 + 2.5 * k};
        spec.pixel = [k](int x, int y, int) {
            return long(100 * k + x + 10 * y);
        };
        slices.push_back(spec);
    }
    return slices;
}

bool writeDicomDir(const std::string &folder, const std::vector<std::string> &relativeFiles)
{
    quietDcmtk();
    DicomDirInterface dicomDir;
    dicomDir.enableInventMode(OFTrue);
    const std::string target = (fs::path(folder) / "DICOMDIR").string();
    if (dicomDir.createNewDicomDir(DicomDirInterface::AP_GeneralPurpose, target.c_str(), "MEDSEG")
            .bad())
        return false;
    for (const std::string &file : relativeFiles) {
        const OFCondition status = dicomDir.addDicomFile(file.c_str(), folder.c_str());
        if (status.bad()) {
            std::fprintf(stderr, "DICOMDIR: cannot add %s: %s\n", file.c_str(), status.text());
            return false;
        }
    }
    return dicomDir.writeDicomDir().good();
}

std::string readBytes(const std::string &path)
{
    std::ifstream stream(path, std::ios::binary);
    std::stringstream bytes;
    bytes << stream.rdbuf();
    return bytes.str();
}

bool writeBytes(const std::string &path, const std::string &bytes)
{
    std::ofstream stream(path, std::ios::binary | std::ios::trunc);
    stream << bytes;
    return bool(stream);
}

void backdate(const std::string &path, int seconds)
{
    std::error_code error;
    const auto time = fs::last_write_time(path, error);
    if (!error)
        fs::last_write_time(path, time - std::chrono::seconds(seconds), error);
}

} // namespace medseg::test
