#include "core/datasetio/NnUnetDataset.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace medseg::core {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json readJson(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(path.string() + ": missing; a dataset folder holds a "
                                                 "dataset.json");
    std::stringstream text;
    text << in.rdbuf();
    try {
        return json::parse(text.str());
    } catch (const std::exception &error) {
        throw std::runtime_error(path.string() + ": not valid JSON (" + error.what() + ")");
    }
}

void requireFile(const fs::path &dataset, const fs::path &file, const std::string &what)
{
    if (!fs::is_regular_file(file))
        throw std::runtime_error((dataset / "dataset.json").string() + " lists " + what + " " +
                                 file.string() + ", which does not exist");
}

bool endsWith(const std::string &text, const std::string &suffix)
{
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// nnU-Net v2: {"channel_names": {"0": "CT"}, "labels": {"background": 0, "liver": 1},
// "numTraining": 10, "file_ending": ".nii.gz"}; cases are the files of labelsTr.
NnUnetDataset readV2(const fs::path &root, const json &meta)
{
    const fs::path jsonPath = root / "dataset.json";
    NnUnetDataset dataset;
    dataset.format = "nnU-Net v2";
    dataset.name = root.filename().string();
    std::map<int, std::string> channels;
    for (const auto &[key, value] : meta.at("channel_names").items())
        channels[std::stoi(key)] = value.get<std::string>();
    for (const auto &[index, name] : channels) {
        if (index != int(dataset.channelNames.size()))
            throw std::runtime_error(jsonPath.string() +
                                     ": channel_names must number channels 0, 1, 2, ...");
        dataset.channelNames.push_back(name);
    }
    for (const auto &[name, value] : meta.at("labels").items()) {
        if (!value.is_number_integer())
            throw std::runtime_error(
                jsonPath.string() + ": label '" + name +
                "' is a region (a list of labels); region-based datasets train overlapping "
                "targets and cannot be imported as a label map");
        dataset.labels.push_back({value.get<int>(), name});
    }
    dataset.fileEnding = meta.value("file_ending", std::string(".nii.gz"));
    const auto caseFiles = [&](const fs::path &folder, const std::string &caseName) {
        std::vector<std::string> files;
        for (std::size_t c = 0; c < dataset.channelNames.size(); ++c) {
            char suffix[40];
            std::snprintf(suffix, sizeof suffix, "_%04zu", c);
            const fs::path file = folder / (caseName + suffix + dataset.fileEnding);
            if (!fs::is_regular_file(file))
                throw std::runtime_error(file.string() + ": missing (channel " + std::to_string(c) +
                                         " of case " + caseName + ")");
            files.push_back(fs::absolute(file).string());
        }
        return files;
    };
    std::vector<fs::path> labelFiles;
    if (fs::is_directory(root / "labelsTr"))
        for (const auto &entry : fs::directory_iterator(root / "labelsTr"))
            if (entry.is_regular_file() &&
                endsWith(entry.path().filename().string(), dataset.fileEnding))
                labelFiles.push_back(entry.path());
    std::sort(labelFiles.begin(), labelFiles.end());
    for (const fs::path &label : labelFiles) {
        const std::string fileName = label.filename().string();
        DatasetCase item;
        item.name = fileName.substr(0, fileName.size() - dataset.fileEnding.size());
        item.channelFiles = caseFiles(root / "imagesTr", item.name);
        item.labelFile = fs::absolute(label).string();
        dataset.training.push_back(std::move(item));
    }
    if (meta.contains("numTraining") &&
        meta.at("numTraining").get<int>() != int(dataset.training.size()))
        throw std::runtime_error(jsonPath.string() + " says numTraining " +
                                 std::to_string(meta.at("numTraining").get<int>()) + ", but " +
                                 (root / "labelsTr").string() + " holds " +
                                 std::to_string(dataset.training.size()) + " label files");
    // Test cases: imagesTs/CASE_0000<ending>.
    if (fs::is_directory(root / "imagesTs")) {
        std::set<std::string> names;
        static const std::regex channel(R"(^(.+)_\d{4}$)");
        for (const auto &entry : fs::directory_iterator(root / "imagesTs")) {
            const std::string fileName = entry.path().filename().string();
            std::smatch match;
            const std::string stem =
                fileName.substr(0, endsWith(fileName, dataset.fileEnding)
                                       ? fileName.size() - dataset.fileEnding.size()
                                       : fileName.size());
            if (endsWith(fileName, dataset.fileEnding) && std::regex_match(stem, match, channel))
                names.insert(match[1].str());
        }
        for (const std::string &name : names)
            dataset.test.push_back({name, caseFiles(root / "imagesTs", name), false, {}});
    }
    return dataset;
}

// The Decathlon: {"name": "Heart", "modality": {"0": "MRI"}, "labels": {"0": "background",
// "1": "left atrium"}, "training": [{"image": "./imagesTr/la_003.nii.gz", "label":
// "./labelsTr/la_003.nii.gz"}], "test": ["./imagesTs/la_001.nii.gz"]}.
NnUnetDataset readDecathlon(const fs::path &root, const json &meta)
{
    NnUnetDataset dataset;
    dataset.format = "Medical Segmentation Decathlon";
    dataset.name = meta.value("name", root.filename().string());
    std::map<int, std::string> channels;
    for (const auto &[key, value] : meta.at("modality").items())
        channels[std::stoi(key)] = value.get<std::string>();
    for (const auto &entry : channels)
        dataset.channelNames.push_back(entry.second);
    for (const auto &[key, value] : meta.at("labels").items())
        dataset.labels.push_back({std::stoi(key), value.get<std::string>()});
    dataset.fileEnding = ".nii.gz";
    const bool fourD = dataset.channelNames.size() > 1;
    for (const json &item : meta.at("training")) {
        const fs::path image = root / item.at("image").get<std::string>();
        const fs::path label = root / item.at("label").get<std::string>();
        requireFile(root, image, "image");
        requireFile(root, label, "label");
        const std::string fileName = image.filename().string();
        DatasetCase c;
        c.name = fileName.substr(0, fileName.find('.'));
        c.channelFiles = {fs::absolute(image).lexically_normal().string()};
        c.channelsAreVolumes = fourD;
        c.labelFile = fs::absolute(label).lexically_normal().string();
        dataset.training.push_back(std::move(c));
    }
    for (const json &item : meta.value("test", json::array())) {
        const fs::path image = root / (item.is_string() ? item.get<std::string>()
                                                        : item.at("image").get<std::string>());
        requireFile(root, image, "test image");
        const std::string fileName = image.filename().string();
        dataset.test.push_back({fileName.substr(0, fileName.find('.')),
                                {fs::absolute(image).lexically_normal().string()},
                                fourD,
                                {}});
    }
    return dataset;
}

} // namespace

