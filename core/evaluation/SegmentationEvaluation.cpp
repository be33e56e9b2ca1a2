#include "core/evaluation/SegmentationEvaluation.h"

#include "core/imageio/LabelFile.h"
#include "core/imageio/ImageFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace medseg::core {
namespace {

namespace fs = std::filesystem;
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

// The voxels of one label inside a box: the part of the grid where both masks lie.
struct Box
{
    std::array<int, 3> lo{0, 0, 0};
    std::array<int, 3> size{0, 0, 0};
    std::size_t count() const { return std::size_t(size[0]) * size[1] * size[2]; }
    std::size_t at(int i, int j, int k) const
    {
        return (std::size_t(k) * size[1] + j) * size[0] + i;
    }
};

struct Grid
{
    int width = 0, height = 0, depth = 0;
    std::size_t at(int i, int j, int k) const { return (std::size_t(k) * height + j) * width + i; }
};

// One-dimensional squared distance transform (Felzenszwalb and Huttenlocher) of `f` sampled
// every `step` mm: d[i] = min over q of (step (i - q))^2 + f[q].
void distance1d(const double *f, double *d, int n, double step, std::vector<int> &v,
                std::vector<double> &z)
{
    const double inf = std::numeric_limits<double>::infinity();
    const auto position = [step](int q) {
        return step * q;
    };
    int k = -1;
    for (int q = 0; q < n; ++q) {
        if (f[q] == inf)
            continue;
        double s = 0.0;
        while (k >= 0) {
            const int p = v[std::size_t(k)];
            s = ((f[q] + position(q) * position(q)) - (f[p] + position(p) * position(p))) /
                (2.0 * (position(q) - position(p)));
            if (s > z[std::size_t(k)])
                break;
            --k;
        }
        ++k;
        v[std::size_t(k)] = q;
        z[std::size_t(k)] = k == 0 ? -inf : s;
        z[std::size_t(k) + 1] = inf;
    }
    if (k < 0) {
        std::fill(d, d + n, inf);
        return;
    }
    int j = 0;
    for (int q = 0; q < n; ++q) {
        while (z[std::size_t(j) + 1] < position(q))
            ++j;
        const double delta = position(q) - position(v[std::size_t(j)]);
        d[q] = delta * delta + f[v[std::size_t(j)]];
    }
}

// Squared Euclidean distance (mm^2) from every voxel of the box to the nearest feature voxel.
std::vector<double> squaredDistances(const std::vector<char> &feature, const Box &box,
                                     const std::array<double, 3> &spacing)
{
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> d(box.count());
    for (std::size_t n = 0; n < d.size(); ++n)
        d[n] = feature[n] ? 0.0 : inf;
    const std::size_t longest = std::size_t(std::max({box.size[0], box.size[1], box.size[2]}));
    std::vector<double> in(longest), out(longest);
    std::vector<int> v(longest);
    std::vector<double> z(longest + 1);
    for (int axis = 0; axis < 3; ++axis) {
        const int a = (axis + 1) % 3, b = (axis + 2) % 3;
        for (int y = 0; y < box.size[std::size_t(b)]; ++y)
            for (int x = 0; x < box.size[std::size_t(a)]; ++x) {
                std::array<int, 3> p{};
                p[std::size_t(a)] = x;
                p[std::size_t(b)] = y;
                const int n = box.size[std::size_t(axis)];
                for (int t = 0; t < n; ++t) {
                    p[std::size_t(axis)] = t;
                    in[std::size_t(t)] = d[box.at(p[0], p[1], p[2])];
                }
                distance1d(in.data(), out.data(), n, spacing[std::size_t(axis)], v, z);
                for (int t = 0; t < n; ++t) {
                    p[std::size_t(axis)] = t;
                    d[box.at(p[0], p[1], p[2])] = out[std::size_t(t)];
                }
            }
    }
    return d;
}

// Voxels of the mask with a 6-neighbour outside it or outside the grid (medpy's border).
std::vector<char> surfaceOf(const std::vector<char> &mask, const Box &box, const Grid &grid)
{
    std::vector<char> surface(mask.size(), 0);
    const int offsets[6][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    for (int k = 0; k < box.size[2]; ++k)
        for (int j = 0; j < box.size[1]; ++j)
            for (int i = 0; i < box.size[0]; ++i) {
                if (!mask[box.at(i, j, k)])
                    continue;
                for (const auto &o : offsets) {
                    const int gi = box.lo[0] + i + o[0], gj = box.lo[1] + j + o[1],
                              gk = box.lo[2] + k + o[2];
                    const int bi = i + o[0], bj = j + o[1], bk = k + o[2];
                    const bool outsideGrid = gi < 0 || gj < 0 || gk < 0 || gi >= grid.width ||
                                             gj >= grid.height || gk >= grid.depth;
                    const bool outsideBox = bi < 0 || bj < 0 || bk < 0 || bi >= box.size[0] ||
                                            bj >= box.size[1] || bk >= box.size[2];
                    if (outsideGrid || outsideBox || !mask[box.at(bi, bj, bk)]) {
                        surface[box.at(i, j, k)] = 1;
                        break;
                    }
                }
            }
    return surface;
}

// numpy.percentile's default (linear interpolation between closest ranks).
double percentile(std::vector<double> values, double percent)
{
    if (values.empty())
        return NaN;
    std::sort(values.begin(), values.end());
    const double rank = percent / 100.0 * double(values.size() - 1);
    const std::size_t below = std::size_t(std::floor(rank));
    const std::size_t above = std::min(values.size() - 1, below + 1);
    return values[below] + (rank - double(below)) * (values[above] - values[below]);
}

double hausdorff95(const NiftiIo::LabelVolume &prediction, const NiftiIo::LabelVolume &reference,
                   int label)
{
    const Grid grid{reference.width, reference.height, reference.depth};
    // The box around both masks, one voxel wider so that the border test sees outside.
    std::array<int, 3> lo{grid.width, grid.height, grid.depth}, hi{-1, -1, -1};
    for (int k = 0; k < grid.depth; ++k)
        for (int j = 0; j < grid.height; ++j)
            for (int i = 0; i < grid.width; ++i) {
                const std::size_t n = grid.at(i, j, k);
                if (prediction.labels[n] != label && reference.labels[n] != label)
                    continue;
                lo = {std::min(lo[0], i), std::min(lo[1], j), std::min(lo[2], k)};
                hi = {std::max(hi[0], i), std::max(hi[1], j), std::max(hi[2], k)};
            }
    Box box;
    for (std::size_t a = 0; a < 3; ++a) {
        box.lo[a] = lo[a];
        box.size[a] = hi[a] - lo[a] + 1;
    }
    std::vector<char> predicted(box.count()), truth(box.count());
    for (int k = 0; k < box.size[2]; ++k)
        for (int j = 0; j < box.size[1]; ++j)
            for (int i = 0; i < box.size[0]; ++i) {
                const std::size_t n = grid.at(box.lo[0] + i, box.lo[1] + j, box.lo[2] + k);
                predicted[box.at(i, j, k)] = prediction.labels[n] == label;
                truth[box.at(i, j, k)] = reference.labels[n] == label;
            }
    const std::vector<char> predictedSurface = surfaceOf(predicted, box, grid);
    const std::vector<char> truthSurface = surfaceOf(truth, box, grid);
    const std::array<double, 3> spacing{reference.geometry.spacing[0],
                                        reference.geometry.spacing[1],
                                        reference.geometry.spacing[2]};
    const std::vector<double> toTruth = squaredDistances(truthSurface, box, spacing);
    const std::vector<double> toPrediction = squaredDistances(predictedSurface, box, spacing);
    std::vector<double> distances;
    for (std::size_t n = 0; n < box.count(); ++n) {
        if (predictedSurface[n])
            distances.push_back(std::sqrt(toTruth[n]));
        if (truthSurface[n])
            distances.push_back(std::sqrt(toPrediction[n]));
    }
    return percentile(std::move(distances), 95.0);
}

bool isLabelFileName(const fs::path &path)
{
    return imageFileFormatOf(path.string()).has_value();
}

std::vector<fs::path> labelFilesIn(const fs::path &folder)
{
    std::vector<fs::path> files;
    for (const auto &entry : fs::directory_iterator(folder))
        if (entry.is_regular_file() && isLabelFileName(entry.path()) &&
            entry.path().filename().string()[0] != '.')
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::pair<fs::path, fs::path>> pairFiles(const std::string &predictions,
                                                     const std::string &groundTruth)
{
    if (!fs::exists(predictions))
        throw std::runtime_error(predictions + ": no such file or folder");
    if (!fs::exists(groundTruth))
        throw std::runtime_error(groundTruth + ": no such file or folder");
    if (!fs::is_directory(predictions))
        return {{fs::path(predictions), fs::path(groundTruth)}};
    std::vector<std::pair<fs::path, fs::path>> pairs;
    for (const fs::path &file : labelFilesIn(predictions)) {
        const fs::path truth = fs::path(groundTruth) / file.filename();
        if (!fs::exists(truth))
            throw std::runtime_error(file.string() + ": no ground truth of that name in " +
                                     groundTruth);
        pairs.push_back({file, truth});
    }
    if (pairs.empty())
        throw std::runtime_error(predictions + ": no label files (.nii.gz, .nrrd, .mha, ...)");
    return pairs;
}

nlohmann::json number(double value)
{
    return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

nlohmann::json scoresJson(const ClassScores &s)
{
    return {{"Dice", number(s.dice)},
            {"IoU", number(s.iou)},
            {"HD95_mm", number(s.hausdorff95Mm)},
            {"TP", s.truePositives},
            {"FP", s.falsePositives},
            {"FN", s.falseNegatives},
            {"TN", s.trueNegatives},
            {"n_pred", s.truePositives + s.falsePositives},
            {"n_ref", s.truePositives + s.falseNegatives},
            {"volume_pred_mL", s.predictedMl},
            {"volume_ref_mL", s.referenceMl},
            {"volume_difference_mL", s.volumeDifferenceMl}};
}

const std::array<std::pair<const char *, double ClassScores::*>, 6> Scores{{
    {"Dice", &ClassScores::dice},
    {"IoU", &ClassScores::iou},
    {"HD95_mm", &ClassScores::hausdorff95Mm},
    {"volume_pred_mL", &ClassScores::predictedMl},
    {"volume_ref_mL", &ClassScores::referenceMl},
    {"volume_difference_mL", &ClassScores::volumeDifferenceMl},
}};

} // namespace

std::vector<ClassScores> evaluateLabels(const NiftiIo::LabelVolume &prediction,
                                        const NiftiIo::LabelVolume &reference,
                                        const std::vector<int> &labels)
{
    if (prediction.labels.size() != reference.labels.size())
        throw std::runtime_error("the prediction and the ground truth differ in size");
    const double voxelMl = reference.geometry.voxelVolume() / 1000.0;
    std::vector<ClassScores> scores;
    for (const int label : labels) {
        ClassScores s;
        s.label = label;
        for (std::size_t n = 0; n < reference.labels.size(); ++n) {
            const bool p = prediction.labels[n] == label, r = reference.labels[n] == label;
            s.truePositives += p && r;
            s.falsePositives += p && !r;
            s.falseNegatives += !p && r;
            s.trueNegatives += !p && !r;
        }
        const double tp = double(s.truePositives), fp = double(s.falsePositives),
                     fn = double(s.falseNegatives);
        const bool inPrediction = s.truePositives + s.falsePositives > 0;
        const bool inReference = s.truePositives + s.falseNegatives > 0;
        s.dice = inPrediction || inReference ? 2.0 * tp / (2.0 * tp + fp + fn) : NaN;
        s.iou = inPrediction || inReference ? tp / (tp + fp + fn) : NaN;
        s.hausdorff95Mm =
            inPrediction && inReference ? hausdorff95(prediction, reference, label) : NaN;
        s.predictedMl = (tp + fp) * voxelMl;
        s.referenceMl = (tp + fn) * voxelMl;
        s.volumeDifferenceMl = s.predictedMl - s.referenceMl;
        scores.push_back(s);
    }
    return scores;
}

EvaluationSummary evaluateSegmentations(const std::string &predictions,
                                        const std::string &groundTruth,
                                        const EvaluationOptions &options, ProgressSink *progress)
{
    const auto pairs = pairFiles(predictions, groundTruth);
    // Read everything first: the label set is the union over all cases.
    std::vector<std::pair<NiftiIo::LabelVolume, NiftiIo::LabelVolume>> volumes;
    std::set<int> found;
    for (std::size_t n = 0; n < pairs.size(); ++n) {
        if (progress &&
            (progress->isCancelled() ||
             !progress->progress(std::int64_t(n), std::int64_t(pairs.size() * 2), "reading")))
            throw CancelledError();
        const std::string predictionPath = pairs[n].first.string();
        const std::string truthPath = pairs[n].second.string();
        NiftiIo::LabelVolume truth = readLabelFile(truthPath);
        NiftiIo::LabelVolume prediction = readLabelFile(predictionPath);
        NiftiIo::checkGeometryMatches(predictionPath, prediction, truth.width, truth.height,
                                      truth.depth, truth.geometry, options.toleranceMm);
        for (const auto *volume : {&truth, &prediction})
            for (const std::uint16_t value : volume->labels)
                if (value != 0)
                    found.insert(value);
        volumes.push_back({std::move(prediction), std::move(truth)});
    }
    EvaluationSummary summary;
    summary.labels =
        options.labels.empty() ? std::vector<int>(found.begin(), found.end()) : options.labels;
    for (std::size_t n = 0; n < pairs.size(); ++n) {
        if (progress && (progress->isCancelled() ||
                         !progress->progress(std::int64_t(pairs.size() + n),
                                             std::int64_t(pairs.size() * 2), "evaluating")))
            throw CancelledError();
        CaseEvaluation evaluation;
        evaluation.name = pairs[n].first.filename().string();
        evaluation.predictionFile = fs::absolute(pairs[n].first).string();
        evaluation.referenceFile = fs::absolute(pairs[n].second).string();
        evaluation.classes = evaluateLabels(volumes[n].first, volumes[n].second, summary.labels);
        summary.cases.push_back(std::move(evaluation));
    }
    return summary;
}

ScoreStatistics statisticsOf(const std::vector<double> &values)
{
    ScoreStatistics stats;
    double sum = 0.0;
    for (const double v : values)
        if (std::isfinite(v)) {
            sum += v;
            ++stats.count;
        }
    if (stats.count == 0)
        return {NaN, NaN, 0};
    stats.mean = sum / stats.count;
    double squares = 0.0;
    for (const double v : values)
        if (std::isfinite(v))
            squares += (v - stats.mean) * (v - stats.mean);
    stats.standardDeviation = stats.count > 1 ? std::sqrt(squares / (stats.count - 1)) : 0.0;
    return stats;
}

std::string evaluationJson(const EvaluationSummary &summary)
{
    nlohmann::json perCase = nlohmann::json::array();
    for (const CaseEvaluation &evaluation : summary.cases) {
        nlohmann::json metrics = nlohmann::json::object();
        for (const ClassScores &s : evaluation.classes)
            metrics[std::to_string(s.label)] = scoresJson(s);
        perCase.push_back({{"metrics", metrics},
                           {"prediction_file", evaluation.predictionFile},
                           {"reference_file", evaluation.referenceFile}});
    }
    nlohmann::json mean = nlohmann::json::object(), deviation = nlohmann::json::object();
    nlohmann::json foreground = nlohmann::json::object();
    for (const auto &[name, member] : Scores) {
        std::vector<double> classMeans;
        for (std::size_t c = 0; c < summary.labels.size(); ++c) {
            std::vector<double> values;
            for (const CaseEvaluation &evaluation : summary.cases)
                values.push_back(evaluation.classes[c].*member);
            const ScoreStatistics stats = statisticsOf(values);
            const std::string label = std::to_string(summary.labels[c]);
            mean[label][name] = number(stats.mean);
            deviation[label][name] = number(stats.standardDeviation);
            classMeans.push_back(stats.mean);
        }
        foreground[name] = number(statisticsOf(classMeans).mean);
    }
    const nlohmann::json json = {{"metric_per_case", perCase},
                                 {"mean", mean},
                                 {"standard_deviation", deviation},
                                 {"foreground_mean", foreground},
                                 {"labels", summary.labels}};
    return json.dump(4) + "\n";
}

std::string evaluationCsv(const EvaluationSummary &summary)
{
    std::ostringstream out;
    out.precision(10);
    out << "case,label,dice,iou,hd95_mm,reference_ml,predicted_ml,volume_difference_ml,tp,fp,fn\n";
    const auto cell = [](double v) {
        std::ostringstream text;
        text.precision(10);
        if (std::isfinite(v))
            text << v;
        return text.str();
    };
    // RFC 4180: a name with a comma or a quote is quoted, its quotes doubled.
    const auto field = [](const std::string &text) {
        if (text.find_first_of(",\"\n") == std::string::npos)
            return text;
        std::string quoted = "\"";
        for (const char c : text)
            quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
        return quoted + "\"";
    };
    for (const CaseEvaluation &evaluation : summary.cases)
        for (const ClassScores &s : evaluation.classes)
            out << field(evaluation.name) << ',' << s.label << ',' << cell(s.dice) << ','
                << cell(s.iou) << ',' << cell(s.hausdorff95Mm) << ',' << cell(s.referenceMl) << ','
                << cell(s.predictedMl) << ',' << cell(s.volumeDifferenceMl) << ','
                << s.truePositives << ',' << s.falsePositives << ',' << s.falseNegatives << '\n';
    return out.str();
}

} // namespace medseg::core
