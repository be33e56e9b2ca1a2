#pragma once

#include "core/image/ImageGeometry.h"

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

namespace medseg::core {

namespace detail {

// Zeroed memory for voxels: calloc, plus transparent huge pages on Linux for large blocks (as
// NumPy does for its arrays). Freed with freeZeroed().
void *allocateZeroed(std::size_t bytes);
void freeZeroed(void *memory) noexcept;

// Storage whose value-initialisation is skipped (allocateZeroed zeroed it already). Large
// blocks come from the kernel as untouched zero pages, so a volume costs nothing until it is
// written and its pages are faulted in by the threads that fill it: for a 400-slice CT the
// page faults of a zero-filled vector took longer (0.3 s, one thread) than decoding the series.
template <typename T>
struct ZeroedAllocator
{
    using value_type = T;
    ZeroedAllocator() = default;
    template <typename U>
    ZeroedAllocator(const ZeroedAllocator<U> &) noexcept
    {}
    T *allocate(std::size_t count)
    {
        if (count > std::size_t(-1) / sizeof(T))
            throw std::bad_alloc();
        return static_cast<T *>(allocateZeroed(count * sizeof(T)));
    }
    void deallocate(T *memory, std::size_t) noexcept { freeZeroed(memory); }
    // Only valid because memory is zeroed on allocation and the vector never shrinks and
    // regrows in place (Volume never resizes after construction).
    template <typename U>
    void construct(U *) noexcept
    {}
    template <typename U, typename... Args>
    void construct(U *place, Args &&...args)
    {
        ::new (static_cast<void *>(place)) U(std::forward<Args>(args)...);
    }
    template <typename U>
    bool operator==(const ZeroedAllocator<U> &) const noexcept
    {
        return true;
    }
    template <typename U>
    bool operator!=(const ZeroedAllocator<U> &) const noexcept
    {
        return false;
    }
};

} // namespace detail

// A 3D image on a regular grid: width x height x depth voxels of `components` float values
// (1 for grey images in rescaled units such as HU, 3 for RGB 0..255), stored slice by slice,
// row by row, components interleaved. Floats keep non-integer rescale slopes exact; a
// 512x512x500 CT takes 0.5 GiB.
class Volume
{
public:
    Volume() = default;
    Volume(int width, int height, int depth, int components = 1);

    int width() const { return m_width; }
    int height() const { return m_height; }
    int depth() const { return m_depth; }
    int components() const { return m_components; }
    bool isEmpty() const { return m_data.empty(); }
    std::size_t voxelCount() const { return std::size_t(m_width) * m_height * m_depth; }
    std::size_t sliceSize() const { return std::size_t(m_width) * m_height * m_components; }

    float *data() { return m_data.data(); }
    const float *data() const { return m_data.data(); }
    float *slice(int k) { return m_data.data() + sliceSize() * std::size_t(k); }
    const float *slice(int k) const { return m_data.data() + sliceSize() * std::size_t(k); }

    float value(int i, int j, int k, int c = 0) const
    {
        return m_data[((std::size_t(k) * m_height + j) * m_width + i) * m_components + c];
    }
    float &value(int i, int j, int k, int c = 0)
    {
        return m_data[((std::size_t(k) * m_height + j) * m_width + i) * m_components + c];
    }
    bool contains(int i, int j, int k) const
    {
        return i >= 0 && j >= 0 && k >= 0 && i < m_width && j < m_height && k < m_depth;
    }

    const ImageGeometry &geometry() const { return m_geometry; }
    void setGeometry(const ImageGeometry &geometry) { m_geometry = geometry; }

    // Smallest and largest value of component 0 (0, 0 for an empty volume).
    std::pair<float, float> range() const;

private:
    int m_width = 0;
    int m_height = 0;
    int m_depth = 0;
    int m_components = 1;
    std::vector<float, detail::ZeroedAllocator<float>> m_data;
    ImageGeometry m_geometry;
};

} // namespace medseg::core
