#include "core/labels/LabelMap.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace medseg::core {

int fixedAxis(SliceAxis axis)
{
    switch (axis) {
    case SliceAxis::Axial:
        return 2;
    case SliceAxis::Sagittal:
        return 0;
    case SliceAxis::Coronal:
        return 1;
    }
    return 2;
}

std::array<int, 2> planeAxes(SliceAxis axis)
{
    switch (axis) {
    case SliceAxis::Axial:
        return {0, 1};
    case SliceAxis::Sagittal:
        return {1, 2};
    case SliceAxis::Coronal:
        return {0, 2};
    }
    return {0, 1};
}

std::array<int, 3> sliceToVoxel(SliceAxis axis, int u, int v, int slice)
{
    switch (axis) {
    case SliceAxis::Axial:
        return {u, v, slice};
    case SliceAxis::Sagittal:
        return {slice, u, v};
    case SliceAxis::Coronal:
        return {u, slice, v};
    }
    return {u, v, slice};
}

LabelMap::LabelMap(int width, int height, int depth, const ImageGeometry &geometry)
    : m_width(width)
    , m_height(height)
    , m_depth(depth)
    , m_geometry(geometry)
{
    if (width < 0 || height < 0 || depth < 0)
        throw std::invalid_argument("LabelMap: negative dimensions");
    m_tilesX = (width + TileSize - 1) / TileSize;
    m_tilesY = (height + TileSize - 1) / TileSize;
    m_tiles.resize(std::size_t(m_tilesX) * m_tilesY * depth);
}

LabelMap::LabelMap(const Volume &image)
    : LabelMap(image.width(), image.height(), image.depth(), image.geometry())
{}

LabelMap::LabelMap(const LabelMap &other)
    : m_width(other.m_width)
    , m_height(other.m_height)
    , m_depth(other.m_depth)
    , m_tilesX(other.m_tilesX)
    , m_tilesY(other.m_tilesY)
    , m_wide(other.m_wide)
    , m_geometry(other.m_geometry)
{
    const std::size_t bytes = std::size_t(TileVoxels) * (m_wide ? 2 : 1);
    m_tiles.resize(other.m_tiles.size());
    for (std::size_t t = 0; t < m_tiles.size(); ++t) {
        if (other.m_tiles[t]) {
            m_tiles[t].reset(new std::uint8_t[bytes]);
            std::memcpy(m_tiles[t].get(), other.m_tiles[t].get(), bytes);
        }
    }
}

LabelMap &LabelMap::operator=(const LabelMap &other)
{
    if (this != &other) {
        LabelMap copy(other);
        *this = std::move(copy);
    }
    return *this;
}

std::uint8_t *LabelMap::ensureTile(std::size_t tile)
{
    auto &slot = m_tiles[tile];
    if (!slot) {
        const std::size_t bytes = std::size_t(TileVoxels) * (m_wide ? 2 : 1);
        slot.reset(new std::uint8_t[bytes]());
    }
    return slot.get();
}

void LabelMap::widen()
{
    if (m_wide)
        return;
    for (auto &slot : m_tiles) {
        if (!slot)
            continue;
        std::unique_ptr<std::uint8_t[]> wide(new std::uint8_t[std::size_t(TileVoxels) * 2]);
        auto *out = reinterpret_cast<std::uint16_t *>(wide.get());
        for (int v = 0; v < TileVoxels; ++v)
            out[v] = slot[v];
        slot = std::move(wide);
    }
    m_wide = true;
}

void LabelMap::setValue(int i, int j, int k, LabelValue value)
{
    if (value > 255 && !m_wide)
        widen();
    const std::size_t t = tileIndex(i, j, k);
    if (!m_tiles[t] && value == 0)
        return;
    std::uint8_t *tile = ensureTile(t);
    const int offset = tileOffset(i, j);
    if (m_wide)
        reinterpret_cast<std::uint16_t *>(tile)[offset] = value;
    else
        tile[offset] = std::uint8_t(value);
}

