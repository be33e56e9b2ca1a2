#include "core/dicom/detail/PixelDecoding.h"

#include "core/dicom/detail/DicomReading.h"
#include "core/dicom/detail/Jpeg2000Decoder.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

namespace medseg::core::detail {
namespace {

bool startsWith(const std::string &text, const char *prefix)
{
    return text.rfind(prefix, 0) == 0;
}

// Native YBR_FULL_422 / YBR_PARTIAL_422 store two luma samples per chroma pair: Y1 Y2 Cb Cr.
bool isSubsampledNative(const std::string &photometric)
{
    return startsWith(photometric, "YBR_FULL_422") || startsWith(photometric, "YBR_PARTIAL_42");
}

std::uint8_t clampToByte(double value)
{
    // DCMTK truncates after clamping (dcmimage's convertValue); so do we, for equal renders.
    if (!(value > 0.0))
        return 0;
    if (value > 255.0)
        return 255;
    return std::uint8_t(value);
}

void fullYbrToRgb(double y, double cb, double cr, float *rgb)
{
    // PS3.3 C.7.6.3.1.2, with DCMTK's constants (dcmimage diybrpxt.h).
    rgb[0] = clampToByte(y + 1.4020 * cr - 0.7010 * 255.0);
    rgb[1] = clampToByte(y - 0.3441 * cb - 0.7141 * cr + 0.5291 * 255.0);
    rgb[2] = clampToByte(y + 1.7720 * cb - 0.8859 * 255.0);
}

void partialYbrToRgb(double y, double cb, double cr, float *rgb)
{
    const double luma = 1.1631 * (y - 16.0);
    rgb[0] = clampToByte(luma + 1.5969 * (cr - 128.0));
    rgb[1] = clampToByte(luma - 0.3913 * (cb - 128.0) - 0.8121 * (cr - 128.0));
    rgb[2] = clampToByte(luma + 2.0177 * (cb - 128.0));
}

// Stored bits of one sample as a signed or unsigned integer (PS3.5 8.1.1).
struct SampleExtractor
{
    int shift = 0;
    std::uint32_t mask = 0xFFFFFFFFu;
    std::int64_t signBit = 0; // 0 for unsigned samples
    std::int64_t range = 0;

