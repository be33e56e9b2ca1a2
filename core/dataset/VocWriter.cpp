#include "core/dataset/VocWriter.h"

#include "core/dataset/detail/PngIo.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <stdexcept>

namespace fs = std::filesystem;

namespace medseg::core {
namespace {

// preprocessing.json: the rendering window when every series used the same one.
std::string preprocessingJson(const std::vector<std::pair<Window, bool>> &windows)
{
    nlohmann::json j{{"format", "medseg-voc-preprocessing/1"},
                     {"image", "8-bit, 3 identical channels"}};
    bool same = !windows.empty();
    for (const auto &w : windows)
        same = same && w.first.center == windows.front().first.center &&
               w.first.width == windows.front().first.width && w.second == windows.front().second;
    if (same) {
        j["window_center"] = windows.front().first.center;
        j["window_width"] = windows.front().first.width;
        j["invert"] = windows.front().second;
    } else {
        nlohmann::json list = nlohmann::json::array();
        for (const auto &w : windows)
            list.push_back(
                {{"center", w.first.center}, {"width", w.first.width}, {"invert", w.second}});
        j["windows"] = list;
    }
    return j.dump(2) + "\n";
}

std::uint64_t fnv1a(const std::string &text)
{
    std::uint64_t hash = 14695981039346656037ull;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

void writeText(const fs::path &path, const std::string &text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out.flush())
        throw std::runtime_error(path.string() + ": cannot write");
}

std::string csvField(const std::string &text)
{
    if (text.find_first_of(",\"\n") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (char c : text)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

} // namespace

VocWriter::VocWriter(std::string outputDir, LabelTable classes, const Options &options)
    : m_dir(std::move(outputDir))
    , m_classes(std::move(classes))
    , m_options(options)
{
    if (m_classes.size() == 0 || m_classes.maxIndex() > 254)
        throw std::invalid_argument("VOC export: the class table must hold indexes 0..254");
    if (!(options.valFraction >= 0.0 && options.valFraction < 1.0))
        throw std::invalid_argument("VOC export: the validation fraction must be in [0, 1)");
    for (const char *sub : {"JPEGImages", "SegmentationClass", "ImageSets/Segmentation"}) {
        std::error_code error;
        fs::create_directories(fs::path(m_dir) / sub, error);
        if (error)
            throw std::runtime_error((fs::path(m_dir) / sub).string() + ": " + error.message());
    }
}

std::string VocWriter::sliceName(const std::string &seriesUid, int slice)
{
    char name[40];
    std::snprintf(name, sizeof name, "%016llx_%04d",
                  static_cast<unsigned long long>(fnv1a(seriesUid)), slice);
    return name;
}

void VocWriter::addSeries(const VocSeries &series)
{
    m_windows.emplace_back(series.window, series.invert);
    const std::string source = series.labelSource.empty() ? series.seriesUid : series.labelSource;
    if (!series.image || series.image->isEmpty())
        throw std::runtime_error(series.seriesUid + ": empty image volume");
    if (series.image->components() != 1)
        throw std::runtime_error(series.seriesUid + ": only grey images can be exported");
    const Volume &image = *series.image;
    if (!series.labels)
        throw std::runtime_error(source + ": no labels");
    const Volume &labels = *series.labels;
    if (labels.width() != image.width() || labels.height() != image.height() ||
        labels.depth() != image.depth())
        throw std::runtime_error(
            source + ": label size " + std::to_string(labels.width()) + "x" +
            std::to_string(labels.height()) + "x" + std::to_string(labels.depth()) +
            " does not match the image (" + std::to_string(image.width()) + "x" +
            std::to_string(image.height()) + "x" + std::to_string(image.depth()) + ")");
    // Validate every label first, so that a bad file leaves no half-written series behind.
    std::vector<std::uint8_t> mask(labels.voxelCount());
    for (std::size_t n = 0; n < mask.size(); ++n) {
        const float value = labels.data()[n * labels.components()];
        const long index = std::lround(value);
        if (!(value >= 0.0f) ||
            (index != 255 && (index > m_classes.maxIndex() || !m_classes.find(int(index)))))
            throw std::runtime_error(source + ": class index " + std::to_string(value) +
                                     " at voxel " + std::to_string(n) +
                                     " is not in the class table");
        mask[n] = std::uint8_t(index);
    }

    const auto [lo, hi] = image.range();
    const WindowLut lut(series.window, int(std::floor(lo)), int(std::ceil(hi)), series.invert);
    const std::vector<std::array<std::uint8_t, 3>> palette = detail::vocPalette();
    const std::size_t sliceSize = std::size_t(image.width()) * image.height();
    std::vector<std::uint8_t> grey(sliceSize);
    const bool jpeg = m_options.format == VocImageFormat::Jpeg;
    const std::vector<int> params =
        jpeg ? std::vector<int>{cv::IMWRITE_JPEG_QUALITY, m_options.jpegQuality}
             : std::vector<int>{cv::IMWRITE_PNG_COMPRESSION, 6};
    for (int k = 0; k < image.depth(); ++k) {
        const std::string name = sliceName(series.seriesUid, k);
        lut.apply(image.slice(k), sliceSize, grey.data());
        const cv::Mat one(image.height(), image.width(), CV_8UC1, grey.data());
        cv::Mat three;
        cv::merge(std::vector<cv::Mat>{one, one, one}, three);
        const fs::path imagePath =
            fs::path(m_dir) / "JPEGImages" / (name + (jpeg ? ".jpg" : ".png"));
        bool written = false;
        try {
            written = cv::imwrite(imagePath.string(), three, params);
        } catch (const cv::Exception &) {
            written = false;
        }
        if (!written)
            throw std::runtime_error(imagePath.string() + ": cannot write");
        const fs::path maskPath = fs::path(m_dir) / "SegmentationClass" / (name + ".png");
        detail::writeIndexedPng(maskPath.string(), image.width(), image.height(),
                                mask.data() + sliceSize * std::size_t(k), palette);
        m_rows.push_back({name, series.seriesUid, k, series.patientKey});
    }
}

std::vector<std::string> VocWriter::validationPatients(std::vector<std::string> patientKeys,
                                                       double valFraction, std::uint32_t seed)
{
    std::sort(patientKeys.begin(), patientKeys.end());
    patientKeys.erase(std::unique(patientKeys.begin(), patientKeys.end()), patientKeys.end());
    const int count = int(patientKeys.size());
    int val = int(std::lround(valFraction * count));
    if (valFraction > 0 && count >= 2)
        val = std::max(val, 1);
    val = std::min(val, count - 1);
    if (val <= 0)
        return {};
    std::mt19937 rng(seed);
    std::shuffle(patientKeys.begin(), patientKeys.end(), rng);
    patientKeys.resize(std::size_t(val));
    std::sort(patientKeys.begin(), patientKeys.end());
    return patientKeys;
}

int VocWriter::finish()
{
    std::vector<std::string> keys;
    for (const Row &row : m_rows)
        keys.push_back(row.patientKey);
    const std::vector<std::string> valList =
        validationPatients(keys, m_options.valFraction, m_options.seed);
    const std::set<std::string> val(valList.begin(), valList.end());
    std::string train, validation, all;
    std::string manifest = "image,mask,series_uid,slice,split\n";
    const std::string extension = m_options.format == VocImageFormat::Jpeg ? ".jpg" : ".png";
    for (const Row &row : m_rows) {
        const bool isVal = val.count(row.patientKey) > 0;
        (isVal ? validation : train) += row.name + "\n";
        all += row.name + "\n";
        manifest += "JPEGImages/" + row.name + extension + ",SegmentationClass/" + row.name +
                    ".png," + csvField(row.seriesUid) + "," + std::to_string(row.slice) + "," +
                    (isVal ? "val" : "train") + "\n";
    }
    const fs::path sets = fs::path(m_dir) / "ImageSets" / "Segmentation";
    writeText(sets / "train.txt", train);
    writeText(sets / "val.txt", validation);
    writeText(sets / "trainval.txt", all);
    writeText(fs::path(m_dir) / "manifest.csv", manifest);
    // class_names.txt: one name per index from 0 (labelme2voc's layout); gaps get a placeholder.
    std::string names;
    for (int index = 0; index <= m_classes.maxIndex(); ++index) {
        const LabelClass *c = m_classes.find(index);
        names += (c ? c->name : "class" + std::to_string(index)) + "\n";
    }
    writeText(fs::path(m_dir) / "class_names.txt", names);
    m_classes.save((fs::path(m_dir) / "labels.json").string());
    writeText(fs::path(m_dir) / "preprocessing.json", preprocessingJson(m_windows));
    return int(m_rows.size());
}

} // namespace medseg::core
