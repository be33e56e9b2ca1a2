#include "core/dicom/detail/NestingScan.h"

#include <dcmtk/dcmdata/dctag.h>

#include <cstring>
#include <fstream>
#include <vector>

namespace medseg::core::detail {
namespace {

constexpr std::uint32_t UndefinedLength = 0xFFFFFFFFu;

struct Encoding
{
    bool explicitVr = true;
    bool bigEndian = false;
};

// Element headers read one at a time; values are skipped by seeking.
class HeaderReader
{
public:
    explicit HeaderReader(const std::string &path)
        : m_in(path, std::ios::binary)
    {
        m_in.seekg(0, std::ios::end);
        m_size = std::uint64_t(std::max<std::streamoff>(0, m_in.tellg()));
    }

    std::uint64_t size() const { return m_size; }
    // False past the end of the file.
    bool read(std::uint64_t at, unsigned char *bytes, std::size_t count)
    {
        if (at + count > m_size)
            return false;
        m_in.clear();
        m_in.seekg(std::streamoff(at));
        m_in.read(reinterpret_cast<char *>(bytes), std::streamsize(count));
        return bool(m_in);
    }

private:
    std::ifstream m_in;
    std::uint64_t m_size = 0;
};

std::uint32_t value16(const unsigned char *b, bool bigEndian)
{
    return bigEndian ? (std::uint32_t(b[0]) << 8 | b[1]) : (std::uint32_t(b[1]) << 8 | b[0]);
}

std::uint32_t value32(const unsigned char *b, bool bigEndian)
{
    return bigEndian ? (value16(b, true) << 16 | value16(b + 2, true))
                     : (value16(b + 2, false) << 16 | value16(b, false));
}

bool isVr(const unsigned char *b)
{
    return b[0] >= 'A' && b[0] <= 'Z' && b[1] >= 'A' && b[1] <= 'Z';
}

// VRs with a 4-byte length after two reserved bytes in explicit VR.
bool hasLongLength(const unsigned char *vr)
{
    static const char *const longVrs[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                          "SV", "UC", "UN", "UR", "UT", "UV"};
    for (const char *name : longVrs)
        if (std::memcmp(vr, name, 2) == 0)
            return true;
    return false;
}

// The meta group (explicit little endian) names the data set's transfer syntax. Returns the
// position after the group; false for a deflated data set (which cannot be walked unread).
bool readMeta(HeaderReader &file, std::uint64_t &pos, Encoding &encoding)
{
    std::string syntax;
    unsigned char h[8];
    while (file.read(pos, h, 8) && value16(h, false) == 0x0002 && isVr(h + 4)) {
        std::uint64_t length = value16(h + 6, false), header = 8;
        if (hasLongLength(h + 4)) {
            unsigned char l[4];
            if (!file.read(pos + 8, l, 4))
                return true;
            length = value32(l, false);
            header = 12;
        }
        if (value16(h + 2, false) == 0x0010 && length < 80) {
            std::vector<unsigned char> text(length);
            if (file.read(pos + header, text.data(), length))
                syntax.assign(text.begin(), text.end());
        }
        pos += header + length;
    }
    while (!syntax.empty() && (syntax.back() == '\0' || syntax.back() == ' '))
        syntax.pop_back();
    if (syntax == "1.2.840.10008.1.2.1.99")
        return false;
    encoding.explicitVr = syntax != "1.2.840.10008.1.2";
    encoding.bigEndian = syntax == "1.2.840.10008.1.2.2";
    return true;
}

} // namespace

std::string nestingProblem(const std::string &path, std::uint64_t start, bool hasPreamble)
{
    HeaderReader file(path);
    std::uint64_t pos = start;
    Encoding encoding;
    if (hasPreamble) {
        if (!readMeta(file, pos, encoding))
            return {};
    } else {
        unsigned char h[6];
        encoding.explicitVr = file.read(pos, h, 6) && isVr(h + 4);
    }

    // Open sequences and items: where each ends (UndefinedLength: at its delimiter), whether
    // its items are raw bytes (encapsulated pixel data's fragments), and whether what it holds
    // is implicit VR (inside a UN of undefined length).
    struct Open
    {
        std::uint64_t end = UndefinedLength;
        bool rawItems = false;
        bool implicitInside = false;
    };
    std::vector<Open> open;
    unsigned char h[12];
    while (true) {
        while (!open.empty() && open.back().end != UndefinedLength && pos >= open.back().end)
            open.pop_back();
        if (!file.read(pos, h, 8))
            return {};
        const bool big = encoding.bigEndian;
        const bool implicitHere =
            !encoding.explicitVr || (!open.empty() && open.back().implicitInside);
        const std::uint32_t group = value16(h, big), element = value16(h + 2, big);
        if (group == 0xFFFE) {
            const std::uint32_t length = value32(h + 4, big);
            pos += 8;
            if (element == 0xE000) { // an item
                if (!open.empty() && open.back().rawItems) {
                    if (length == UndefinedLength)
                        return {};
                    pos += length;
                    continue;
                }
                open.push_back({length == UndefinedLength ? UndefinedLength : pos + length, false,
                                implicitHere});
            } else if (!open.empty()) { // an item's or a sequence's delimiter
                open.pop_back();
                continue;
            }
        } else {
            std::uint64_t length = 0;
            bool sequence = false, raw = false, implicitInside = implicitHere;
            if (!implicitHere && isVr(h + 4)) {
                if (hasLongLength(h + 4)) {
                    if (!file.read(pos + 8, h + 8, 4))
                        return {};
                    length = value32(h + 8, big);
                    pos += 12;
                } else {
                    length = value16(h + 6, big);
                    pos += 8;
                }
                const bool undefined = length == UndefinedLength;
                const bool bytes =
                    std::memcmp(h + 4, "OB", 2) == 0 || std::memcmp(h + 4, "OW", 2) == 0;
                sequence = std::memcmp(h + 4, "SQ", 2) == 0 || (undefined && bytes) ||
                           (undefined && std::memcmp(h + 4, "UN", 2) == 0);
                raw = undefined && bytes;
                implicitInside = undefined && std::memcmp(h + 4, "UN", 2) == 0;
            } else {
                length = value32(h + 4, big);
                pos += 8;
                const bool pixels = group == 0x7FE0 && element == 0x0010;
                sequence = length == UndefinedLength ||
                           DcmTag(Uint16(group), Uint16(element)).getEVR() == EVR_SQ;
                raw = pixels && length == UndefinedLength;
            }
            if (!sequence) {
                if (length == UndefinedLength)
                    return {}; // not something this scan can follow: DCMTK decides
                pos += length;
                continue;
            }
            open.push_back(
                {length == UndefinedLength ? UndefinedLength : pos + length, raw, implicitInside});
        }
        if (int(open.size()) > 2 * MaxSequenceNesting)
            return "sequences nested more than " + std::to_string(MaxSequenceNesting) +
                   " levels deep (real images nest a few): the file is damaged or was made to "
                   "crash readers";
    }
}

} // namespace medseg::core::detail