    explicit SampleExtractor(const PixelFormat &format)
    {
        shift = std::max(0, format.highBit + 1 - format.bitsStored);
        mask = format.bitsStored >= 32 ? 0xFFFFFFFFu : ((1u << format.bitsStored) - 1u);
        if (format.isSigned) {
            signBit = std::int64_t(1) << (format.bitsStored - 1);
            range = std::int64_t(1) << format.bitsStored;
        }
    }
    std::int64_t operator()(std::uint32_t raw) const
    {
        std::int64_t value = std::int64_t((raw >> shift) & mask);
        if (signBit && (value & signBit))
            value -= range;
        return value;
    }
};

template <typename Raw>
void rescaleSamples(const Raw *in, std::size_t count, float *out, const PixelFormat &format,
                    const Rescale &rescale)
{
    const bool fullWidth =
        format.highBit + 1 == format.bitsStored && format.bitsStored == int(sizeof(Raw) * 8);
    // Integer rescale of 8/16-bit data is exact in float arithmetic; the general case goes
    // through double so that a slope like 9.57 rounds once.
    const bool floatExact = rescale.slope == 1.0 &&
                            rescale.intercept == std::floor(rescale.intercept) &&
                            std::abs(rescale.intercept) < 8388608.0 && sizeof(Raw) <= 2;
    const auto store = [&](auto load) {
        if (floatExact) {
            const float intercept = float(rescale.intercept);
            for (std::size_t n = 0; n < count; ++n)
                out[n] = float(load(n)) + intercept;
        } else {
            for (std::size_t n = 0; n < count; ++n)
                out[n] = float(double(load(n)) * rescale.slope + rescale.intercept);
        }
    };
    if (fullWidth) {
        using Signed = std::make_signed_t<Raw>;
        if (format.isSigned)
            store([in](std::size_t n) { return Signed(in[n]); });
        else
            store([in](std::size_t n) { return in[n]; });
    } else {
        const SampleExtractor extract(format);
        store([in, &extract](std::size_t n) { return extract(std::uint32_t(in[n])); });
    }
}

template <typename Raw>
void paletteSamples(const Raw *in, std::size_t count, float *out, const PixelFormat &format,
                    const Palette &palette)
{
    const SampleExtractor extract(format);
    const std::int64_t last = std::int64_t(palette.red.size()) - 1;
    for (std::size_t n = 0; n < count; ++n) {
        const std::int64_t index =
            std::clamp<std::int64_t>(extract(std::uint32_t(in[n])) - palette.firstMapped, 0, last);
        out[3 * n + 0] = palette.red[std::size_t(index)];
        out[3 * n + 1] = palette.green[std::size_t(index)];
        out[3 * n + 2] = palette.blue[std::size_t(index)];
    }
}

// Colour samples to RGB 0..255. `sample(pixel, component)` reads one stored sample.
template <typename Sample>
void colourSamples(std::size_t pixels, float *out, const std::string &model, int bitsStored,
                   Sample sample)
{
    const int down = std::max(0, bitsStored - 8);
    const auto byte = [down](std::int64_t v) {
        return double(std::clamp<std::int64_t>(v >> down, 0, 255));
    };
    if (model == "RGB" || model == "YBR_RCT" || model == "YBR_ICT") {
        for (std::size_t p = 0; p < pixels; ++p)
            for (int c = 0; c < 3; ++c)
                out[3 * p + std::size_t(c)] = float(byte(sample(p, c)));
    } else if (startsWith(model, "YBR_FULL")) {
        for (std::size_t p = 0; p < pixels; ++p)
            fullYbrToRgb(byte(sample(p, 0)), byte(sample(p, 1)), byte(sample(p, 2)), out + 3 * p);
    } else if (startsWith(model, "YBR_PARTIAL")) {
        for (std::size_t p = 0; p < pixels; ++p)
            partialYbrToRgb(byte(sample(p, 0)), byte(sample(p, 1)), byte(sample(p, 2)),
                            out + 3 * p);
    } else {
        throw std::runtime_error("unsupported colour model " + model);
    }
}

template <typename Raw>
void convertFrame(const Raw *in, const PixelFormat &format, const std::string &model, int planar,
                  bool native, const Rescale &rescale, const Palette *palette, float *out)
{
    const std::size_t pixels = std::size_t(format.rows) * std::size_t(format.columns);
    if (format.samplesPerPixel == 1) {
        if (palette)
            paletteSamples(in, pixels, out, format, *palette);
        else
            rescaleSamples(in, pixels, out, format, rescale);
        return;
    }
    const SampleExtractor extract(format);
    if (native && isSubsampledNative(model)) {
        // Y1 Y2 Cb Cr for every pair of pixels along a row.
        const bool partial = startsWith(model, "YBR_PARTIAL");
        const int down = std::max(0, format.bitsStored - 8);
        const auto byte = [&](std::size_t index) {
            return double(
                std::clamp<std::int64_t>(extract(std::uint32_t(in[index])) >> down, 0, 255));
        };
        for (std::size_t pair = 0; pair < pixels / 2; ++pair) {
            const double cb = byte(4 * pair + 2);
            const double cr = byte(4 * pair + 3);
            for (int k = 0; k < 2; ++k) {
                const double y = byte(4 * pair + std::size_t(k));
                float *rgb = out + 3 * (2 * pair + std::size_t(k));
                if (partial)
                    partialYbrToRgb(y, cb, cr, rgb);
                else
                    fullYbrToRgb(y, cb, cr, rgb);
            }
        }
        return;
    }
    if (planar == 1) {
        colourSamples(pixels, out, model, format.bitsStored, [&](std::size_t p, int c) {
            return extract(std::uint32_t(in[std::size_t(c) * pixels + p]));
        });
    } else {
        colourSamples(pixels, out, model, format.bitsStored, [&](std::size_t p, int c) {
            return extract(std::uint32_t(in[3 * p + std::size_t(c)]));
        });
    }
}

std::size_t nativeFrameBytes(const PixelFormat &format)
{
    std::size_t samples = std::size_t(format.rows) * std::size_t(format.columns) *
                          std::size_t(format.samplesPerPixel);
    if (format.samplesPerPixel == 3 && isSubsampledNative(format.photometric))
        samples = samples * 2 / 3;
    return samples * std::size_t(format.bitsAllocated / 8);
}

std::uint32_t littleEndian32(const std::uint8_t *bytes)
{
    return std::uint32_t(bytes[0]) | (std::uint32_t(bytes[1]) << 8) |
           (std::uint32_t(bytes[2]) << 16) | (std::uint32_t(bytes[3]) << 24);
}

} // namespace

int PixelFormat::outputComponents() const
{
    return samplesPerPixel == 3 || photometric == "PALETTE COLOR" ? 3 : 1;
}

PixelFormat readPixelFormat(DcmItem &dataset)
{
    PixelFormat format;
    format.rows = int(getInt(dataset, DCM_Rows).value_or(0));
    format.columns = int(getInt(dataset, DCM_Columns).value_or(0));
    if (format.rows <= 0 || format.columns <= 0)
        throw std::runtime_error("no image size (Rows/Columns missing or zero)");
    format.frames = std::max(1, int(getInt(dataset, DCM_NumberOfFrames).value_or(1)));
    format.samplesPerPixel = int(getInt(dataset, DCM_SamplesPerPixel).value_or(1));
    format.bitsAllocated = int(getInt(dataset, DCM_BitsAllocated).value_or(0));
    format.bitsStored = int(getInt(dataset, DCM_BitsStored).value_or(format.bitsAllocated));
    format.highBit = int(getInt(dataset, DCM_HighBit).value_or(format.bitsStored - 1));
    format.isSigned = getInt(dataset, DCM_PixelRepresentation).value_or(0) == 1;
    format.planarConfiguration = int(getInt(dataset, DCM_PlanarConfiguration).value_or(0));
    format.photometric = getString(dataset, DCM_PhotometricInterpretation);

    DcmElement *pixelData = nullptr;
    if (dataset.findAndGetElement(DCM_PixelData, pixelData).bad()) {
        if (dataset.tagExists(DCM_FloatPixelData) || dataset.tagExists(DCM_DoubleFloatPixelData))
            throw std::runtime_error("float pixel data is not supported");
        throw std::runtime_error("no pixel data");
    }
    if (format.bitsAllocated == 1)
        throw std::runtime_error("1-bit pixel data (a segmentation or bitmap, not an image to "
                                 "window)");
    if (format.bitsAllocated != 8 && format.bitsAllocated != 16 && format.bitsAllocated != 32)
        throw std::runtime_error("unsupported Bits Allocated " +
                                 std::to_string(format.bitsAllocated));
    if (format.bitsStored < 1 || format.bitsStored > format.bitsAllocated)
        format.bitsStored = format.bitsAllocated;
    if (format.highBit < format.bitsStored - 1 || format.highBit >= format.bitsAllocated)
        format.highBit = format.bitsStored - 1;
    if (format.samplesPerPixel != 1 && format.samplesPerPixel != 3)
        throw std::runtime_error("unsupported Samples per Pixel " +
                                 std::to_string(format.samplesPerPixel));
    if (format.photometric.empty()) // ACR-NEMA files have none
        format.photometric = format.samplesPerPixel == 3 ? "RGB" : "MONOCHROME2";
    if (format.samplesPerPixel == 1 && format.photometric != "MONOCHROME1" &&
        format.photometric != "MONOCHROME2" && format.photometric != "PALETTE COLOR")
        throw std::runtime_error("unsupported photometric interpretation " + format.photometric);
    return format;
}

Palette readPalette(DcmItem &dataset, bool isSigned)
{
    const DcmTagKey descriptors[3] = {DCM_RedPaletteColorLookupTableDescriptor,
                                      DCM_GreenPaletteColorLookupTableDescriptor,
                                      DCM_BluePaletteColorLookupTableDescriptor};
    const DcmTagKey data[3] = {DCM_RedPaletteColorLookupTableData,
                               DCM_GreenPaletteColorLookupTableData,
                               DCM_BluePaletteColorLookupTableData};
    Palette palette;
    std::vector<std::uint8_t> *channels[3] = {&palette.red, &palette.green, &palette.blue};
    for (int c = 0; c < 3; ++c) {
        const std::vector<double> descriptor = getDoubles(dataset, descriptors[c]);
        if (descriptor.size() != 3)
            throw std::runtime_error("PALETTE COLOR image without a valid palette descriptor");
        // The descriptor is US or SS; read the raw 16 bits and apply PS3.3 C.7.6.3.1.5.
        const auto raw16 = [](double v) {
            return std::uint16_t(std::int64_t(v) & 0xFFFF);
        };
        const std::size_t entries = raw16(descriptor[0]) == 0 ? 65536 : raw16(descriptor[0]);
        const int first =
            isSigned ? int(std::int16_t(raw16(descriptor[1]))) : int(raw16(descriptor[1]));
        const int bits = int(descriptor[2]);
        const Uint16 *words = nullptr;
        unsigned long count = 0;
        if (dataset.findAndGetUint16Array(data[c], words, &count).bad() || !words) {
            if (dataset.tagExists(DCM_SegmentedRedPaletteColorLookupTableData))
                throw std::runtime_error("segmented palettes are not supported");
            throw std::runtime_error("PALETTE COLOR image without palette data");
        }
        std::vector<std::uint8_t> &channel = *channels[c];
        channel.resize(entries);
        const bool packedBytes = bits <= 8 && count < entries && count * 2 >= entries;
        for (std::size_t n = 0; n < entries; ++n) {
            unsigned value = 0;
            if (packedBytes)
                value = (words[n / 2] >> (8 * (n % 2))) & 0xFF; // two 8-bit entries per word
            else if (n < count)
                value = words[n];
            channel[n] = std::uint8_t(bits > 8 ? value >> (bits - 8) : value & 0xFF);
        }
        if (c == 0)
            palette.firstMapped = first;
        else if (first != palette.firstMapped || entries != palette.red.size())
            throw std::runtime_error("the three palettes differ in size");
    }
    return palette;
}

Rescale readRescale(DcmItem &dataset, int frame)
{
    DcmItem *group = functionalGroup(dataset, DCM_PixelValueTransformationSequence, frame);
    DcmItem &source = group ? *group : dataset;
    Rescale rescale;
    const std::optional<double> slope = getDouble(source, DCM_RescaleSlope);
    const std::optional<double> intercept = getDouble(source, DCM_RescaleIntercept);
    if (slope && std::isfinite(*slope) && *slope != 0.0)
        rescale.slope = *slope;
    if (intercept && std::isfinite(*intercept))
        rescale.intercept = *intercept;
    return rescale;
}

FrameDecoder::FrameDecoder(DcmFileFormat &file, std::string transferSyntaxUid)
    : m_dataset(*file.getDataset())
    , m_transferSyntaxUid(std::move(transferSyntaxUid))
{
    m_format = readPixelFormat(m_dataset);
    if (m_format.photometric == "PALETTE COLOR") {
        m_palette = readPalette(m_dataset, m_format.isSigned);
        m_hasPalette = true;
    }
    DcmElement *element = nullptr;
    m_dataset.findAndGetElement(DCM_PixelData, element);
    m_pixelData = dynamic_cast<DcmPixelData *>(element);
    if (!m_pixelData)
        throw std::runtime_error("no pixel data");
    m_encapsulated = DcmXfer(m_dataset.getOriginalXfer()).isEncapsulated();
    if (m_encapsulated && !isDecodableTransferSyntax(m_transferSyntaxUid))
        throw std::runtime_error("cannot decode transfer syntax " + m_transferSyntaxUid + " (" +
                                 DcmXfer(m_dataset.getOriginalXfer()).getXferName() + ")");
}

void FrameDecoder::decode(int frame, float *out)
{
    if (frame < 0 || frame >= m_format.frames)
        throw std::runtime_error("frame " + std::to_string(frame) + " does not exist");
    const Rescale rescale = readRescale(m_dataset, frame);
    if (m_encapsulated && isJpeg2000TransferSyntax(m_transferSyntaxUid)) {
        decodeJpeg2000(frame, out, rescale);
        return;
    }

    std::string model = m_format.photometric;
    int planar = m_format.planarConfiguration;
    if (!m_encapsulated) {
        const std::size_t frameBytes = nativeFrameBytes(m_format);
        const std::uint64_t offset = std::uint64_t(frame) * frameBytes;
        if (offset + frameBytes > m_pixelData->getLengthField())
            throw std::runtime_error("pixel data too short for frame " + std::to_string(frame));
        m_buffer.resize(frameBytes + 1);
        const OFCondition status = m_pixelData->getPartialValue(m_buffer.data(), Uint32(offset),
                                                                Uint32(frameBytes), &m_cache);
        if (status.bad())
            throw std::runtime_error(std::string("cannot read the pixel data: ") + status.text());
    } else {
        Uint32 frameSize = 0;
        OFCondition status = m_pixelData->getUncompressedFrameSize(&m_dataset, frameSize);
        if (status.bad())
            throw std::runtime_error(std::string("cannot size the frame: ") + status.text());
        m_buffer.resize(std::size_t(frameSize) + 2);
        if (m_transferSyntaxUid == UID_RLELosslessTransferSyntax)
            checkRleHeader(frame);
        Uint32 fragment = frame == m_nextFrame ? m_nextFragment : 0;
        OFString decodedModel;
        status =
            m_pixelData->getUncompressedFrame(&m_dataset, Uint32(frame), fragment, m_buffer.data(),
                                              Uint32(m_buffer.size()), decodedModel, &m_cache);
        if (status.bad())
            throw std::runtime_error(std::string("cannot decompress frame ") +
                                     std::to_string(frame) + ": " + status.text());
        m_nextFrame = frame + 1;
        m_nextFragment = fragment;
        if (!decodedModel.empty())
            model = decodedModel.c_str();
        // The JPEG-LS decoder may rewrite the planar configuration it produced.
        planar = int(getInt(m_dataset, DCM_PlanarConfiguration).value_or(0));
        if (std::size_t(frameSize) < std::size_t(m_format.rows) * std::size_t(m_format.columns) *
                                         std::size_t(m_format.samplesPerPixel) *
                                         std::size_t(m_format.bitsAllocated / 8))
            throw std::runtime_error("decompressed frame is too small");
    }

    const Palette *palette = m_hasPalette ? &m_palette : nullptr;
    const bool native = !m_encapsulated;
    switch (m_format.bitsAllocated) {
    case 8:
        convertFrame(m_buffer.data(), m_format, model, planar, native, rescale, palette, out);
        break;
    case 16:
        convertFrame(reinterpret_cast<const std::uint16_t *>(m_buffer.data()), m_format, model,
                     planar, native, rescale, palette, out);
        break;
    default:
        convertFrame(reinterpret_cast<const std::uint32_t *>(m_buffer.data()), m_format, model,
                     planar, native, rescale, palette, out);
        break;
    }
}

void FrameDecoder::checkRleHeader(int frame)
{
    DcmPixelSequence *sequence = pixelSequence(m_dataset, m_pixelData);
    if (!sequence || sequence->card() < 2)
        throw std::runtime_error("the RLE-compressed pixel data hold no fragments");
    // PS3.5 A.4.2: each frame is one fragment, after the Basic Offset Table (item 0).
    const unsigned long fragments = sequence->card() - 1;
    if (fragments != static_cast<unsigned long>(m_format.frames))
        throw std::runtime_error("the RLE-compressed pixel data hold " + std::to_string(fragments) +
                                 " fragments for " + std::to_string(m_format.frames) +
                                 " frames (the standard asks for one per frame)");
    DcmPixelItem *item = nullptr;
    Uint8 *bytes = nullptr;
    if (sequence->getItem(item, Uint32(frame) + 1).bad() || !item ||
        item->getUint8Array(bytes).bad() || !bytes)
        throw std::runtime_error("cannot read the RLE fragment of frame " + std::to_string(frame));
    const std::uint64_t length = item->getLength();
    const std::string where = "the RLE segment header of frame " + std::to_string(frame) + " ";
    if (length < 64)
        throw std::runtime_error(where + "is cut short (" + std::to_string(length) + " bytes)");
    // A segment per byte of each sample: 2 for 16-bit grey, 3 for 8-bit RGB.
    const std::uint32_t expected =
        std::uint32_t(m_format.samplesPerPixel) * std::uint32_t((m_format.bitsAllocated + 7) / 8);
    const std::uint32_t segments = littleEndian32(bytes);
    if (segments != expected)
        throw std::runtime_error(where + "is damaged: it lists " + std::to_string(segments) +
                                 " segments where the image needs " + std::to_string(expected));
    std::uint64_t previous = 0;
    for (std::uint32_t s = 0; s < segments; ++s) {
        const std::uint64_t offset = littleEndian32(bytes + 4 * (s + 1));
        if ((s == 0 && offset != 64) || (s > 0 && offset <= previous) || offset >= length)
            throw std::runtime_error(where + "is damaged: segment " + std::to_string(s + 1) +
                                     " starts at byte " + std::to_string(offset) +
                                     " of a fragment of " + std::to_string(length) + " bytes");
        previous = offset;
    }
}

std::vector<std::uint8_t> FrameDecoder::jpeg2000Fragments(int frame)
{
    DcmPixelSequence *sequence = pixelSequence(m_dataset, m_pixelData);
    if (!sequence || sequence->card() < 2)
        throw std::runtime_error("JPEG 2000 pixel data has no fragments");

    struct Fragment
    {
        const std::uint8_t *data = nullptr;
        std::size_t size = 0;
        std::uint64_t position = 0; // offset of the item tag after the offset table
    };
    std::vector<Fragment> fragments;
    std::uint64_t position = 0;
    for (unsigned long n = 1; n < sequence->card(); ++n) {
        DcmPixelItem *item = nullptr;
        if (sequence->getItem(item, n).bad() || !item)
            throw std::runtime_error("cannot read JPEG 2000 fragment");
        Uint8 *bytes = nullptr;
        item->getUint8Array(bytes);
        fragments.push_back({bytes, item->getLength(), position});
        position += 8 + item->getLength();
    }

    const int frames = m_format.frames;
    std::size_t first = 0;
    std::size_t last = fragments.size(); // exclusive
    if (frames == 1) {
        // every fragment
    } else if (int(fragments.size()) == frames) {
        first = std::size_t(frame);
        last = first + 1;
    } else {
        // The Basic Offset Table, else JPEG 2000's start-of-codestream marker (FF 4F FF 51).
        std::vector<std::size_t> starts;
        DcmPixelItem *table = nullptr;
        Uint8 *tableBytes = nullptr;
        if (sequence->getItem(table, 0).good() && table && table->getLength() >= 4u * frames &&
            table->getUint8Array(tableBytes).good() && tableBytes) {
            for (int f = 0; f < frames; ++f) {
                const std::uint64_t offset = littleEndian32(tableBytes + 4 * f);
                const auto found =
                    std::find_if(fragments.begin(), fragments.end(),
                                 [offset](const Fragment &x) { return x.position == offset; });
                if (found == fragments.end())
                    break;
                starts.push_back(std::size_t(found - fragments.begin()));
            }
        }
        if (int(starts.size()) != frames) {
            starts.clear();
            for (std::size_t n = 0; n < fragments.size(); ++n) {
                const Fragment &x = fragments[n];
                if (x.size >= 4 && x.data[0] == 0xFF && x.data[1] == 0x4F && x.data[2] == 0xFF &&
                    x.data[3] == 0x51)
                    starts.push_back(n);
            }
        }
        if (int(starts.size()) != frames)
            throw std::runtime_error("cannot find the fragments of JPEG 2000 frame " +
                                     std::to_string(frame));
        first = starts[std::size_t(frame)];
        last = frame + 1 < frames ? starts[std::size_t(frame) + 1] : fragments.size();
    }
    std::vector<std::uint8_t> bytes;
    for (std::size_t n = first; n < last; ++n) {
        if (fragments[n].data)
            bytes.insert(bytes.end(), fragments[n].data, fragments[n].data + fragments[n].size);
    }
    return bytes;
}

void FrameDecoder::decodeJpeg2000(int frame, float *out, const Rescale &rescale)
{
    const std::vector<std::uint8_t> bytes = jpeg2000Fragments(frame);
    const Jpeg2000Image image = detail::decodeJpeg2000(bytes.data(), bytes.size());
    if (image.width != m_format.columns || image.height != m_format.rows ||
        image.components != m_format.samplesPerPixel)
        throw std::runtime_error("JPEG 2000 frame is " + std::to_string(image.width) + "x" +
                                 std::to_string(image.height) + " with " +
                                 std::to_string(image.components) +
                                 " components; the header says otherwise");
    const std::size_t pixels = std::size_t(image.width) * std::size_t(image.height);
    // PixelRepresentation rules when the codestream disagrees about the sign.
    const bool extendSign = m_format.isSigned && !image.isSigned;
    const std::int64_t signBit = std::int64_t(1) << (std::max(1, image.precision) - 1);
    const auto value = [&](std::size_t index) {
        std::int64_t v = image.samples[index];
        if (extendSign && (v & signBit))
            v -= 2 * signBit;
        return v;
    };
    if (m_format.samplesPerPixel == 1 && !m_hasPalette) {
        for (std::size_t n = 0; n < pixels; ++n)
            out[n] = float(double(value(n)) * rescale.slope + rescale.intercept);
    } else if (m_hasPalette) {
        const std::int64_t lastEntry = std::int64_t(m_palette.red.size()) - 1;
        for (std::size_t n = 0; n < pixels; ++n) {
            const auto index = std::size_t(
                std::clamp<std::int64_t>(value(n) - m_palette.firstMapped, 0, lastEntry));
            out[3 * n] = m_palette.red[index];
            out[3 * n + 1] = m_palette.green[index];
            out[3 * n + 2] = m_palette.blue[index];
        }
    } else {
        colourSamples(pixels, out, m_format.photometric, image.precision,
                      [&](std::size_t p, int c) { return value(3 * p + std::size_t(c)); });
    }
}

} // namespace medseg::core::detail
