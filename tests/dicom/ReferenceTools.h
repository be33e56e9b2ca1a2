#pragma once

// Reference renders made at test time with Debian's DICOM tools: DCMTK's dcmj2pnm/dcml2pnm
// (package dcmtk) for windowed 8-bit images, GDCM's gdcmconv (package libgdcm-tools) to
// decompress JPEG 2000.

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace medseg::test {

// An 8-bit image, grey (channels 1) or RGB (channels 3), rows top to bottom.
struct Image8
{
    int width = 0;
    int height = 0;
    int channels = 0;
    std::vector<std::uint8_t> pixels;
};

// Binary PGM (P5) or PPM (P6) with maxval 255.
bool readPnm(const QString &path, Image8 &image);

// Runs a program with a time limit; returns "" on success, else what went wrong (missing
// program, exit code and stderr).
QString runTool(const QString &program, const QStringList &arguments);

// `tool` (dcmj2pnm or dcml2pnm) renders `dicom` with `options` (e.g. +Ww 40 400) into a PNM in
// `folder`; returns "" and fills `image`, or the error.
QString renderWithDcmtk(const QString &tool, const QStringList &options, const QString &dicom,
                        const QString &folder, Image8 &image);

} // namespace medseg::test
