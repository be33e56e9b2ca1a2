#pragma once

// Hostile DICOM files made from a real sample's bytes (issue 24): the tests that prove the
// indexer, the series loader and the workstation survive them share these, so that each crash
// found once stays a regression test wherever the file can arrive. Qt only (no DCMTK), so GUI
// tests can use them too.

#include <QByteArray>
#include <QList>
#include <QtEndian>

#include <utility>

namespace medseg::testing {

// Where the data set starts: after the preamble, "DICM" and the meta group (explicit VR little
// endian), or 0 for a bare data set.
inline qsizetype dataSetStart(const QByteArray &bytes)
{
    if (bytes.mid(128, 4) != "DICM")
        return 0;
    qsizetype at = 132;
    while (at + 8 <= bytes.size() && qFromLittleEndian<quint16>(bytes.constData() + at) == 0x0002) {
        const QByteArray vr = bytes.mid(at + 4, 2);
        const bool longLength = vr == "OB" || vr == "OW" || vr == "SQ" || vr == "UN";
        at += longLength ? 12 + qFromLittleEndian<quint32>(bytes.constData() + at + 8)
                         : 8 + qFromLittleEndian<quint16>(bytes.constData() + at + 6);
    }
    return at;
}

// The sample with (0008,0006) sequences of undefined length nested `depth` levels deep before
// its first element, in the data set's own encoding (DCMTK's recursive parser overflowed its
// stack on 100,000 levels).
inline QByteArray withNestedSequences(const QByteArray &sample, bool implicitVr, bool bigEndian,
                                      int depth)
{
    const auto u16 = [&](quint16 v) {
        QByteArray b(2, '\0');
        bigEndian ? qToBigEndian(v, b.data()) : qToLittleEndian(v, b.data());
        return b;
    };
    const auto u32 = [&](quint32 v) {
        QByteArray b(4, '\0');
        bigEndian ? qToBigEndian(v, b.data()) : qToLittleEndian(v, b.data());
        return b;
    };
    const QByteArray sequence = u16(0x0008) + u16(0x0006) +
                                (implicitVr ? QByteArray() : QByteArray("SQ\0\0", 4)) +
                                u32(0xFFFFFFFFu);
    const QByteArray item = u16(0xFFFE) + u16(0xE000) + u32(0xFFFFFFFFu);
    const QByteArray ends = u16(0xFFFE) + u16(0xE00D) + u32(0) + u16(0xFFFE) + u16(0xE0DD) + u32(0);
    const qsizetype at = dataSetStart(sample);
    return sample.left(at) + (sequence + item).repeated(depth) + ends.repeated(depth) +
           sample.mid(at);
}

// An RLE-compressed sample (encapsulated pixel data, explicit VR little endian) whose first
// fragment's 64-byte RLE header is replaced by `header` (the segment count, then the offsets;
// the rest zero). Empty when the sample is not laid out that way.
inline QByteArray withRleHeader(QByteArray sample, const QList<quint32> &header)
{
    // Pixel data (7FE0,0010) OB, undefined length: the offset table item, then fragment 1.
    qsizetype at = sample.lastIndexOf(QByteArray("\xe0\x7f\x10\x00", 4)) + 12;
    const QByteArray itemTag("\xfe\xff\x00\xe0", 4);
    if (at < 12 || sample.mid(at, 4) != itemTag)
        return {};
    at += 8 + qsizetype(qFromLittleEndian<quint32>(sample.constData() + at + 4));
    if (sample.mid(at, 4) != itemTag || at + 8 + 64 > sample.size())
        return {};
    const qsizetype rle = at + 8;
    for (int n = 0; n < 16; ++n)
        qToLittleEndian<quint32>(n < header.size() ? header[n] : 0u, sample.data() + rle + 4 * n);
    return sample;
}

// An explicit-VR little-endian sample whose Rows (0028,0010) and Columns (0028,0011) claim
// `rows` x `columns`, with the pixel data it has. Empty when the sample has no such elements.
inline QByteArray withClaimedSize(QByteArray sample, quint16 rows, quint16 columns)
{
    for (const auto &[element, value] :
         {std::pair<quint16, quint16>{0x0010, rows}, {0x0011, columns}}) {
        QByteArray tag("\x28\x00\x00\x00US\x02\x00", 8);
        qToLittleEndian<quint16>(element, tag.data() + 2);
        const qsizetype at = sample.indexOf(tag, dataSetStart(sample));
        if (at < 0)
            return {};
        qToLittleEndian<quint16>(value, sample.data() + at + 8);
    }
    return sample;
}

} // namespace medseg::testing
