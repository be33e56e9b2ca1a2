#include "ui/session/SliceRendering.h"

#include <algorithm>
#include <cmath>

namespace medseg::ui {
namespace {

// Wide enough for every stored pixel type after rescale (int16, uint16, and the usual HU
// range); values outside are clamped by the LUT, where any sensible window is flat anyway.
constexpr int LutMin = -32768;
constexpr int LutMax = 65535;

core::Vec3 scaled(const core::Vec3 &v, double s)
{
    return {v[0] * s, v[1] * s, v[2] * s};
}

} // namespace

PlaneLayout planeLayout(const core::Volume &volume, SliceOrientation orientation)
{
    const core::ImageGeometry &g = volume.geometry();
    const std::array<int, 3> size{volume.width(), volume.height(), volume.depth()};
    const std::array<core::Vec3, 3> axes{g.rowDirection, g.columnDirection, g.normal};

    PlaneLayout layout;
    switch (orientation) {
    case SliceOrientation::Axial:
        layout.fixedAxis = 2;
        layout.horizontalAxis = 0;
        layout.verticalAxis = 1;
        break;
    case SliceOrientation::Sagittal:
        layout.fixedAxis = 0;
        layout.horizontalAxis = 1;
        layout.verticalAxis = 2;
        layout.flipVertical = true;
        break;
    case SliceOrientation::Coronal:
        layout.fixedAxis = 1;
        layout.horizontalAxis = 0;
        layout.verticalAxis = 2;
        layout.flipVertical = true;
        break;
    }
    layout.width = size[std::size_t(layout.horizontalAxis)];
    layout.height = size[std::size_t(layout.verticalAxis)];
    layout.pixelSpacing = QSizeF(g.spacing[std::size_t(layout.horizontalAxis)],
                                 g.spacing[std::size_t(layout.verticalAxis)]);

    const core::Vec3 right = axes[std::size_t(layout.horizontalAxis)];
    const core::Vec3 down =
        scaled(axes[std::size_t(layout.verticalAxis)], layout.flipVertical ? -1.0 : 1.0);
    layout.edgeLetters = {
        core::orientationLetter(scaled(right, -1.0)), core::orientationLetter(right),
        core::orientationLetter(scaled(down, -1.0)), core::orientationLetter(down)};
    return layout;
}

std::array<int, 3> planeToVoxel(const PlaneLayout &layout, int x, int y, int fixedIndex)
{
    std::array<int, 3> voxel{};
    voxel[std::size_t(layout.fixedAxis)] = fixedIndex;
    voxel[std::size_t(layout.horizontalAxis)] = x;
    voxel[std::size_t(layout.verticalAxis)] = layout.flipVertical ? layout.height - 1 - y : y;
    return voxel;
}

QPointF voxelToPlane(const PlaneLayout &layout, const std::array<int, 3> &voxel)
{
    const int x = voxel[std::size_t(layout.horizontalAxis)];
    const int v = voxel[std::size_t(layout.verticalAxis)];
    return QPointF(x, layout.flipVertical ? layout.height - 1 - v : v);
}

QImage renderPlane(const core::Volume &volume, SliceOrientation orientation, int fixedIndex,
                   const core::WindowLut &lut, const std::function<bool(int)> &isSliceReady)
{
    if (volume.isEmpty())
        return {};
    const PlaneLayout layout = planeLayout(volume, orientation);
    const bool rgb = volume.components() >= 3;
    QImage image(layout.width, layout.height,
                 rgb ? QImage::Format_RGB888 : QImage::Format_Grayscale8);
    image.fill(0);
    const auto ready = [&](int k) {
        return !isSliceReady || isSliceReady(k);
    };

    const int components = volume.components();
    for (int y = 0; y < layout.height; ++y) {
        uchar *line = image.scanLine(y);
        if (orientation == SliceOrientation::Axial) {
            if (!ready(fixedIndex))
                break;
            const float *row =
                volume.slice(fixedIndex) + std::size_t(y) * volume.width() * components;
            if (rgb) {
                for (int x = 0; x < layout.width; ++x) {
                    for (int c = 0; c < 3; ++c)
                        line[x * 3 + c] = uchar(std::clamp(row[x * components + c], 0.0f, 255.0f));
                }
            } else {
                lut.apply(row, std::size_t(layout.width), line, std::size_t(components));
            }
            continue;
        }
        // Sagittal and coronal rows run along the slice axis: every pixel of a row of the
        // image comes from the same slice k.
        const std::array<int, 3> first = planeToVoxel(layout, 0, y, fixedIndex);
        const int k = first[2];
        if (!ready(k))
            continue;
        for (int x = 0; x < layout.width; ++x) {
            const std::array<int, 3> v = planeToVoxel(layout, x, y, fixedIndex);
            if (rgb) {
                for (int c = 0; c < 3; ++c)
                    line[x * 3 + c] =
                        uchar(std::clamp(volume.value(v[0], v[1], v[2], c), 0.0f, 255.0f));
            } else {
                line[x] = lut.map(volume.value(v[0], v[1], v[2]));
            }
        }
    }
    return image;
}

core::Window openingWindow(const core::SeriesLayout &layout, const core::Volume &volume)
{
    for (const core::Window &window : layout.windows) {
        if (window.isValid())
            return window;
    }
    if (layout.modality == "CT")
        return core::findPreset("abdomen");
    if (volume.isEmpty())
        return {};
    const int middle = volume.depth() / 2;
    return core::percentileWindow(volume.slice(middle),
                                  std::size_t(volume.width()) * volume.height(), 1.0, 99.0,
                                  std::size_t(volume.components()));
}

core::WindowLut makeLut(const core::Window &window, bool invert)
{
    return core::WindowLut(window, LutMin, LutMax, invert);
}

QImage renderThumbnail(const QString &path, int size)
{
    try {
        core::SeriesReader loader = core::SeriesReader::forFile(path.toStdString());
        loader.prepare();
        const auto volume = loader.volume();
        const int middle = volume->depth() / 2;
        loader.decodeSlice(middle); // one frame, not a whole cine loop
        const core::Window window = openingWindow(loader.layout(), *volume);
        const core::WindowLut lut = makeLut(window, loader.layout().invertForDisplay);
        const QImage image = renderPlane(*volume, SliceOrientation::Axial, middle, lut);
        const PlaneLayout plane = planeLayout(*volume, SliceOrientation::Axial);
        const QSizeF physical(plane.width * plane.pixelSpacing.width(),
                              plane.height * plane.pixelSpacing.height());
        const QSize target = physical.scaled(size, size, Qt::KeepAspectRatio).toSize();
        return image.scaled(target.expandedTo(QSize(1, 1)), Qt::IgnoreAspectRatio,
                            Qt::SmoothTransformation);
    } catch (const std::exception &) {
        return {};
    }
}

} // namespace medseg::ui
