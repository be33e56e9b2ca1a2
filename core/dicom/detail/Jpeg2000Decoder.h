#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace medseg::core::detail {

// One decoded JPEG 2000 frame: samples interleaved (colour by pixel), as the codestream stores
// them (no colour conversion beyond the codestream's own inverse multiple-component transform).
struct Jpeg2000Image
{
    int width = 0;
    int height = 0;
    int components = 0;
    int precision = 0;
    bool isSigned = false;
    std::vector<std::int32_t> samples;
};

// Decodes a J2K codestream or a JP2 file from memory with OpenJPEG (DCMTK 3.6.7 has no JPEG 2000
// codec). Single-threaded: the caller decodes several frames at once. Throws std::runtime_error
// with OpenJPEG's reason on corrupt data.
Jpeg2000Image decodeJpeg2000(const std::uint8_t *data, std::size_t size);

} // namespace medseg::core::detail
