#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core::detail {

// 8-bit PNG through libpng: OpenCV cannot write palette (indexed) PNGs and expands them to
// colour on reading, while VOC's SegmentationClass masks are palette PNGs whose pixel values
// are the class indexes.
struct PngImage
{
    int width = 0;
    int height = 0;
    int channels = 1;                 // 1 (grey or palette indexes) or 3 (RGB)
    bool indexed = false;             // pixels are palette indexes
    std::vector<std::uint8_t> pixels; // row-major, channels interleaved
    std::vector<std::array<std::uint8_t, 3>> palette;
};

// Throws std::runtime_error naming the file.
void writeIndexedPng(const std::string &path, int width, int height, const std::uint8_t *indexes,
                     const std::vector<std::array<std::uint8_t, 3>> &palette);
// Reads 8-bit grey, palette (kept as indexes), RGB and RGBA (alpha dropped) PNGs.
PngImage readPng(const std::string &path);

// The PASCAL VOC colour map (bit-interleaved), 256 entries; 255 is the "ignore" colour.
std::vector<std::array<std::uint8_t, 3>> vocPalette();

} // namespace medseg::core::detail
