#include "core/dataset/VocReader.h"

#include "core/dataset/detail/ImageSize.h"
#include "core/dataset/detail/PngIo.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace medseg::core {
namespace {

std::vector<std::string> readLines(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(path.string() + ": cannot open");
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
            line.pop_back();
        lines.push_back(line);
    }
    return lines;
}

std::set<std::string> readList(const fs::path &path)
{
    std::set<std::string> names;
    if (!fs::exists(path))
        return names;
    for (const std::string &line : readLines(path))
        if (!line.empty())
            names.insert(line.substr(0, line.find(' ')));
    return names;
}

LabelTable classNames(const fs::path &path);

// CVAT's `name:r,g,b:parts:actions` lines, or one class name per line as several converters
// write labelmap.txt (colours then from the VOC palette, as for class_names.txt).
LabelTable cvatLabelMap(const fs::path &path)
{
    const std::vector<std::string> lines = readLines(path);
    const auto isEntry = [](const std::string &line) {
        return !line.empty() && line[0] != '#';
    };
    const auto hasColour = [](const std::string &line) {
        return line.find(':') != std::string::npos;
    };
    const bool anyColour = std::any_of(lines.begin(), lines.end(), [&](const std::string &line) {
        return isEntry(line) && hasColour(line);
    });
    if (!anyColour)
        return classNames(path);
    std::vector<LabelClass> classes;
    for (const std::string &line : lines) {
        if (!isEntry(line))
            continue;
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos)
            throw std::runtime_error(path.string() + ": line '" + line +
                                     "' has no colour, while other lines give one as "
                                     "'name:r,g,b::'; give every class a colour, or none");
        LabelClass c;
        c.index = int(classes.size());
        c.name = line.substr(0, colon);
        std::string colour = line.substr(colon + 1);
        colour = colour.substr(0, colour.find(':'));
        int r = 0, g = 0, b = 0;
        char comma1 = 0, comma2 = 0;
        std::istringstream parse(colour);
        if (!(parse >> r >> comma1 >> g >> comma2 >> b) || comma1 != ',' || comma2 != ',')
            throw std::runtime_error(path.string() + ": bad colour in '" + line + "'");
        c.colour = {std::uint8_t(r), std::uint8_t(g), std::uint8_t(b)};
        classes.push_back(c);
    }
    if (classes.size() > 255)
        throw std::runtime_error(path.string() + ": more than 255 classes");
    return LabelTable(std::move(classes));
}

LabelTable classNames(const fs::path &path)
{
    const auto palette = detail::vocPalette();
    std::vector<LabelClass> classes;
    for (const std::string &line : readLines(path)) {
        if (line.empty() || line[0] == '#' || line == "__ignore__")
            continue;
        const int index = int(classes.size());
        if (index > 254)
            throw std::runtime_error(path.string() + ": more than 255 classes");
        classes.push_back({index, line, palette[std::size_t(index)]});
    }
    return LabelTable(std::move(classes));
}

// "3 masks have no image in JPEGImages (left out): a, b, c", naming at most the first five.
std::string listed(std::size_t count, const std::string &what,
                   const std::vector<std::string> &names)
{
    std::string text = std::to_string(count) + " " + what + ": ";
    for (std::size_t i = 0; i < names.size() && i < 5; ++i)
        text += (i ? ", " : "") + names[i];
    return text + (names.size() > 5 ? ", ..." : "");
}

// What a dataset's files do not say themselves: samples that cannot be used, and why.
std::vector<std::string> problemsOf(const VocDataset &dataset, const std::set<std::string> &train,
                                    const std::set<std::string> &val, const fs::path &maskDir)
{
    std::vector<std::string> withoutImage, unsplit;
    std::set<std::string> masks;
    for (const VocSample &sample : dataset.samples) {
        masks.insert(sample.name);
        const bool listsSplit = !train.empty() || !val.empty();
        if (sample.imagePath.empty())
            withoutImage.push_back(sample.name);
        else if (listsSplit && sample.split.empty())
            unsplit.push_back(sample.name);
    }
    std::vector<std::string> withoutMask;
    for (const std::set<std::string> *split : {&train, &val})
        for (const std::string &name : *split)
            if (!masks.count(name))
                withoutMask.push_back(name);
    std::vector<std::string> notes;
    if (!withoutImage.empty())
        notes.push_back(listed(withoutImage.size(),
                               "mask(s) in " + maskDir.filename().string() +
                                   " have no image in JPEGImages and are left out",
                               withoutImage));
    if (!withoutMask.empty())
        notes.push_back(listed(withoutMask.size(),
                               "name(s) in ImageSets/Segmentation have no mask in " +
                                   maskDir.filename().string() + " and are left out",
                               withoutMask));
    if (!unsplit.empty())
        notes.push_back(listed(unsplit.size(),
                               "labeled image(s) are in neither train.txt nor val.txt and are not "
                               "used",
                               unsplit));
    return notes;
}

} // namespace