int LabelMap::sliceWidth(SliceAxis axis) const
{
    return dims()[planeAxes(axis)[0]];
}

int LabelMap::sliceHeight(SliceAxis axis) const
{
    return dims()[planeAxes(axis)[1]];
}

int LabelMap::sliceCount(SliceAxis axis) const
{
    return dims()[fixedAxis(axis)];
}

namespace {

template <typename In, typename Out>
inline Out narrowValue(In value)
{
    if constexpr (sizeof(Out) < sizeof(In))
        return value > 255 ? Out(255) : Out(value);
    else
        return Out(value);
}

// Copies `count` values starting at tile voxel `offset` with stride `stride` into out.
template <typename In, typename Out>
inline void copyStrided(const In *tile, int offset, int stride, int count, Out *out)
{
    if constexpr (std::is_same_v<In, Out>) {
        if (stride == 1) {
            std::memcpy(out, tile + offset, sizeof(Out) * std::size_t(count));
            return;
        }
    }
    for (int n = 0; n < count; ++n)
        out[n] = narrowValue<In, Out>(tile[offset + n * stride]);
}

} // namespace

template <typename Out>
static void extractSliceImpl(const LabelMap &map,
                             const std::vector<std::unique_ptr<std::uint8_t[]>> &tiles, bool wide,
                             SliceAxis axis, int slice, Out *out, bool flip)
{
    const int w = map.sliceWidth(axis);
    const int h = map.sliceHeight(axis);
    if (slice < 0 || slice >= map.sliceCount(axis))
        throw std::out_of_range("LabelMap::extractSlice: slice " + std::to_string(slice) +
                                " outside the volume");
    const int T = LabelMap::TileSize;
    auto rowOut = [&](int v) {
        return out + std::size_t(flip ? h - 1 - v : v) * w;
    };
    // Copies a run of values along the tile's x (stride 1) or y (stride 64) direction.
    auto copyRun = [&](std::size_t t, int offset, int stride, int count, Out *dst) {
        const std::uint8_t *tile = tiles[t].get();
        if (!tile)
            std::fill(dst, dst + count, Out(0));
        else if (wide)
            copyStrided(reinterpret_cast<const std::uint16_t *>(tile), offset, stride, count, dst);
        else
            copyStrided(tile, offset, stride, count, dst);
    };
    switch (axis) {
    case SliceAxis::Axial:
        for (int j = 0; j < h; ++j) {
            Out *dst = rowOut(j);
            for (int tx = 0; tx < map.tilesX(); ++tx) {
                const int i0 = tx * T;
                const int n = std::min(T, w - i0);
                copyRun(map.tileIndex(i0, j, slice), LabelMap::tileOffset(0, j), 1, n, dst + i0);
            }
        }
        break;
    case SliceAxis::Coronal: // u = i, v = k, fixed j
        for (int k = 0; k < h; ++k) {
            Out *dst = rowOut(k);
            for (int tx = 0; tx < map.tilesX(); ++tx) {
                const int i0 = tx * T;
                const int n = std::min(T, w - i0);
                copyRun(map.tileIndex(i0, slice, k), LabelMap::tileOffset(0, slice), 1, n,
                        dst + i0);
            }
        }
        break;
    case SliceAxis::Sagittal: // u = j, v = k, fixed i
        for (int k = 0; k < h; ++k) {
            Out *dst = rowOut(k);
            for (int ty = 0; ty < map.tilesY(); ++ty) {
                const int j0 = ty * T;
                const int n = std::min(T, w - j0);
                copyRun(map.tileIndex(slice, j0, k), LabelMap::tileOffset(slice, 0), T, n,
                        dst + j0);
            }
        }
        break;
    }
}

void LabelMap::extractSlice(SliceAxis axis, int slice, std::uint16_t *out, bool flipVertical) const
{
    extractSliceImpl(*this, m_tiles, m_wide, axis, slice, out, flipVertical);
}

