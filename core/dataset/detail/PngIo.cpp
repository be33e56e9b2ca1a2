#include "core/dataset/detail/PngIo.h"

#include "core/dataset/detail/ImageSize.h"

#include <png.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace medseg::core::detail {
namespace {

struct FileCloser
{
    void operator()(std::FILE *file) const { std::fclose(file); }
};

// libpng reports errors by longjmp: the functions that call it below hold only plain data, so
// nothing with a destructor is skipped and no local is clobbered.
struct PngError
{
    char message[256] = "";
};

[[noreturn]] void onPngError(png_structp png, png_const_charp message)
{
    auto *error = static_cast<PngError *>(png_get_error_ptr(png));
    std::snprintf(error->message, sizeof error->message, "%s", message);
    png_longjmp(png, 1);
}

void onPngWarning(png_structp, png_const_charp) {}

bool writePalettePng(png_structp png, png_infop info, std::FILE *file, int width, int height,
                     const std::uint8_t *indexes, const png_color *colours, int colourCount)
{
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_init_io(png, file);
    png_set_IHDR(png, info, png_uint_32(width), png_uint_32(height), 8, PNG_COLOR_TYPE_PALETTE,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_PLTE(png, info, colours, colourCount);
    png_write_info(png, info);
    for (int y = 0; y < height; ++y)
        png_write_row(png, indexes + std::size_t(y) * std::size_t(width));
    png_write_end(png, nullptr);
    return true;
}

struct PngHeader
{
    int width = 0;
    int height = 0;
    int channels = 0;
    bool indexed = false;
    std::size_t rowBytes = 0;
    png_colorp palette = nullptr;
    int paletteSize = 0;
};

bool readPngHeader(png_structp png, png_infop info, std::FILE *file, PngHeader *header)
{
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_init_io(png, file);
    png_set_sig_bytes(png, 8);
    png_read_info(png, info);
    const int type = png_get_color_type(png, info);
    const int depth = png_get_bit_depth(png, info);
    header->width = int(png_get_image_width(png, info));
    header->height = int(png_get_image_height(png, info));
    if (depth == 16)
        png_set_strip_16(png);
    if (type == PNG_COLOR_TYPE_PALETTE) {
        header->indexed = true;
        if (depth < 8)
            png_set_packing(png); // indexes stay indexes, one per byte
        png_get_PLTE(png, info, &header->palette, &header->paletteSize);
    } else if (type == PNG_COLOR_TYPE_GRAY && depth < 8) {
        png_set_expand_gray_1_2_4_to_8(png);
    }
    if (type & PNG_COLOR_MASK_ALPHA)
        png_set_strip_alpha(png);
    png_read_update_info(png, info);
    header->channels = int(png_get_channels(png, info));
    header->rowBytes = png_get_rowbytes(png, info);
    return true;
}

bool readPngRows(png_structp png, png_bytepp rows)
{
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_read_image(png, rows);
    png_read_end(png, nullptr);
    return true;
}

} // namespace

std::vector<std::array<std::uint8_t, 3>> vocPalette()
{
    std::vector<std::array<std::uint8_t, 3>> palette(256);
    for (int index = 0; index < 256; ++index) {
        int c = index;
        std::array<std::uint8_t, 3> colour{0, 0, 0};
        for (int shift = 7; shift >= 0; --shift) {
            for (int channel = 0; channel < 3; ++channel)
                colour[std::size_t(channel)] |= std::uint8_t(((c >> channel) & 1) << shift);
            c >>= 3;
        }
        palette[std::size_t(index)] = colour;
    }
    return palette;
}

void writeIndexedPng(const std::string &path, int width, int height, const std::uint8_t *indexes,
                     const std::vector<std::array<std::uint8_t, 3>> &palette)
{
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
    if (!file)
        throw std::runtime_error(path + ": cannot open for writing");
    PngError error;
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, &error, onPngError, onPngWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        throw std::runtime_error(path + ": out of memory");
    }
    std::vector<png_color> colours(palette.size());
    for (std::size_t n = 0; n < palette.size(); ++n)
        colours[n] = {palette[n][0], palette[n][1], palette[n][2]};
    const bool ok = writePalettePng(png, info, file.get(), width, height, indexes, colours.data(),
                                    int(colours.size()));
    png_destroy_write_struct(&png, &info);
    if (!ok)
        throw std::runtime_error(path + ": " + error.message);
    if (std::fflush(file.get()) != 0)
        throw std::runtime_error(path + ": cannot write");
}

PngImage readPng(const std::string &path)
{
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file)
        throw std::runtime_error(path + ": cannot open");
    png_byte signature[8] = {};
    if (std::fread(signature, 1, 8, file.get()) != 8 || png_sig_cmp(signature, 0, 8) != 0)
        throw std::runtime_error(path + ": not a PNG file");
    PngError error;
    png_structp png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, &error, onPngError, onPngWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
        png_destroy_read_struct(&png, nullptr, nullptr);
        throw std::runtime_error(path + ": out of memory");
    }
    PngHeader header;
    if (!readPngHeader(png, info, file.get(), &header)) {
        png_destroy_read_struct(&png, &info, nullptr);
        throw std::runtime_error(path + ": broken PNG: " + error.message);
    }
    try {
        checkSliceSize(path, header.width, header.height);
    } catch (...) {
        png_destroy_read_struct(&png, &info, nullptr);
        throw;
    }
    if (header.channels != 1 && header.channels != 3) {
        png_destroy_read_struct(&png, &info, nullptr);
        throw std::runtime_error(path + ": only grey, palette and RGB(A) PNGs are supported");
    }
    PngImage image;
    image.width = header.width;
    image.height = header.height;
    image.channels = header.channels;
    image.indexed = header.indexed;
    for (int n = 0; n < header.paletteSize; ++n)
        image.palette.push_back(
            {header.palette[n].red, header.palette[n].green, header.palette[n].blue});
    image.pixels.resize(header.rowBytes * std::size_t(header.height));
    std::vector<png_bytep> rows(std::size_t(header.height));
    for (int y = 0; y < header.height; ++y)
        rows[std::size_t(y)] = image.pixels.data() + header.rowBytes * std::size_t(y);
    const bool ok = readPngRows(png, rows.data());
    png_destroy_read_struct(&png, &info, nullptr);
    if (!ok)
        throw std::runtime_error(path + ": broken PNG: " + error.message);
    return image;
}

} // namespace medseg::core::detail