VocDataset VocReader::open(const std::string &dir)
{
    const fs::path root(dir);
    if (!fs::is_directory(root))
        throw std::runtime_error(dir + ": not a folder");
    VocDataset dataset;
    dataset.root = fs::absolute(root).string();
    fs::path maskDir = root / "SegmentationClass";
    if (fs::exists(root / "labels.json")) {
        dataset.layout = VocLayout::MedSeg;
        dataset.classes = LabelTable::load((root / "labels.json").string());
    } else if (fs::exists(root / "labelmap.txt")) {
        dataset.layout = VocLayout::Cvat;
        dataset.classes = cvatLabelMap(root / "labelmap.txt");
    } else if (fs::exists(root / "class_names.txt")) {
        dataset.layout = VocLayout::Labelme;
        dataset.classes = classNames(root / "class_names.txt");
        if (fs::is_directory(root / "SegmentationClassPNG"))
            maskDir = root / "SegmentationClassPNG";
    } else {
        throw std::runtime_error(dir + ": no labels.json, labelmap.txt or class_names.txt: not a "
                                       "VOC segmentation dataset");
    }
    if (!fs::is_directory(maskDir))
        throw std::runtime_error(maskDir.string() + ": missing");

    const fs::path sets = root / "ImageSets" / "Segmentation";
    const std::set<std::string> train = readList(sets / "train.txt");
    const std::set<std::string> val = readList(sets / "val.txt");
    for (const auto &entry : fs::directory_iterator(maskDir)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".png")
            continue;
        VocSample sample;
        sample.name = entry.path().stem().string();
        sample.maskPath = entry.path().string();
        for (const char *extension : {".png", ".jpg", ".jpeg", ".JPG", ".PNG", ".bmp"}) {
            const fs::path image = root / "JPEGImages" / (sample.name + extension);
            if (fs::exists(image)) {
                sample.imagePath = image.string();
                break;
            }
        }
        sample.split = train.count(sample.name) ? "train" : val.count(sample.name) ? "val" : "";
        dataset.samples.push_back(std::move(sample));
    }
    std::sort(dataset.samples.begin(), dataset.samples.end(),
              [](const VocSample &a, const VocSample &b) { return a.name < b.name; });
    dataset.notes = problemsOf(dataset, train, val, maskDir);
    return dataset;
}

VocMask VocReader::readMask(const VocDataset &dataset, const VocSample &sample)
{
    const detail::PngImage png = detail::readPng(sample.maskPath);
    VocMask mask;
    mask.width = png.width;
    mask.height = png.height;
    const std::size_t count = std::size_t(png.width) * png.height;
    mask.indexes.resize(count);
    const LabelTable &classes = dataset.classes;
    if (png.channels == 1) {
        std::copy(png.pixels.begin(), png.pixels.begin() + std::ptrdiff_t(count),
                  mask.indexes.begin());
        for (std::size_t n = 0; n < count; ++n) {
            const int index = mask.indexes[n];
            if (index != 255 && !classes.find(index))
                throw std::runtime_error(sample.maskPath + ": class index " +
                                         std::to_string(index) + " is not in the class table");
        }
        return mask;
    }
    std::map<std::uint32_t, std::uint8_t> byColour;
    for (const LabelClass &c : classes.classes())
        byColour[(std::uint32_t(c.colour[0]) << 16) | (std::uint32_t(c.colour[1]) << 8) |
                 c.colour[2]] = std::uint8_t(c.index);
    for (std::size_t n = 0; n < count; ++n) {
        const std::uint8_t *rgb = &png.pixels[n * 3];
        const std::uint32_t key =
            (std::uint32_t(rgb[0]) << 16) | (std::uint32_t(rgb[1]) << 8) | rgb[2];
        const auto found = byColour.find(key);
        if (found == byColour.end())
            throw std::runtime_error(sample.maskPath + ": colour " + std::to_string(rgb[0]) + "," +
                                     std::to_string(rgb[1]) + "," + std::to_string(rgb[2]) +
                                     " is not in the class table");
        mask.indexes[n] = found->second;
    }
    return mask;
}

std::vector<std::uint8_t> VocReader::readImage(const std::string &path, int *width, int *height,
                                               int *channels)
{
    // What the header claims is checked before OpenCV decodes (and allocates) it.
    if (const auto size = detail::imageFileSize(path))
        detail::checkSliceSize(path, size->first, size->second);
    cv::Mat image = cv::imread(path, cv::IMREAD_UNCHANGED);
    if (image.empty())
        throw std::runtime_error(path + ": not a readable image");
    if (image.depth() != CV_8U)
        image.convertTo(image, CV_8U);
    if (image.channels() == 4)
        cv::cvtColor(image, image, cv::COLOR_BGRA2RGB);
    else if (image.channels() == 3)
        cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
    else if (image.channels() != 1)
        throw std::runtime_error(path + ": unsupported channel count");
    *width = image.cols;
    *height = image.rows;
    *channels = image.channels();
    std::vector<std::uint8_t> pixels;
    for (int y = 0; y < image.rows; ++y)
        pixels.insert(pixels.end(), image.ptr<std::uint8_t>(y),
                      image.ptr<std::uint8_t>(y) + std::size_t(image.cols) * image.channels());
    return pixels;
}

} // namespace medseg::core
