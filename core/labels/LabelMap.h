#pragma once

#include "core/image/ImageGeometry.h"
#include "core/image/Volume.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace medseg::core {

// A label value: 0 is background ("clear label"). Maps store 8 bits per voxel until a value
// above 255 is written, then 16 bits (the whole map widens once).
using LabelValue = std::uint16_t;
constexpr int MaxLabelValue = 65535;

// The three planes of ITK-SNAP's layout, in the order of ui::SliceOrientation (a static_cast
// converts). Each fixes one voxel axis. In a dense slice buffer, pixel (u, v) is at v*width+u:
//   Axial    fixes k: u = i, v = j  (width x height)
//   Sagittal fixes i: u = j, v = k  (height x depth)
//   Coronal  fixes j: u = i, v = k  (width x depth)
// v grows with the voxel index (the GUI flips sagittal/coronal to put superior at the top, or
// asks extractSlice to).
enum class SliceAxis { Axial, Sagittal, Coronal };

// The voxel axis (0 = i, 1 = j, 2 = k) a plane fixes, and its in-plane axes (u, v).
int fixedAxis(SliceAxis axis);
std::array<int, 2> planeAxes(SliceAxis axis);
// Voxel index of slice pixel (u, v) on the plane `axis` through `slice`.
std::array<int, 3> sliceToVoxel(SliceAxis axis, int u, int v, int slice);

// A label volume on an image grid, stored sparsely in tiles of 64x64 voxels of one axial slice:
// a tile that was never written (or was released after going back to all-zero) takes no memory,
// so a map costs what is painted plus an 8-byte pointer per tile (200 KB for 512x512x400). 2D
// tiles make axial slice extraction a row copy and keep 2D brushes to a handful of tiles.
//
// Edits that must be undoable go through LabelEdit, never setValue (see LabelEdit.h).
class LabelMap
{
public:
    static constexpr int TileSize = 64;
    static constexpr int TileVoxels = TileSize * TileSize;

    LabelMap() = default;
    LabelMap(int width, int height, int depth, const ImageGeometry &geometry = {});
    // A map on the grid of `image` (dimensions and geometry).
    explicit LabelMap(const Volume &image);
    LabelMap(const LabelMap &other);
    LabelMap &operator=(const LabelMap &other);
    LabelMap(LabelMap &&other) noexcept = default;
    LabelMap &operator=(LabelMap &&other) noexcept = default;
    ~LabelMap() = default;

    int width() const { return m_width; }
    int height() const { return m_height; }
    int depth() const { return m_depth; }
    std::array<int, 3> dims() const { return {m_width, m_height, m_depth}; }
    std::size_t voxelCount() const { return std::size_t(m_width) * m_height * m_depth; }
    bool isEmpty() const { return voxelCount() == 0; }
    bool contains(int i, int j, int k) const
    {
        return i >= 0 && j >= 0 && k >= 0 && i < m_width && j < m_height && k < m_depth;
    }
    const ImageGeometry &geometry() const { return m_geometry; }
    void setGeometry(const ImageGeometry &geometry) { m_geometry = geometry; }
    // True once a value above 255 was stored (16 bits per voxel).
    bool isWide() const { return m_wide; }

    // Voxel access; (i, j, k) must be inside (unchecked, as Volume::value).
    LabelValue value(int i, int j, int k) const
    {
        const std::uint8_t *tile = m_tiles[tileIndex(i, j, k)].get();
        if (!tile)
            return 0;
        const int offset = tileOffset(i, j);
        return m_wide ? reinterpret_cast<const std::uint16_t *>(tile)[offset] : tile[offset];
    }
    // Unrecorded write (loading, tests). Undoable edits use LabelEdit.
    void setValue(int i, int j, int k, LabelValue value);

    // Dense slice on the plane `axis` through `slice` into `out` (sliceWidth*sliceHeight values,
    // layout as SliceAxis says; rows in reverse order with flipVertical). The uint8 overload
    // saturates values above 255.
    int sliceWidth(SliceAxis axis) const;
    int sliceHeight(SliceAxis axis) const;
    int sliceCount(SliceAxis axis) const;
    void extractSlice(SliceAxis axis, int slice, std::uint16_t *out,
                      bool flipVertical = false) const;
    void extractSlice(SliceAxis axis, int slice, std::uint8_t *out,
                      bool flipVertical = false) const;
    std::vector<LabelValue> slice(SliceAxis axis, int slice) const;
    // Whether any voxel of the slice is nonzero (cheap for axial: looks at tile presence first).
    bool sliceHasLabels(SliceAxis axis, int slice) const;

    // Dense copies, i fastest, then j, then k (NIfTI and Volume order). The uint8 overload
    // saturates values above 255.
    std::vector<LabelValue> toDense() const;
    void toDense(std::uint16_t *out) const;
    void toDense(std::uint8_t *out) const;
    // Replaces every voxel (unrecorded; for loading). `values` holds voxelCount() values.
    void assignDense(const std::uint16_t *values);
    void assignDense(const std::uint8_t *values);
    static LabelMap fromDense(const std::vector<LabelValue> &values, int width, int height,
                              int depth, const ImageGeometry &geometry = {});
    // Float volume (component 0) for NiftiIo; fromVolume rounds and throws std::runtime_error
    // for values outside 0..65535 or a volume with more than one component.
    Volume toVolume() const;
    static LabelMap fromVolume(const Volume &volume);

    // Voxels per label value: result[v] = count of voxels equal to v (size = largest value + 1;
    // background counted too).
    std::vector<std::size_t> countVoxels() const;
    // Bytes held: tiles plus the tile table.
    std::size_t memoryBytes() const;
    std::size_t allocatedTileCount() const;
    // Frees tiles that are all zero again (after erasing or undo).
    void releaseEmptyTiles();
    void clear();

    // Tile-level access for LabelEdit and LabelDelta. Tile t covers voxels
    // i in [tx*64, tx*64+64), j in [ty*64, ty*64+64) of slice k, t = (k*tilesY + ty)*tilesX + tx;
    // voxels of edge tiles outside the grid stay 0.
    int tilesX() const { return m_tilesX; }
    int tilesY() const { return m_tilesY; }
    std::size_t tileCount() const { return m_tiles.size(); }
    std::size_t tileIndex(int i, int j, int k) const
    {
        return (std::size_t(k) * m_tilesY + (j >> 6)) * m_tilesX + (i >> 6);
    }
    static int tileOffset(int i, int j) { return ((j & 63) << 6) | (i & 63); }
    bool hasTile(std::size_t tile) const { return m_tiles[tile] != nullptr; }
    // Copies tile `tile` into out[TileVoxels] (zeros for an absent tile).
    void readTile(std::size_t tile, std::uint16_t *out) const;
    // Replaces tile `tile` with in[TileVoxels]; an all-zero tile is released.
    void writeTile(std::size_t tile, const std::uint16_t *in);

private:
    std::uint8_t *ensureTile(std::size_t tile);
    void widen();

    int m_width = 0;
    int m_height = 0;
    int m_depth = 0;
    int m_tilesX = 0;
    int m_tilesY = 0;
    bool m_wide = false;
    ImageGeometry m_geometry;
    std::vector<std::unique_ptr<std::uint8_t[]>> m_tiles;
};

} // namespace medseg::core
