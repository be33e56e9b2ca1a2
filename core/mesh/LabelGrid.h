#pragma once

#include "core/image/ImageGeometry.h"
#include "core/image/Volume.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace medseg::core {

// A read-only view of a dense label volume: float (core::Volume, values rounded), uint8 or
// uint16 voxels, slice-major like Volume, with the grid's patient geometry. The GUI keeps its
// label maps as uint8/uint16 buffers and the CLI reads NIfTI into a float Volume; the mesh and
// statistics code takes this one view so that neither has to copy into the other's type.
// The viewed memory must outlive the view.
class LabelGrid
{
public:
    enum class Type { Float32, UInt8, UInt16 };

    // Component 0 of `labels`; throws std::runtime_error if it has several components.
    explicit LabelGrid(const Volume &labels);
    LabelGrid(const std::uint8_t *data, int width, int height, int depth,
              const ImageGeometry &geometry);
    LabelGrid(const std::uint16_t *data, int width, int height, int depth,
              const ImageGeometry &geometry);

    int width() const { return m_width; }
    int height() const { return m_height; }
    int depth() const { return m_depth; }
    std::size_t voxelCount() const { return std::size_t(m_width) * m_height * m_depth; }
    const ImageGeometry &geometry() const { return m_geometry; }
    Type type() const { return m_type; }

    int label(std::size_t index) const
    {
        switch (m_type) {
        case Type::UInt8:
            return static_cast<const std::uint8_t *>(m_data)[index];
        case Type::UInt16:
            return static_cast<const std::uint16_t *>(m_data)[index];
        case Type::Float32:
            break;
        }
        return int(std::lround(static_cast<const float *>(m_data)[index]));
    }
    int label(int i, int j, int k) const
    {
        return label((std::size_t(k) * m_height + j) * m_width + i);
    }

    // Calls f(i, j, k, index, label) for every voxel, slice by slice; the voxel type is
    // switched on once, not per voxel.
    template <typename F>
    void forEachVoxel(F &&f) const
    {
        switch (m_type) {
        case Type::UInt8:
            scan(static_cast<const std::uint8_t *>(m_data), f);
            break;
        case Type::UInt16:
            scan(static_cast<const std::uint16_t *>(m_data), f);
            break;
        case Type::Float32:
            scan(static_cast<const float *>(m_data), f);
            break;
        }
    }


private:
    template <typename T, typename F>
    void scan(const T *data, F &f) const
    {
        std::size_t index = 0;
        for (int k = 0; k < m_depth; ++k)
            for (int j = 0; j < m_height; ++j)
                for (int i = 0; i < m_width; ++i, ++index) {
                    int value;
                    if constexpr (std::is_floating_point_v<T>)
                        value = int(std::lround(data[index]));
                    else
                        value = int(data[index]);
                    f(i, j, k, index, value);
                }
    }

    const void *m_data = nullptr;
    Type m_type = Type::UInt8;
    int m_width = 0;
    int m_height = 0;
    int m_depth = 0;
    ImageGeometry m_geometry;
};

} // namespace medseg::core
