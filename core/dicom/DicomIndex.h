#pragma once

#include "core/image/ImageGeometry.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace medseg::core {

// One DICOM file, as far as its header tells (the pixel data is not read while indexing).
struct DicomInstance
{
    std::string path;
    std::string sopInstanceUid;
    std::string sopClassUid;
    std::string transferSyntaxUid;
    std::string photometricInterpretation;
    int instanceNumber = 0;
    int frames = 1;
    int rows = 0;
    int columns = 0;
    int bitsAllocated = 0;
    bool hasPixelData = false;
    std::optional<Vec3> imagePosition;                     // (0020,0032), mm
    std::optional<std::array<double, 6>> imageOrientation; // (0020,0037)
    std::optional<std::array<double, 2>> pixelSpacing;     // (0028,0030): row, column spacing
    // For the incremental re-index: a file whose size and mtime are unchanged is not re-read.
    std::int64_t fileSize = 0;
    std::int64_t modifiedTime = 0; // seconds since the epoch
    // Something odd about a file that was still read, in words for the user ("no file meta
    // information; read as a bare data set"), empty when the file is well-formed.
    std::string warning;
};

struct DicomSeries
{
    std::string seriesInstanceUid;
    std::string modality;
    std::string description;
    std::string bodyPart;
    std::string date; // YYYYMMDD as stored
    std::string time;
    int seriesNumber = 0;
    std::vector<DicomInstance> instances; // in InstanceNumber order
    // A volume of an image file (NIfTI, NRRD, MetaImage; see core/imageio) rather than DICOM:
    // the format's name, and which volume of the file (0-based, of volumeCount) the series is.
    // The one instance is the file, with rows, columns and frames (= slices) from its header.
    std::string imageFormat;
    int volumeIndex = 0;
    int volumeCount = 1;

    // Frames in all instances: what a viewer shows as the number of images.
    int imageCount() const;
    bool isImageFile() const { return !imageFormat.empty(); }
    int rows() const { return instances.empty() ? 0 : instances.front().rows; }
    int columns() const { return instances.empty() ? 0 : instances.front().columns; }
};

struct DicomStudy
{
    std::string studyInstanceUid;
    std::string studyId;
    std::string accessionNumber;
    std::string date;
    std::string time;
    std::string description;
    std::vector<DicomSeries> series; // by SeriesNumber
};

struct DicomPatient
{
    std::string patientId;
    std::string name;
    std::string birthDate;
    std::string sex;
    std::vector<DicomStudy> studies; // by date
};

// A file that was skipped, and why, in words a user understands ("not a DICOM file",
// "truncated header", "no pixel data", ...).
struct DicomProblem
{
    std::string path;
    std::string reason;
    // As in DicomInstance: an unchanged broken file is not read again when the cache is used.
    std::int64_t fileSize = 0;
    std::int64_t modifiedTime = 0;
};

// Patient -> Study -> Series -> Instance, for a folder, a DICOMDIR or a single file.
// A UID for what carries none (an image file's series, a DICOM file without a Study or Series
// Instance UID): "2.25." and a 64-bit FNV-1a hash of `key`, so that the same key gives the same
// UID on every run and labels saved for it find it again.
std::string derivedUid(const std::string &key);

struct DicomIndex
{
    std::string root; // absolute; every path in the index is absolute too
    std::vector<DicomPatient> patients;
    std::vector<DicomProblem> problems;
    int filesScanned = 0;
    int filesReused = 0; // taken unchanged from the cache

    const DicomSeries *findSeries(const std::string &seriesInstanceUid) const;
    int seriesCount() const;
    int instanceCount() const;
};

} // namespace medseg::core
