#include "ui/session/LabelOverlay.h"

#include <algorithm>
#include <cmath>

namespace medseg::ui {

LabelColourLut::LabelColourLut(const core::LabelDescriptions &table, double overlayOpacity,
                               bool wide)
    : m_colours(wide ? 65536 : 256, 0u)
{
    const double global = std::clamp(overlayOpacity, 0.0, 1.0);
    for (const core::LabelDescription &label : table.labels()) {
        if (label.index <= 0 || std::size_t(label.index) >= m_colours.size() || !label.visible)
            continue;
        const double alpha = std::clamp(label.opacity, 0.0, 1.0) * global;
        const auto a = std::uint32_t(std::lround(alpha * 255.0));
        const auto premultiply = [alpha](std::uint8_t c) {
            return std::uint32_t(std::lround(c * alpha));
        };
        m_colours[std::size_t(label.index)] = (a << 24) | (premultiply(label.colour[0]) << 16) |
                                              (premultiply(label.colour[1]) << 8) |
                                              premultiply(label.colour[2]);
    }
}

void renderLabelOverlay(const core::LabelMap &map, SliceOrientation orientation, int fixedIndex,
                        const LabelColourLut &lut, OverlayStyle style, QImage &image,
                        std::vector<std::uint16_t> &scratch)
{
    const auto axis = static_cast<core::SliceAxis>(orientation);
    const int width = map.sliceWidth(axis);
    const int height = map.sliceHeight(axis);
    if (image.width() != width || image.height() != height ||
        image.format() != QImage::Format_ARGB32_Premultiplied)
        image = QImage(width, height, QImage::Format_ARGB32_Premultiplied);
    if (width <= 0 || height <= 0)
        return;
    if (fixedIndex < 0 || fixedIndex >= map.sliceCount(axis) ||
        !map.sliceHasLabels(axis, fixedIndex)) {
        image.fill(Qt::transparent);
        return;
    }
    // Same flip as renderPlane: sagittal and coronal put the highest slice index at the top.
    const bool flip = orientation != SliceOrientation::Axial;
    scratch.resize(std::size_t(width) * std::size_t(height));
    map.extractSlice(axis, fixedIndex, scratch.data(), flip);
    const std::uint32_t *colours = lut.data();
    const int lutSize = lut.isWide() ? 65536 : 256;
    const auto colourOf = [colours, lutSize](std::uint16_t v) {
        return v < lutSize ? colours[v] : 0u;
    };

    for (int y = 0; y < height; ++y) {
        const std::uint16_t *row = scratch.data() + std::size_t(y) * std::size_t(width);
        auto *out = reinterpret_cast<std::uint32_t *>(image.scanLine(y));
        if (style == OverlayStyle::Fill) {
            for (int x = 0; x < width; ++x)
                out[x] = colourOf(row[x]);
            continue;
        }
        const std::uint16_t *above = y > 0 ? row - width : nullptr;
        const std::uint16_t *below = y + 1 < height ? row + width : nullptr;
        for (int x = 0; x < width; ++x) {
            const std::uint16_t v = row[x];
            if (v == 0) {
                out[x] = 0u;
                continue;
            }
            // Image edges count as a boundary so that a label touching them stays closed.
            const bool edge = x == 0 || x + 1 == width || !above || !below || row[x - 1] != v ||
                              row[x + 1] != v || above[x] != v || below[x] != v;
            out[x] = edge ? colourOf(v) : 0u;
        }
    }
}

void renderLabelOverlayRect(const core::LabelMap &map, SliceOrientation orientation, int fixedIndex,
                            const LabelColourLut &lut, OverlayStyle style, QImage &image,
                            const QRect &rect)
{
    const auto axis = static_cast<core::SliceAxis>(orientation);
    const int width = map.sliceWidth(axis);
    const int height = map.sliceHeight(axis);
    if (image.width() != width || image.height() != height ||
        image.format() != QImage::Format_ARGB32_Premultiplied || fixedIndex < 0 ||
        fixedIndex >= map.sliceCount(axis))
        return;
    const QRect area = rect.intersected(QRect(0, 0, width, height));
    if (area.isEmpty())
        return;
    // Plane pixel (x, y) to voxel, as renderPlane lays the plane out (v flipped unless axial).
    const auto at = [&](int x, int y) -> std::uint16_t {
        switch (orientation) {
        case SliceOrientation::Axial:
            return map.value(x, y, fixedIndex);
        case SliceOrientation::Sagittal:
            return map.value(fixedIndex, x, height - 1 - y);
        case SliceOrientation::Coronal:
            return map.value(x, fixedIndex, height - 1 - y);
        }
        return 0;
    };
    const int lutSize = lut.isWide() ? 65536 : 256;
    const std::uint32_t *colours = lut.data();
    for (int y = area.top(); y <= area.bottom(); ++y) {
        auto *out = reinterpret_cast<std::uint32_t *>(image.scanLine(y));
        for (int x = area.left(); x <= area.right(); ++x) {
            const std::uint16_t v = at(x, y);
            std::uint32_t colour = v < lutSize ? colours[v] : 0u;
            if (style == OverlayStyle::Outline && v != 0) {
                const bool edge = x == 0 || y == 0 || x + 1 == width || y + 1 == height ||
                                  at(x - 1, y) != v || at(x + 1, y) != v || at(x, y - 1) != v ||
                                  at(x, y + 1) != v;
                if (!edge)
                    colour = 0u;
            }
            out[x] = colour;
        }
    }
}

QImage renderLabelOverlay(const core::LabelMap &map, SliceOrientation orientation, int fixedIndex,
                          const LabelColourLut &lut, OverlayStyle style)
{
    QImage image;
    std::vector<std::uint16_t> scratch;
    renderLabelOverlay(map, orientation, fixedIndex, lut, style, image, scratch);
    return image;
}

} // namespace medseg::ui
