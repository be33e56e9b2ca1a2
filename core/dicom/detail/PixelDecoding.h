#pragma once

// Private to core/dicom: turns the pixel data of one frame into the float values of a Volume
// slice (rescaled grey values, or RGB 0..255). DCMTK's codecs decompress, OpenJPEG decodes
// JPEG 2000; the value conversion (bits stored, sign, rescale, colour models, palettes) is ours,
// because DCMTK's image classes truncate non-integer rescaled values.

#include <dcmtk/dcmdata/dcfcache.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <cstdint>
#include <string>
#include <vector>

class DcmPixelData;

namespace medseg::core::detail {

// The Image Pixel module of one file.
struct PixelFormat
{
    int rows = 0;
    int columns = 0;
    int frames = 1;
    int samplesPerPixel = 1;
    int bitsAllocated = 16;
    int bitsStored = 16;
    int highBit = 15;
    bool isSigned = false;
    int planarConfiguration = 0;
    std::string photometric; // as stored: MONOCHROME2, RGB, YBR_FULL_422, PALETTE COLOR, ...
    // 1 for grey images, 3 for colour (RGB, YBR_*, PALETTE COLOR).
    int outputComponents() const;
};

// Reads and checks the Image Pixel module; throws std::runtime_error (in words for the user)
// for what cannot be decoded: 1-bit or float pixel data, unknown photometric interpretations.
PixelFormat readPixelFormat(DcmItem &dataset);

// A PALETTE COLOR lookup table, scaled to 8 bits per entry.
struct Palette
{
    int firstMapped = 0;
    std::vector<std::uint8_t> red, green, blue;
};
Palette readPalette(DcmItem &dataset, bool isSigned); // throws std::runtime_error

// Rescale slope and intercept of one frame (functional groups first, for enhanced objects).
struct Rescale
{
    double slope = 1.0;
    double intercept = 0.0;
};
Rescale readRescale(DcmItem &dataset, int frame);

// Decodes frames of one loaded file, in any order; consecutive frames reuse the open file and
// DCMTK's fragment position. Not thread-safe: one decoder per thread and file.
class FrameDecoder
{
public:
    FrameDecoder(DcmFileFormat &file, std::string transferSyntaxUid);

    const PixelFormat &format() const { return m_format; }
    // Writes rows*columns*outputComponents() floats to `out`; throws std::runtime_error.
    void decode(int frame, float *out);

private:
    void decodeJpeg2000(int frame, float *out, const Rescale &rescale);
    std::vector<std::uint8_t> jpeg2000Fragments(int frame);
    // Throws when the RLE segment header of `frame` does not fit its fragment (DCMTK's decoder
    // reads wherever the offsets point).
    void checkRleHeader(int frame);

    DcmDataset &m_dataset;
    std::string m_transferSyntaxUid;
    PixelFormat m_format;
    Palette m_palette;
    bool m_hasPalette = false;
    DcmPixelData *m_pixelData = nullptr;
    bool m_encapsulated = false;
    DcmFileCache m_cache;
    std::vector<std::uint8_t> m_buffer;
    int m_nextFrame = 0;
    unsigned m_nextFragment = 0;
};

} // namespace medseg::core::detail