void LabelMap::extractSlice(SliceAxis axis, int slice, std::uint8_t *out, bool flipVertical) const
{
    extractSliceImpl(*this, m_tiles, m_wide, axis, slice, out, flipVertical);
}

std::vector<LabelValue> LabelMap::slice(SliceAxis axis, int index) const
{
    std::vector<LabelValue> out(std::size_t(sliceWidth(axis)) * sliceHeight(axis));
    extractSlice(axis, index, out.data());
    return out;
}

bool LabelMap::sliceHasLabels(SliceAxis axis, int index) const
{
    if (axis == SliceAxis::Axial) {
        bool any = false;
        for (int ty = 0; ty < m_tilesY && !any; ++ty)
            for (int tx = 0; tx < m_tilesX && !any; ++tx)
                any = hasTile((std::size_t(index) * m_tilesY + ty) * m_tilesX + tx);
        if (!any)
            return false;
    }
    const std::vector<LabelValue> values = slice(axis, index);
    return std::any_of(values.begin(), values.end(), [](LabelValue v) { return v != 0; });
}

template <typename Out>
static void toDenseImpl(const LabelMap &map, Out *out)
{
    const std::size_t sliceSize = std::size_t(map.width()) * map.height();
    for (int k = 0; k < map.depth(); ++k)
        map.extractSlice(SliceAxis::Axial, k, out + k * sliceSize);
}

std::vector<LabelValue> LabelMap::toDense() const
{
    std::vector<LabelValue> out(voxelCount());
    toDense(out.data());
    return out;
}

void LabelMap::toDense(std::uint16_t *out) const
{
    toDenseImpl(*this, out);
}

void LabelMap::toDense(std::uint8_t *out) const
{
    toDenseImpl(*this, out);
}

template <typename In>
static void assignDenseImpl(LabelMap &map, const In *values)
{
    map.clear();
    std::uint16_t tile[LabelMap::TileVoxels];
    const int T = LabelMap::TileSize;
    for (int k = 0; k < map.depth(); ++k)
        for (int ty = 0; ty < map.tilesY(); ++ty)
            for (int tx = 0; tx < map.tilesX(); ++tx) {
                bool any = false;
                std::fill(tile, tile + LabelMap::TileVoxels, std::uint16_t(0));
                const int i0 = tx * T, j0 = ty * T;
                const int nx = std::min(T, map.width() - i0), ny = std::min(T, map.height() - j0);
                for (int y = 0; y < ny; ++y) {
                    const In *row =
                        values + (std::size_t(k) * map.height() + j0 + y) * map.width() + i0;
                    for (int x = 0; x < nx; ++x) {
                        tile[y * T + x] = row[x];
                        any |= row[x] != 0;
                    }
                }
                if (any)
                    map.writeTile(map.tileIndex(i0, j0, k), tile);
            }
}

void LabelMap::assignDense(const std::uint16_t *values)
{
    assignDenseImpl(*this, values);
}

void LabelMap::assignDense(const std::uint8_t *values)
{
    assignDenseImpl(*this, values);
}

LabelMap LabelMap::fromDense(const std::vector<LabelValue> &values, int width, int height,
                             int depth, const ImageGeometry &geometry)
{
    LabelMap map(width, height, depth, geometry);
    if (values.size() != map.voxelCount())
        throw std::invalid_argument("LabelMap::fromDense: " + std::to_string(values.size()) +
                                    " values for " + std::to_string(map.voxelCount()) + " voxels");
    map.assignDense(values.data());
    return map;
}

Volume LabelMap::toVolume() const
{
    Volume volume(m_width, m_height, m_depth, 1);
    volume.setGeometry(m_geometry);
    std::vector<LabelValue> row(std::size_t(m_width) * m_height);
    for (int k = 0; k < m_depth; ++k) {
        if (!sliceHasLabels(SliceAxis::Axial, k))
            continue; // the volume is zeroed already
        extractSlice(SliceAxis::Axial, k, row.data());
        float *dst = volume.slice(k);
        for (std::size_t n = 0; n < row.size(); ++n)
            dst[n] = float(row[n]);
    }
    return volume;
}

