#include "core/dataset/detail/ImageSize.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace medseg::core::detail {
namespace {

std::uint32_t bigEndian(const unsigned char *p, int bytes)
{
    std::uint32_t value = 0;
    for (int i = 0; i < bytes; ++i)
        value = (value << 8) | p[i];
    return value;
}

std::uint32_t littleEndian(const unsigned char *p, int bytes)
{
    std::uint32_t value = 0;
    for (int i = bytes - 1; i >= 0; --i)
        value = (value << 8) | p[i];
    return value;
}

// The first start-of-frame marker's height and width (baseline, progressive, lossless...).
std::optional<std::pair<int, int>> jpegSize(std::ifstream &in)
{
    unsigned char marker[4];
    in.seekg(2);
    while (in.read(reinterpret_cast<char *>(marker), 4)) {
        if (marker[0] != 0xFF)
            return std::nullopt;
        const int type = marker[1];
        const std::uint32_t length = bigEndian(marker + 2, 2);
        const bool startOfFrame =
            type >= 0xC0 && type <= 0xCF && type != 0xC4 && type != 0xC8 && type != 0xCC;
        if (startOfFrame) {
            unsigned char frame[5];
            if (!in.read(reinterpret_cast<char *>(frame), 5))
                return std::nullopt;
            return std::pair<int, int>{int(bigEndian(frame + 3, 2)), int(bigEndian(frame + 1, 2))};
        }
        if (length < 2)
            return std::nullopt;
        in.seekg(std::streamoff(length - 2), std::ios::cur);
    }
    return std::nullopt;
}

} // namespace

std::optional<std::pair<int, int>> imageFileSize(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    unsigned char head[26] = {};
    if (!in.read(reinterpret_cast<char *>(head), sizeof head))
        return std::nullopt;
    static const unsigned char pngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (std::equal(pngSignature, pngSignature + 8, head) && bigEndian(head + 12, 4) == 0x49484452)
        return std::pair<int, int>{int(bigEndian(head + 16, 4) & 0x7FFFFFFF),
                                   int(bigEndian(head + 20, 4) & 0x7FFFFFFF)};
    if (head[0] == 0xFF && head[1] == 0xD8)
        return jpegSize(in);
    if (head[0] == 'B' && head[1] == 'M') {
        const auto height = std::int32_t(littleEndian(head + 22, 4));
        return std::pair<int, int>{int(littleEndian(head + 18, 4) & 0x7FFFFFFF),
                                   height < 0 ? -height : height};
    }
    return std::nullopt;
}

void checkSliceSize(const std::string &path, int width, int height)
{
    constexpr long long MaxSide = 16384, MaxPixels = 1LL << 27;
    if (width < 1 || height < 1 || width > MaxSide || height > MaxSide ||
        (long long)width * height > MaxPixels)
        throw std::runtime_error(path + ": the file says it is " + std::to_string(width) + " x " +
                                 std::to_string(height) +
                                 " pixels, more than a slice can be (at most 16384 a side and "
                                 "134 million pixels); it is damaged or not a slice");
}

} // namespace medseg::core::detail