bool isNnUnetDatasetName(const std::string &folderName)
{
    static const std::regex pattern(R"(^Dataset\d{3}_[A-Za-z0-9_\-]+$)");
    return std::regex_match(folderName, pattern);
}

NnUnetDataset readNnUnetDataset(const std::string &folder)
{
    const fs::path root = fs::absolute(fs::path(folder)).lexically_normal();
    if (!fs::is_directory(root))
        throw std::runtime_error(folder + ": not a folder");
    const json meta = readJson(root / "dataset.json");
    NnUnetDataset dataset;
    try {
        if (meta.contains("channel_names"))
            dataset = readV2(root, meta);
        else if (meta.contains("training") && meta.contains("modality"))
            dataset = readDecathlon(root, meta);
        else
            throw std::runtime_error((root / "dataset.json").string() +
                                     ": neither nnU-Net v2 (channel_names) nor a Decathlon "
                                     "dataset (training, modality)");
    } catch (const json::exception &error) {
        throw std::runtime_error((root / "dataset.json").string() +
                                 ": a required entry is missing or of the wrong kind (" +
                                 error.what() + ")");
    }
    dataset.root = root.string();
    std::sort(dataset.labels.begin(), dataset.labels.end(),
              [](const DatasetLabel &a, const DatasetLabel &b) { return a.value < b.value; });
    for (const DatasetLabel &label : dataset.labels)
        if (label.value < 0 || label.value > 65535)
            throw std::runtime_error((root / "dataset.json").string() + ": label '" + label.name +
                                     "' has value " + std::to_string(label.value) +
                                     ", outside 0..65535");
    if (dataset.training.empty() && dataset.test.empty())
        throw std::runtime_error(root.string() + ": dataset.json lists no cases and labelsTr/ "
                                                 "holds no label files");
    return dataset;
}

} // namespace medseg::core
