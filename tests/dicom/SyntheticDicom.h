#pragma once

// Writes small DICOM files with DCMTK for the tests: series with chosen geometry, pixel formats
// and encodings, plus broken files. Test code only (tests may link DCMTK; core/ keeps it
// private).

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace medseg::test {

enum class Encoding {
    ExplicitLittle,
    ImplicitLittle,
    ExplicitBig,
    Deflated,
    BareExplicitLittle, // no preamble, no file meta information
    BareImplicitLittle,
    BareExplicitBig,
};

struct SliceSpec
{
    std::string patientId = "P1";
    std::string patientName = "Doe^Jane";
    std::string studyUid = "1.2.826.0.1.3680043.9.7433.1.1";
    std::string studyDate = "20240102";
    std::string studyDescription = "Synthetic study";
    std::string seriesUid = "1.2.826.0.1.3680043.9.7433.1.1.1";
    std::string sopUid; // generated when empty
    std::string modality = "CT";
    std::string seriesDescription = "Synthetic series";
    std::string bodyPart = "CHEST";
    int seriesNumber = 1;
    int instanceNumber = 1;
    int rows = 8;
    int columns = 6;
    int frames = 1;
    std::optional<std::array<double, 3>> position = std::array<double, 3>{0.0, 0.0, 0.0};
    std::optional<std::array<double, 6>> orientation =
        std::array<double, 6>{1.0, 0.0, 0.0, 0.0, 1.0, 0.0};
    std::array<double, 2> pixelSpacing{0.5, 0.75}; // row spacing, column spacing
    double sliceThickness = 2.5;
    std::optional<double> slope = 1.0;
    std::optional<double> intercept = -1024.0;
    int bitsAllocated = 16;
    int bitsStored = 16;
    int highBit = 15;
    bool isSigned = true;
    std::string photometric = "MONOCHROME2";
    std::vector<double> windowCenters{40.0};
    std::vector<double> windowWidths{400.0};
    // An enhanced multi-frame object: one position (and rescale intercept) per frame in the
    // functional group sequences instead of ImagePositionPatient (frames = their count).
    std::vector<std::array<double, 3>> framePositions;
    std::vector<double> frameIntercepts;
    // A VOI LUT Sequence item (LUTDescriptor: entries, first mapped, bits).
    std::vector<std::uint16_t> voiLutEntries;
    int voiLutFirstMapped = 0;
    int voiLutBits = 16;
    // Stored (raw) value of pixel (x, y) of frame f, before any masking to bitsStored.
    std::function<long(int x, int y, int frame)> pixel = [](int x, int y, int) {
        return long(x + 10 * y);
    };
};

std::string makeUid();
// Writes one file; returns false (and prints DCMTK's reason) on failure.
bool writeSlice(const std::string &path, const SliceSpec &spec,
                Encoding encoding = Encoding::ExplicitLittle);

// A series of `count` axial slices 2.5 mm apart, slice k filled with value 100 * k + pixel.
std::vector<SliceSpec> axialSeries(int count, const std::string &seriesUid, int seriesNumber = 1);

// A DICOMDIR (General Purpose profile) for files inside `folder`, given relative to it with
// file IDs of up to 8 upper-case characters per component.
bool writeDicomDir(const std::string &folder, const std::vector<std::string> &relativeFiles);

// The bytes of a file, and writing bytes.
std::string readBytes(const std::string &path);
bool writeBytes(const std::string &path, const std::string &bytes);
// Moves a file's modification time `seconds` into the past (so that an index cache written now
// considers it settled).
void backdate(const std::string &path, int seconds = 3600);

} // namespace medseg::test
