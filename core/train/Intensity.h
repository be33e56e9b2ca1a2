#pragma once

// How the raw values of one image channel become what the network reads: the one rule used by
// training, prediction (Predictor, `medseg predict`, the Review tab), the live preview and the
// export's calibration and checks. It is chosen when the data are read, recorded in the run's
// config and in the model (ModelBundle's preprocessing, the ONNX metadata), and applied from
// there. Plain C++ on float arrays: no tensors, no DICOM.
//
// Schemes (nnU-Net's defaults: ct_percentiles for CT, zscore for every other channel):
//   grey8          8-bit grey levels (VOC images, slices as a window shows them) / 255
//   window         a fixed window (CT): DICOM's linear VOI function (PS3.3 C.11.2.1.2.1) on the
//                  value truncated toward zero, floored to 8 bits, / 255 -- exactly what the VOC
//                  export writes (core/dicom's WindowLut); inverted for MONOCHROME1
//   ct_percentiles nnU-Net's CTNormalization: clip to the 0.5 and 99.5 percentiles of the
//                  training cases' foreground, then (x - mean) / std of that foreground: three
//                  dataset constants recorded in the model
//   zscore         nnU-Net's ZScoreNormalization: (x - mean) / std of the volume itself; over its
//                  non-zero voxels when `nonzeroMask` (skull-stripped MR), which are then 0
//   percentiles    per volume: clip to its 0.5 and 99.5 percentiles and scale to [0, 1]

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core {

enum class IntensityScheme { Grey8, Window, CtPercentiles, ZScore, Percentiles };

std::string toString(IntensityScheme scheme);                       // "grey8", "window", ...
IntensityScheme intensitySchemeFromString(const std::string &name); // throws std::runtime_error

// One channel's rule, as the model records it.
struct ChannelIntensity
{
    std::string channel = "image"; // the channel's name: "CT", "T1", "FLAIR", ...
    IntensityScheme scheme = IntensityScheme::Grey8;
    double windowCenter = 40.0; // window
    double windowWidth = 400.0;
    double clipLow = 0.0; // ct_percentiles: the dataset's constants
    double clipHigh = 0.0;
    double mean = 0.0;
    double std = 1.0;
    bool nonzeroMask = false;   // zscore
    double lowPercentile = 0.5; // percentiles
    double highPercentile = 99.5;

    // A CT window rule (channel "CT").
    static ChannelIntensity window(double center, double width);

    // Whether the result lies in [0, 1] (grey8, window, percentiles) rather than around 0 in
    // units of a standard deviation (ct_percentiles, zscore).
    bool isUnitRange() const;
    // "window 40/400", "z-score over non-zero voxels", ... for the Setup tab and the CLI.
    std::string describe() const;
    // Throws std::runtime_error naming the problem (a width below 1, a std that is not positive).
    void check() const;
};

// A rule applied to one volume: the volume's own statistics resolved, so that every slice of it
// (a preview of one slice as much as a whole prediction) is normalised alike.
struct VolumeIntensity
{
    ChannelIntensity rule;
    bool invert = false; // MONOCHROME1 (window only; grey8 values are already as shown)
    double low = 0.0;    // clip range (-inf/+inf: none)
    double high = 0.0;
    double offset = 0.0; // then (x - offset) * scale
    double scale = 1.0;
};

// Resolves `rule` on a volume's voxels (slice-major, one component): the mean and std of zscore,
// the percentiles of percentiles (sampled at most about two million voxels, deterministically).
VolumeIntensity volumeIntensity(const ChannelIntensity &rule, const float *voxels,
                                std::size_t count, bool invert = false);
// out[n] = the network's value of in[n]; `in` and `out` may be the same array.
void normalizeIntensities(const VolumeIntensity &v, const float *in, std::size_t count, float *out);

// nnU-Net's CT rule from foreground samples of the training cases (the voxels their labels mark):
// the 0.5/99.5 percentiles, and the mean and std of the samples clipped to them.
ChannelIntensity ctPercentilesOf(std::vector<float> foreground, const std::string &channel);
// Whether zscore should use the non-zero voxels only: when they are less than three quarters of
// the volume (skull-stripped MR, BraTS). nnU-Net decides the same by the size of the non-zero
// bounding box after cropping (use_mask_for_norm); we count the voxels.
bool prefersNonzeroMask(const float *voxels, std::size_t count);

} // namespace medseg::core
