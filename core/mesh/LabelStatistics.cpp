#include "core/mesh/LabelStatistics.h"

#include "core/common/AtomicFile.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <locale>
#include <sstream>
#include <stdexcept>

namespace medseg::core {
namespace {

struct Accumulator
{
    LabelMeasurement measurement;
    // Welford's running mean and sum of squared deviations: HU sums over millions of voxels
    // lose digits in the naive sum of squares.
    double mean = 0.0;
    double m2 = 0.0;
};

std::string csvField(const std::string &text)
{
    if (text.find_first_of(",\"\n\r") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

} // namespace

std::vector<LabelMeasurement> LabelStatistics::compute(const LabelGrid &labels, const Volume *image,
                                                       const std::vector<LabelSurface> *surfaces)
{
    if (image && (image->width() != labels.width() || image->height() != labels.height() ||
                  image->depth() != labels.depth()))
        throw std::runtime_error(
            "the image (" + std::to_string(image->width()) + "x" + std::to_string(image->height()) +
            "x" + std::to_string(image->depth()) + ") does not have the size of the labels (" +
            std::to_string(labels.width()) + "x" + std::to_string(labels.height()) + "x" +
            std::to_string(labels.depth()) + ")");
    std::map<int, Accumulator> accumulators;
    Accumulator *current = nullptr;
    int currentLabel = 0;
    const float *pixels = image ? image->data() : nullptr;
    const int components = image ? image->components() : 1;
    labels.forEachVoxel([&](int i, int j, int k, std::size_t index, int value) {
        if (value == 0)
            return;
        if (!current || value != currentLabel) {
            currentLabel = value;
            auto [it, inserted] = accumulators.try_emplace(value);
            current = &it->second;
            if (inserted) {
                current->measurement.label = value;
                current->measurement.voxelMin = {i, j, k};
                current->measurement.voxelMax = {i, j, k};
            }
        }
        LabelMeasurement &m = current->measurement;
        ++m.voxelCount;
        const int ijk[3] = {i, j, k};
        for (int a = 0; a < 3; ++a) {
            m.voxelMin[std::size_t(a)] = std::min(m.voxelMin[std::size_t(a)], ijk[a]);
            m.voxelMax[std::size_t(a)] = std::max(m.voxelMax[std::size_t(a)], ijk[a]);
        }
        if (pixels) {
            const double x = pixels[index * std::size_t(components)];
            const double delta = x - current->mean;
            current->mean += delta / double(m.voxelCount);
            current->m2 += delta * (x - current->mean);
        }
    });

    std::map<int, double> areas;
    if (surfaces)
        for (const LabelSurface &surface : *surfaces)
            areas[surface.label] = surface.mesh.area();

    const ImageGeometry &geometry = labels.geometry();
    std::vector<LabelMeasurement> result;
    for (auto &[label, accumulator] : accumulators) {
        LabelMeasurement m = accumulator.measurement;
        m.volumeMm3 = double(m.voxelCount) * geometry.voxelVolume();
        m.volumeMl = m.volumeMm3 / 1000.0;
        if (const auto it = areas.find(label); it != areas.end())
            m.surfaceAreaMm2 = it->second;
        if (image) {
            m.hasImage = true;
            m.mean = accumulator.mean;
            m.standardDeviation = std::sqrt(accumulator.m2 / double(m.voxelCount));
        }
        // The eight corners of the index box grown by half a voxel, in patient space.
        for (int a = 0; a < 3; ++a) {
            m.patientMin[std::size_t(a)] = HUGE_VAL;
            m.patientMax[std::size_t(a)] = -HUGE_VAL;
        }
        for (int corner = 0; corner < 8; ++corner) {
            const Vec3 ijk{corner & 1 ? m.voxelMax[0] + 0.5 : m.voxelMin[0] - 0.5,
                           corner & 2 ? m.voxelMax[1] + 0.5 : m.voxelMin[1] - 0.5,
                           corner & 4 ? m.voxelMax[2] + 0.5 : m.voxelMin[2] - 0.5};
            const Vec3 p = geometry.voxelToPatient(ijk);
            for (std::size_t a = 0; a < 3; ++a) {
                m.patientMin[a] = std::min(m.patientMin[a], p[a]);
                m.patientMax[a] = std::max(m.patientMax[a], p[a]);
            }
        }
        result.push_back(m);
    }
    return result;
}

std::string LabelStatistics::toCsv(const std::vector<LabelMeasurement> &measurements,
                                   const std::map<int, std::string> &names)
{
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out << "label,name,voxels,volume_mm3,volume_ml,surface_mm2,"
           "i_min,j_min,k_min,i_max,j_max,k_max,"
           "x_min_mm,y_min_mm,z_min_mm,x_max_mm,y_max_mm,z_max_mm,mean,std\n";
    out << std::setprecision(10);
    for (const LabelMeasurement &m : measurements) {
        const auto name = names.find(m.label);
        out << m.label << ',' << (name == names.end() ? std::string() : csvField(name->second))
            << ',' << m.voxelCount << ',' << m.volumeMm3 << ',' << m.volumeMl << ',';
        if (m.surfaceAreaMm2 >= 0.0)
            out << m.surfaceAreaMm2;
        for (int v : m.voxelMin)
            out << ',' << v;
        for (int v : m.voxelMax)
            out << ',' << v;
        for (double v : m.patientMin)
            out << ',' << v;
        for (double v : m.patientMax)
            out << ',' << v;
        out << ',';
        if (m.hasImage)
            out << m.mean;
        out << ',';
        if (m.hasImage)
            out << m.standardDeviation;
        out << '\n';
    }
    return out.str();
}

void LabelStatistics::writeCsv(const std::string &path,
                               const std::vector<LabelMeasurement> &measurements,
                               const std::map<int, std::string> &names)
{
    AtomicFile::writeAll(path, toCsv(measurements, names));
}

} // namespace medseg::core
