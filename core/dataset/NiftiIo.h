#pragma once

#include "core/image/ImageHeader.h"
#include "core/image/Volume.h"

#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core {

// NIfTI reading (NIfTI-1 and NIfTI-2, any byte order) and writing (NIfTI-1) of images and label
// maps through nifti_clib, keeping the DICOM geometry: NIfTI's world space is RAS, so the LPS
// matrix of ImageGeometry is flipped in x and y in both the sform and the qform, as ITK-SNAP and
// 3D Slicer expect. `.nii.gz` is compressed. The one owner of the NIfTI format in the tree.
class NiftiIo
{
public:
    // Writes `labels` (component 0, rounded) as uint8. Throws std::runtime_error naming the
    // file if it cannot be written or a value does not fit 0..255.
    static void writeLabels(const std::string &path, const Volume &labels);
    // Writes a grey image (component 0) as NIfTI-1 with its geometry in the sform and qform:
    // int16 when every value is a whole number that fits, else float32. Atomic, read back
    // like the label writers. Throws std::runtime_error naming the file.
    static void writeImage(const std::string &path, const Volume &image);
    // A 4D image of several volumes on one grid (the first's geometry), e.g. the channels of a
    // Decathlon case.
    static void writeImage(const std::string &path, const std::vector<const Volume *> &volumes);

    // Reads a 3D scalar NIfTI file of any integer or float type into a float volume with
    // its geometry (see readImage()). Throws std::runtime_error naming the file.
    static Volume read(const std::string &path);

    // What the header says (geometry, size, type), without reading the voxels.
    static ImageHeader readHeader(const std::string &path);
    // Volume `volumeIndex` (0-based, along the fourth dimension) of a 2D, 3D or 4D image: values
    // scaled by scl_slope/scl_inter (when the slope is set), RGB24 as three components. The
    // geometry comes from the sform when its code is set, else from the qform when its code is
    // set, else from the voxel sizes alone, as nibabel and ITK choose. Only that volume is read
    // from disk. Throws std::runtime_error naming the file and what is wrong with it.
    static Volume readImage(const std::string &path, int volumeIndex = 0,
                            ImageHeader *header = nullptr);

    // A dense label volume as it is saved and loaded: width x height x depth values, slice by
    // slice, row by row (the layout of Volume), with the grid in patient space (LPS).
    struct LabelVolume
    {
        int width = 0;
        int height = 0;
        int depth = 0;
        ImageGeometry geometry;
        std::vector<std::uint16_t> labels;
    };

    // Writes a label volume as NIfTI-1 (`.nii.gz` compressed, `.nii` not) with the geometry in
    // the sform and qform (RAS), intent "label". Stored as uint8 when every value is <= 255,
    // else uint16. Atomic (AtomicFile): a crash or kill at any moment leaves the previous file
    // or the new complete one. The written file is decompressed once to check it is whole.
    // Throws std::runtime_error naming the file (e.g. "No space left on device").
    static void writeLabelVolume(const std::string &path, const std::uint16_t *labels, int width,
                                 int height, int depth, const ImageGeometry &geometry);
    static void writeLabelVolume(const std::string &path, const std::uint8_t *labels, int width,
                                 int height, int depth, const ImageGeometry &geometry);
    static void writeLabelVolume(const std::string &path, const LabelVolume &volume);
    // The same on the grid of the NIfTI image `imagePath` exactly as its header writes it (sform
    // and qform with their codes, voxel sizes), as nnU-Net writes predictions: a viewer lays the
    // labels over that image whatever it checks. Throws when the sizes differ.
    static void writeLabelVolumeLike(const std::string &path, const LabelVolume &volume,
                                     const std::string &imagePath);

    // Reads a 3D NIfTI-1 label volume written here or elsewhere (ITK-SNAP, 3D Slicer, nibabel):
    // any integer type, or float with integer values, 0..65535. Throws std::runtime_error naming
    // the file for anything else (negative or fractional labels, 4D, unreadable).
    static LabelVolume readLabelVolume(const std::string &path);
    // The same, then checkGeometryMatches() against the series the labels belong to.
    static LabelVolume readLabelVolume(const std::string &path, int width, int height, int depth,
                                       const ImageGeometry &expected, double toleranceMm = 0.01);

    // Throws std::runtime_error with a message for the user when the grid of `found` (read from
    // `path`) is not the series' grid: "labels.nii.gz: 512x512x120 voxels of 0.7x0.7x2.5 mm
    // do not match the series' 512x512x118 voxels of 0.7x0.7x2.5 mm". Sizes must be equal;
    // origin and spacing may differ by `toleranceMm`, direction cosines by 1e-4 (NIfTI
    // stores single precision floats).
    static void checkGeometryMatches(const std::string &path, const LabelVolume &found, int width,
                                     int height, int depth, const ImageGeometry &expected,
                                     double toleranceMm = 0.01);
};

} // namespace medseg::core
