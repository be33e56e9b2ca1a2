#pragma once

#include "core/common/Progress.h"
#include "core/dataset/NiftiIo.h"

#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core {

// How one label of one case agrees with its ground truth. Counts are voxels; distances and
// volumes are physical (the grid's spacing). Dice and IoU are NaN when the label is in neither
// volume (nnU-Net's rule: such cases leave the mean); the 95th percentile Hausdorff distance is
// NaN when the label is missing from either volume (a distance to nothing is undefined).
struct ClassScores
{
    int label = 0;
    std::int64_t truePositives = 0;
    std::int64_t falsePositives = 0;
    std::int64_t falseNegatives = 0;
    std::int64_t trueNegatives = 0;
    double dice = 0.0;
    double iou = 0.0;
    double hausdorff95Mm = 0.0;
    double predictedMl = 0.0;
    double referenceMl = 0.0;
    double volumeDifferenceMl = 0.0; // predicted - reference
};

// Per label: Dice, IoU, voxel counts, volumes, and HD95 as medpy computes it (surface voxels
// are those with a 6-neighbour outside the label or outside the grid; distances from each
// surface to the other in mm with the grid's spacing; the 95th percentile, linearly
// interpolated, of both directions together). Both volumes must have the same size.
std::vector<ClassScores> evaluateLabels(const NiftiIo::LabelVolume &prediction,
                                        const NiftiIo::LabelVolume &reference,
                                        const std::vector<int> &labels);

struct CaseEvaluation
{
    std::string name; // the file name both folders share
    std::string predictionFile;
    std::string referenceFile;
    std::vector<ClassScores> classes; // in EvaluationSummary::labels order
};

struct EvaluationSummary
{
    std::vector<int> labels; // evaluated, foreground only
    std::vector<CaseEvaluation> cases;
};

struct EvaluationOptions
{
    std::vector<int> labels;   // empty: every label other than 0 found in either folder
    double toleranceMm = 1e-3; // how far the grids of a pair may differ
};

// Pairs the label files (.nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd) of two folders by file name
// (or two files) and evaluates each pair. Throws std::runtime_error naming the file for a
// prediction without ground truth, a grid that differs from its reference's, or an unreadable
// file; nothing is half-reported.
EvaluationSummary evaluateSegmentations(const std::string &predictions,
                                        const std::string &groundTruth,
                                        const EvaluationOptions &options = {},
                                        ProgressSink *progress = nullptr);

// Mean and sample standard deviation of a score over the cases where it is defined (NaN when
// none is); `count` says how many.
struct ScoreStatistics
{
    double mean = 0.0;
    double standardDeviation = 0.0;
    int count = 0;
};
ScoreStatistics statisticsOf(const std::vector<double> &values);

// nnU-Net's summary.json layout ("metric_per_case" with "metrics" by label, "mean" by label,
// "foreground_mean"), with HD95 and volumes added and a "standard_deviation" block; undefined
// scores are null.
std::string evaluationJson(const EvaluationSummary &summary);
// One line per case and label: case,label,dice,iou,hd95_mm,reference_ml,predicted_ml,
// volume_difference_ml,tp,fp,fn.
std::string evaluationCsv(const EvaluationSummary &summary);

} // namespace medseg::core
