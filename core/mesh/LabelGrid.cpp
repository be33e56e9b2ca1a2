#include "core/mesh/LabelGrid.h"

#include <stdexcept>

namespace medseg::core {

LabelGrid::LabelGrid(const Volume &labels)
    : m_data(labels.data())
    , m_type(Type::Float32)
    , m_width(labels.width())
    , m_height(labels.height())
    , m_depth(labels.depth())
    , m_geometry(labels.geometry())
{
    if (labels.components() != 1)
        throw std::runtime_error("a label volume must have one component, not " +
                                 std::to_string(labels.components()));
}

LabelGrid::LabelGrid(const std::uint8_t *data, int width, int height, int depth,
                     const ImageGeometry &geometry)
    : m_data(data)
    , m_type(Type::UInt8)
    , m_width(width)
    , m_height(height)
    , m_depth(depth)
    , m_geometry(geometry)
{}

LabelGrid::LabelGrid(const std::uint16_t *data, int width, int height, int depth,
                     const ImageGeometry &geometry)
    : m_data(data)
    , m_type(Type::UInt16)
    , m_width(width)
    , m_height(height)
    , m_depth(depth)
    , m_geometry(geometry)
{}

} // namespace medseg::core
