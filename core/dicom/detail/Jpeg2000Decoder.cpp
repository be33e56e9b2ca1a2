#include "core/dicom/detail/Jpeg2000Decoder.h"

#include <openjpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace medseg::core::detail {
namespace {

struct MemorySource
{
    const std::uint8_t *data;
    std::size_t size;
    std::size_t offset;
};

OPJ_SIZE_T readMemory(void *buffer, OPJ_SIZE_T count, void *user)
{
    auto *source = static_cast<MemorySource *>(user);
    if (source->offset >= source->size)
        return OPJ_SIZE_T(-1); // OpenJPEG's end-of-stream marker
    const std::size_t n = std::min<std::size_t>(count, source->size - source->offset);
    std::memcpy(buffer, source->data + source->offset, n);
    source->offset += n;
    return n;
}

OPJ_OFF_T skipMemory(OPJ_OFF_T count, void *user)
{
    auto *source = static_cast<MemorySource *>(user);
    const auto target =
        std::clamp<OPJ_OFF_T>(OPJ_OFF_T(source->offset) + count, 0, OPJ_OFF_T(source->size));
    const OPJ_OFF_T skipped = target - OPJ_OFF_T(source->offset);
    source->offset = std::size_t(target);
    return skipped;
}

OPJ_BOOL seekMemory(OPJ_OFF_T position, void *user)
{
    auto *source = static_cast<MemorySource *>(user);
    if (position < 0 || std::size_t(position) > source->size)
        return OPJ_FALSE;
    source->offset = std::size_t(position);
    return OPJ_TRUE;
}

// OpenJPEG reports errors through a callback; keep the last one for the exception.
void rememberError(const char *message, void *user)
{
    auto *text = static_cast<std::string *>(user);
    *text = message ? message : "";
    while (!text->empty() && (text->back() == '\n' || text->back() == ' '))
        text->pop_back();
}

void ignoreMessage(const char *, void *) {}

struct CodecDeleter
{
    void operator()(opj_codec_t *codec) const { opj_destroy_codec(codec); }
};
struct StreamDeleter
{
    void operator()(opj_stream_t *stream) const { opj_stream_destroy(stream); }
};
struct ImageDeleter
{
    void operator()(opj_image_t *image) const { opj_image_destroy(image); }
};

} // namespace

Jpeg2000Image decodeJpeg2000(const std::uint8_t *data, std::size_t size)
{
    static const std::uint8_t jp2Signature[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50,
                                                0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A};
    if (!data || size < 4)
        throw std::runtime_error("JPEG 2000 frame is empty");
    const bool isJp2 =
        size >= sizeof jp2Signature && std::memcmp(data, jp2Signature, sizeof jp2Signature) == 0;

    std::unique_ptr<opj_codec_t, CodecDeleter> codec(
        opj_create_decompress(isJp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K));
    std::string error;
    opj_set_error_handler(codec.get(), rememberError, &error);
    opj_set_warning_handler(codec.get(), ignoreMessage, nullptr);
    opj_set_info_handler(codec.get(), ignoreMessage, nullptr);

    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    if (!opj_setup_decoder(codec.get(), &parameters))
        throw std::runtime_error("OpenJPEG: cannot set up the decoder");

    MemorySource source{data, size, 0};
    std::unique_ptr<opj_stream_t, StreamDeleter> stream(opj_stream_default_create(OPJ_TRUE));
    opj_stream_set_user_data(stream.get(), &source, nullptr);
    opj_stream_set_user_data_length(stream.get(), size);
    opj_stream_set_read_function(stream.get(), readMemory);
    opj_stream_set_skip_function(stream.get(), skipMemory);
    opj_stream_set_seek_function(stream.get(), seekMemory);

    opj_image_t *rawImage = nullptr;
    if (!opj_read_header(stream.get(), codec.get(), &rawImage)) {
        opj_image_destroy(rawImage);
        throw std::runtime_error("JPEG 2000 header is corrupt: " + error);
    }
    std::unique_ptr<opj_image_t, ImageDeleter> image(rawImage);
    if (!opj_decode(codec.get(), stream.get(), image.get()) ||
        !opj_end_decompress(codec.get(), stream.get()))
        throw std::runtime_error("JPEG 2000 data is corrupt: " + error);

    if (image->numcomps == 0 || !image->comps)
        throw std::runtime_error("JPEG 2000 frame has no components");
    Jpeg2000Image result;
    result.components = int(image->numcomps);
    result.width = int(image->comps[0].w);
    result.height = int(image->comps[0].h);
    result.precision = int(image->comps[0].prec);
    result.isSigned = image->comps[0].sgnd != 0;
    for (int c = 0; c < result.components; ++c) {
        const opj_image_comp_t &component = image->comps[c];
        // Subsampled chroma would need upsampling; DICOM's J2K transfer syntaxes never use it.
        if (!component.data || int(component.w) != result.width ||
            int(component.h) != result.height)
            throw std::runtime_error("JPEG 2000 components differ in size");
    }
    const std::size_t pixels = std::size_t(result.width) * std::size_t(result.height);
    result.samples.resize(pixels * std::size_t(result.components));
    for (int c = 0; c < result.components; ++c) {
        const OPJ_INT32 *plane = image->comps[c].data;
        std::int32_t *out = result.samples.data() + c;
        for (std::size_t n = 0; n < pixels; ++n)
            out[n * std::size_t(result.components)] = plane[n];
    }
    return result;
}

} // namespace medseg::core::detail
