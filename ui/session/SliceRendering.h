#pragma once

#include "core/imageio/SeriesReader.h"
#include "core/dicom/WindowLevel.h"
#include "core/image/Volume.h"

#include <QImage>
#include <QPointF>
#include <QSizeF>

#include <array>
#include <atomic>
#include <functional>

namespace medseg::ui {

// The three planes of ITK-SNAP's layout. Each fixes one voxel axis: axial the slice index k,
// sagittal the column i, coronal the row j.
enum class SliceOrientation { Axial, Sagittal, Coronal };

// How one plane maps voxels to the 2D image drawn on screen: screen x follows voxel axis
// `horizontalAxis`, screen y follows `verticalAxis` (flipped for sagittal and coronal so that
// the slice index grows upward, as radiologists expect superior at the top).
struct PlaneLayout
{
    int fixedAxis = 2;
    int horizontalAxis = 0;
    int verticalAxis = 1;
    bool flipVertical = false;
    int width = 0;
    int height = 0;
    // Millimetres per image pixel along x and y: the aspect ratio to draw with.
    QSizeF pixelSpacing{1.0, 1.0};
    // Anatomical letters at the left, right, top and bottom edges (R/L, A/P, S/I).
    std::array<char, 4> edgeLetters{{'?', '?', '?', '?'}};
};

PlaneLayout planeLayout(const core::Volume &volume, SliceOrientation orientation);
// Voxel index of image pixel (x, y) on the plane through `fixedIndex`.
std::array<int, 3> planeToVoxel(const PlaneLayout &layout, int x, int y, int fixedIndex);
// Image pixel of a voxel on its plane.
QPointF voxelToPlane(const PlaneLayout &layout, const std::array<int, 3> &voxel);

// Renders the plane through `fixedIndex` as 8-bit grey through `lut` (Format_Grayscale8), or as
// RGB for 3-component volumes (Format_RGB888). Slices for which `isSliceReady(k)` is false are
// drawn black: they are still being decoded on another thread and must not be read.
QImage renderPlane(const core::Volume &volume, SliceOrientation orientation, int fixedIndex,
                   const core::WindowLut &lut, const std::function<bool(int)> &isSliceReady = {});

// The window a series opens with: the file's first window; else the CT abdomen preset for CT;
// else the 1st to 99th percentile of the middle slice.
core::Window openingWindow(const core::SeriesLayout &layout, const core::Volume &volume);
// The LUT for a window on this volume (covers the whole value range of any DICOM pixel type).
core::WindowLut makeLut(const core::Window &window, bool invert);

// A small preview of one DICOM file (its middle frame), for the browser's thumbnails.
// Returns a null image if the file cannot be decoded.
QImage renderThumbnail(const QString &path, int size);

} // namespace medseg::ui
