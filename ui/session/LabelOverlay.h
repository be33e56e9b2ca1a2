#pragma once

#include "core/labels/LabelDescriptions.h"
#include "core/labels/LabelMap.h"
#include "ui/session/SliceRendering.h"

#include <QImage>
#include <QRect>

#include <cstdint>
#include <vector>

namespace medseg::ui {

// Premultiplied ARGB colour per label value, built once per table change: 256 entries for an
// 8-bit map, 65536 for a wide one. Hidden labels and label 0 are transparent.
class LabelColourLut
{
public:
    LabelColourLut() = default;
    LabelColourLut(const core::LabelDescriptions &table, double overlayOpacity, bool wide);

    bool isWide() const { return m_colours.size() > 256; }
    const std::uint32_t *data() const { return m_colours.data(); }
    std::uint32_t colour(int value) const
    {
        return value >= 0 && std::size_t(value) < m_colours.size() ? m_colours[std::size_t(value)]
                                                                   : 0u;
    }

private:
    std::vector<std::uint32_t> m_colours = std::vector<std::uint32_t>(256, 0u);
};

enum class OverlayStyle { Fill, Outline };

// Renders the labels of the plane through `fixedIndex` into a premultiplied ARGB32 image of the
// plane's size (as renderPlane lays it out: flipped for sagittal and coronal), coloured by
// `lut` (whose width must match map.isWide()). Outline draws only label voxels with a 4-neighbour
// of another value. Written with scanLine() and the LUT: ~1 ms for 512x512.
QImage renderLabelOverlay(const core::LabelMap &map, SliceOrientation orientation, int fixedIndex,
                          const LabelColourLut &lut, OverlayStyle style);
// The same into `image` (reused when it has the right size and format, to avoid allocations
// while scrolling); `scratch` holds the label slice.
void renderLabelOverlay(const core::LabelMap &map, SliceOrientation orientation, int fixedIndex,
                        const LabelColourLut &lut, OverlayStyle style, QImage &image,
                        std::vector<std::uint16_t> &scratch);

// Re-renders only `rect` (plane pixels) of an overlay rendered before into `image` for the same
// plane: what a brush dab changed, so that painting costs the dab's size, not the slice's.
void renderLabelOverlayRect(const core::LabelMap &map, SliceOrientation orientation, int fixedIndex,
                            const LabelColourLut &lut, OverlayStyle style, QImage &image,
                            const QRect &rect);

} // namespace medseg::ui