LabelMap LabelMap::fromVolume(const Volume &volume)
{
    if (volume.components() != 1)
        throw std::runtime_error("LabelMap::fromVolume: a label volume has one component, not " +
                                 std::to_string(volume.components()));
    std::vector<LabelValue> values(volume.voxelCount());
    const float *src = volume.data();
    for (std::size_t n = 0; n < values.size(); ++n) {
        const float rounded = std::nearbyint(src[n]);
        if (!(rounded >= 0.0f && rounded <= float(MaxLabelValue)))
            throw std::runtime_error("LabelMap::fromVolume: value " + std::to_string(src[n]) +
                                     " is not a label (0..65535)");
        values[n] = LabelValue(rounded);
    }
    return fromDense(values, volume.width(), volume.height(), volume.depth(), volume.geometry());
}

std::vector<std::size_t> LabelMap::countVoxels() const
{
    std::vector<std::size_t> counts(m_wide ? MaxLabelValue + 1 : 256, 0);
    std::size_t nonBackground = 0;
    const int T = TileSize;
    for (int k = 0; k < m_depth; ++k)
        for (int ty = 0; ty < m_tilesY; ++ty)
            for (int tx = 0; tx < m_tilesX; ++tx) {
                const std::uint8_t *tile = m_tiles[tileIndex(tx * T, ty * T, k)].get();
                if (!tile)
                    continue;
                const int nx = std::min(T, m_width - tx * T), ny = std::min(T, m_height - ty * T);
                for (int y = 0; y < ny; ++y)
                    for (int x = 0; x < nx; ++x) {
                        const LabelValue v =
                            m_wide ? reinterpret_cast<const std::uint16_t *>(tile)[y * T + x]
                                   : tile[y * T + x];
                        if (v) {
                            ++counts[v];
                            ++nonBackground;
                        }
                    }
            }
    counts[0] = voxelCount() - nonBackground;
    std::size_t size = counts.size();
    while (size > 1 && counts[size - 1] == 0)
        --size;
    counts.resize(size);
    return counts;
}

std::size_t LabelMap::memoryBytes() const
{
    return sizeof(*this) + m_tiles.capacity() * sizeof(m_tiles[0]) +
           allocatedTileCount() * std::size_t(TileVoxels) * (m_wide ? 2 : 1);
}

std::size_t LabelMap::allocatedTileCount() const
{
    return std::size_t(
        std::count_if(m_tiles.begin(), m_tiles.end(), [](const auto &t) { return t != nullptr; }));
}

void LabelMap::releaseEmptyTiles()
{
    const std::size_t bytes = std::size_t(TileVoxels) * (m_wide ? 2 : 1);
    for (auto &slot : m_tiles)
        if (slot &&
            std::all_of(slot.get(), slot.get() + bytes, [](std::uint8_t b) { return b == 0; }))
            slot.reset();
}

void LabelMap::clear()
{
    for (auto &slot : m_tiles)
        slot.reset();
}

void LabelMap::readTile(std::size_t tile, std::uint16_t *out) const
{
    const std::uint8_t *data = m_tiles[tile].get();
    if (!data)
        std::fill(out, out + TileVoxels, std::uint16_t(0));
    else if (m_wide)
        std::memcpy(out, data, sizeof(std::uint16_t) * TileVoxels);
    else
        std::copy(data, data + TileVoxels, out);
}

void LabelMap::writeTile(std::size_t tile, const std::uint16_t *in)
{
    bool any = false;
    bool wide = false;
    for (int v = 0; v < TileVoxels; ++v) {
        any |= in[v] != 0;
        wide |= in[v] > 255;
    }
    if (!any) {
        m_tiles[tile].reset();
        return;
    }
    if (wide)
        widen();
    std::uint8_t *data = ensureTile(tile);
    if (m_wide)
        std::memcpy(data, in, sizeof(std::uint16_t) * TileVoxels);
    else
        std::copy(in, in + TileVoxels, data);
}

} // namespace medseg::core
