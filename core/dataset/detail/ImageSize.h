#pragma once

// How big a 2D image file says it is, read from its header before anything is decoded, and the
// one limit on the slices a dataset may hold: a compressed PNG or JPEG of a few hundred
// kilobytes can claim 20000 x 20000 pixels, which decode to gigabytes.

#include <optional>
#include <string>
#include <utility>

namespace medseg::core::detail {

// Width and height from a PNG, JPEG or BMP header; nothing for other files or a header that
// cannot be read (the decoder then says what is wrong).
std::optional<std::pair<int, int>> imageFileSize(const std::string &path);

// Throws std::runtime_error naming the file when width x height is more than a slice of a
// dataset can be: over 16384 pixels a side or 2^27 pixels in all (mammograms are about
// 4000 x 5000; CT and MR slices 512 or less).
void checkSliceSize(const std::string &path, int width, int height);

} // namespace medseg::core::detail
