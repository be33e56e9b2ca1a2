#include "core/train/ModelBundle.h"

#include "core/common/AtomicFile.h"

#include "models/StateDictFile.h"
#include "models/WeightImport.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace medseg::core {

namespace {

using nlohmann::json;

constexpr const char *kFormat = "medseg-model";
// 2: per-channel intensity rules ("intensity") instead of one optional "window".
constexpr int kFormatVersion = 2;

// The file set's one rule for saving (core/common/AtomicFile): a crash leaves the old file or
// the new one, never half of one. The writer's own errors are named with the file.
void writeAtomically(const std::string &path, const std::function<void(const std::string &)> &write)
{
    AtomicFile::write(path, [&](const std::string &temp) {
        try {
            write(temp);
        } catch (const std::exception &error) {
            throw std::runtime_error(path + ": cannot write: " + error.what());
        }
    });
}

std::string shapeText(const std::vector<int64_t> &shape)
{
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

json intensityToJson(const ChannelIntensity &c)
{
    json j{{"channel", c.channel}, {"scheme", toString(c.scheme)}};
    switch (c.scheme) {
    case IntensityScheme::Grey8:
        break;
    case IntensityScheme::Window:
        j["window"] = {{"center", c.windowCenter}, {"width", c.windowWidth}};
        break;
    case IntensityScheme::CtPercentiles:
        j["clip"] = {c.clipLow, c.clipHigh};
        j["mean"] = c.mean;
        j["std"] = c.std;
        break;
    case IntensityScheme::ZScore:
        j["nonzero_mask"] = c.nonzeroMask;
        break;
    case IntensityScheme::Percentiles:
        j["percentiles"] = {c.lowPercentile, c.highPercentile};
        break;
    }
    return j;
}

ChannelIntensity intensityFromJson(const json &j)
{
    ChannelIntensity c;
    c.channel = j.value("channel", c.channel);
    c.scheme = intensitySchemeFromString(j.at("scheme").get<std::string>());
    if (c.scheme == IntensityScheme::Window) {
        c.windowCenter = j.at("window").at("center").get<double>();
        c.windowWidth = j.at("window").at("width").get<double>();
    } else if (c.scheme == IntensityScheme::CtPercentiles) {
        const auto clip = j.at("clip").get<std::vector<double>>();
        if (clip.size() != 2)
            throw std::runtime_error("channel '" + c.channel + "': clip needs 2 values");
        c.clipLow = clip[0];
        c.clipHigh = clip[1];
        c.mean = j.at("mean").get<double>();
        c.std = j.at("std").get<double>();
    } else if (c.scheme == IntensityScheme::ZScore) {
        c.nonzeroMask = j.value("nonzero_mask", false);
    } else if (c.scheme == IntensityScheme::Percentiles) {
        const auto p = j.value("percentiles", std::vector<double>{0.5, 99.5});
        if (p.size() != 2)
            throw std::runtime_error("channel '" + c.channel + "': percentiles needs 2 values");
        c.lowPercentile = p[0];
        c.highPercentile = p[1];
    }
    c.check();
    return c;
}

json preprocessingToJson(const Preprocessing &p)
{
    json intensity = json::array();
    for (const ChannelIntensity &c : p.intensity)
        intensity.push_back(intensityToJson(c));
    return json{{"intensity", intensity},
                {"mean", p.mean},
                {"std", p.std},
                {"input_size", p.inputSize},
                {"input_resize", toString(p.resize)},
                {"adjacent_slices", p.adjacentSlices}};
}

// Also reads format 1's one optional CT window ("window": {"center", "width"} or null).
Preprocessing preprocessingFromJsonObject(const json &p)
{
    Preprocessing result;
    if (const auto i = p.find("intensity"); i != p.end()) {
        for (const json &channel : *i)
            result.intensity.push_back(intensityFromJson(channel));
    } else if (const auto w = p.find("window"); w != p.end() && !w->is_null()) {
        const ChannelIntensity window =
            ChannelIntensity::window(w->at("center").get<double>(), w->at("width").get<double>());
        window.check();
        result.intensity.push_back(window);
    }
    result.mean = p.at("mean").get<std::vector<float>>();
    result.std = p.at("std").get<std::vector<float>>();
    result.inputSize = p.value("input_size", 0);
    // Files from before the key trained by stretching (and recorded input_size 0).
    result.resize = inputResizeFromString(p.value("input_resize", std::string("stretch")));
    result.adjacentSlices = p.value("adjacent_slices", 1);
    if (result.adjacentSlices != 1 && result.adjacentSlices != 3 && result.adjacentSlices != 5)
        throw std::runtime_error("preprocessing adjacent_slices must be 1, 3 or 5");
    for (float s : result.std)
        if (!(s > 0))
            throw std::runtime_error("preprocessing std must be positive");
    return result;
}

json configToJson(const models::ModelConfig &config)
{
    return json{{"backbone", config.backbone},
                {"in_channels", config.in_channels},
                {"num_classes", config.num_classes},
                {"output_stride", config.output_stride},
                {"bins", config.bins},
                {"aux", config.aux},
                {"aux_weight", config.aux_weight},
                {"bottleneck_channels", config.bottleneck_channels},
                {"bottleneck_kernel", config.bottleneck_kernel},
                {"dropout", config.dropout},
                {"stochastic_depth_prob", config.stochastic_depth_prob}};
}

models::ModelConfig configFromJson(const json &j)
{
    models::ModelConfig config;
    config.backbone = j.at("backbone").get<std::string>();
    config.in_channels = j.at("in_channels").get<int>();
    config.num_classes = j.at("num_classes").get<int>();
    config.output_stride = j.at("output_stride").get<int>();
    config.bins = j.at("bins").get<std::vector<int>>();
    config.aux = j.value("aux", config.aux);
    config.aux_weight = j.value("aux_weight", config.aux_weight);
    config.bottleneck_channels = j.at("bottleneck_channels").get<int>();
    config.bottleneck_kernel = j.value("bottleneck_kernel", config.bottleneck_kernel);
    config.dropout = j.value("dropout", config.dropout);
    config.stochastic_depth_prob = j.value("stochastic_depth_prob", config.stochastic_depth_prob);
    return config;
}

std::string readText(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(path + ": cannot open (missing or unreadable)");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

models::StateDict stateOf(models::PSPNetImpl &model)
{
    models::StateDict state;
    for (const auto &p : model.named_parameters(/*recurse=*/true))
        state[p.key()] = p.value();
    for (const auto &b : model.named_buffers(/*recurse=*/true))
        state[b.key()] = b.value();
    return state;
}

} // namespace

std::string modelBundleJsonPath(const std::string &ptPath)
{
    const std::string suffix = ".pt";
    if (ptPath.size() > suffix.size() &&
        ptPath.compare(ptPath.size() - suffix.size(), suffix.size(), suffix) == 0)
        return ptPath.substr(0, ptPath.size() - suffix.size()) + ".json";
    return ptPath + ".json";
}

std::string toJson(const ModelBundle &bundle)
{
    json classes = json::array();
    for (const ModelClass &item : bundle.classes)
        classes.push_back({{"index", item.index},
                           {"name", item.name},
                           {"color", {item.colour[0], item.colour[1], item.colour[2]}}});
    json root{{"format", kFormat},
              {"format_version", kFormatVersion},
              {"version", bundle.version},
              {"created_at", bundle.createdAt},
              {"dataset_summary", bundle.datasetSummary},
              {"model", configToJson(bundle.config)},
              {"classes", classes},
              {"preprocessing", preprocessingToJson(bundle.preprocessing)}};
    if (!bundle.trainingPlan.empty())
        root["training"] = json::parse(bundle.trainingPlan);
    const InferenceRefinement &r = bundle.refinement;
    if (!r.isEmpty() || r.validationSlices > 0)
        root["inference"] = {{"flip_tta", r.flipTta},
                             {"keep_largest_component", r.largestComponentClasses},
                             {"validation_slices", r.validationSlices},
                             {"mean_foreground_dice_before", r.diceBefore},
                             {"mean_foreground_dice_after", r.diceAfter}};
    if (bundle.validation.isValid()) {
        const ValidationScores &v = bundle.validation;
        json dice = json::array();
        for (double value : v.dice) // JSON has no NaN: an absent class is null
            dice.push_back(std::isfinite(value) ? json(value) : json(nullptr));
        root["validation"] = {{"dice", dice},
                              {"mean_foreground_dice", v.meanForegroundDice},
                              {"stage", v.stage},
                              {"epoch", v.epoch},
                              {"step", v.step}};
    }
    return root.dump(2) + "\n";
}

ModelBundle modelBundleFromJson(const std::string &text, const std::string &source)
{
    const std::string where = source.empty() ? std::string("model description") : source;
    ModelBundle bundle;
    try {
        const json root = json::parse(text);
        if (root.value("format", std::string()) != kFormat)
            throw std::runtime_error(std::string("not a model description (\"format\" is not \"") +
                                     kFormat + "\")");
        if (root.value("format_version", 0) > kFormatVersion)
            throw std::runtime_error("written by a newer version (format_version " +
                                     std::to_string(root.value("format_version", 0)) + ")");
        bundle.version = root.value("version", bundle.version);
        bundle.createdAt = root.value("created_at", std::string());
        bundle.datasetSummary = root.value("dataset_summary", std::string());
        bundle.config = configFromJson(root.at("model"));
        for (const json &item : root.at("classes")) {
            ModelClass c;
            c.index = item.at("index").get<int>();
            c.name = item.at("name").get<std::string>();
            const auto colour = item.value("color", std::vector<int>{0, 0, 0});
            if (colour.size() != 3)
                throw std::runtime_error("class \"" + c.name + "\": color needs 3 values");
            for (int i = 0; i < 3; ++i)
                c.colour[std::size_t(i)] = std::uint8_t(std::clamp(colour[std::size_t(i)], 0, 255));
            bundle.classes.push_back(c);
        }
        bundle.preprocessing = preprocessingFromJsonObject(root.at("preprocessing"));
        if (const auto t = root.find("training"); t != root.end() && t->is_object())
            bundle.trainingPlan = t->dump();
        if (const auto i = root.find("inference"); i != root.end() && i->is_object()) {
            InferenceRefinement &r = bundle.refinement;
            r.flipTta = i->value("flip_tta", false);
            r.largestComponentClasses = i->value("keep_largest_component", std::vector<int>{});
            std::sort(r.largestComponentClasses.begin(), r.largestComponentClasses.end());
            r.validationSlices = i->value("validation_slices", 0);
            r.diceBefore = i->value("mean_foreground_dice_before", -1.0);
            r.diceAfter = i->value("mean_foreground_dice_after", -1.0);
        }
        if (const auto v = root.find("validation"); v != root.end() && v->is_object()) {
            ValidationScores &scores = bundle.validation;
            for (const json &value : v->at("dice"))
                scores.dice.push_back(value.is_number() ? value.get<double>()
                                                        : std::numeric_limits<double>::quiet_NaN());
            scores.meanForegroundDice = v->at("mean_foreground_dice").get<double>();
            scores.stage = v->value("stage", 0);
            scores.epoch = v->value("epoch", 0);
            scores.step = v->value("step", std::int64_t(0));
        }
    } catch (const json::exception &error) {
        throw std::runtime_error(where + ": corrupt model description: " + error.what());
    } catch (const std::runtime_error &error) {
        throw std::runtime_error(where + ": " + error.what());
    }
    const auto channels = std::size_t(std::max(1, bundle.config.in_channels));
    for (const auto *values : {&bundle.preprocessing.mean, &bundle.preprocessing.std})
        if (values->empty() || (values->size() != 1 && values->size() < channels))
            throw std::runtime_error(where + ": preprocessing mean/std need 1 or " +
                                     std::to_string(channels) + " values");
    if (bundle.preprocessing.networkChannels() > 1 &&
        bundle.preprocessing.networkChannels() != bundle.config.in_channels)
        throw std::runtime_error(where + ": " +
                                 std::to_string(bundle.preprocessing.networkChannels()) +
                                 " image channels for a network of " +
                                 std::to_string(bundle.config.in_channels) + " input channels");
    if (!bundle.classes.empty() && int(bundle.classes.size()) != bundle.config.num_classes)
        throw std::runtime_error(where + ": " + std::to_string(bundle.classes.size()) +
                                 " classes listed for a model of " +
                                 std::to_string(bundle.config.num_classes));
    return bundle;
}

ChannelIntensity Preprocessing::channelRule(int c) const
{
    if (c >= 0 && c < int(intensity.size()))
        return intensity[std::size_t(c)];
    return {};
}

bool Preprocessing::readsRawValues() const
{
    return std::any_of(intensity.begin(), intensity.end(), [](const ChannelIntensity &c) {
        return c.scheme != IntensityScheme::Grey8;
    });
}

bool Preprocessing::isUnitRange() const
{
    return std::all_of(intensity.begin(), intensity.end(),
                       [](const ChannelIntensity &c) { return c.isUnitRange(); });
}

std::string preprocessingJson(const Preprocessing &preprocessing)
{
    return preprocessingToJson(preprocessing).dump();
}

Preprocessing preprocessingFromJson(const std::string &text, const std::string &source)
{
    const std::string where = source.empty() ? std::string("preprocessing") : source;
    try {
        return preprocessingFromJsonObject(json::parse(text));
    } catch (const json::exception &error) {
        throw std::runtime_error(where + ": corrupt preprocessing: " + error.what());
    } catch (const std::runtime_error &error) {
        throw std::runtime_error(where + ": " + error.what());
    }
}

ModelBundle readModelBundleInfo(const std::string &ptPath)
{
    const std::string jsonPath = modelBundleJsonPath(ptPath);
    return modelBundleFromJson(readText(jsonPath), jsonPath);
}

namespace {

std::string describedJson(models::PSPNet &model, const ModelBundle &bundle, const std::string &what)
{
    if (!model)
        throw std::runtime_error(what + ": no model to save");
    ModelBundle described = bundle;
    described.config = model->config;
    return toJson(described);
}

void writeModelFiles(const std::string &ptPath, const models::StateDict &state,
                     const std::string &text)
{
    writeAtomically(ptPath, [&](const std::string &temp) { models::writeStateDict(state, temp); });
    writeAtomically(modelBundleJsonPath(ptPath), [&](const std::string &temp) {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out)
            throw std::runtime_error(std::strerror(errno));
    });
}

} // namespace

void saveModelBundle(const std::string &ptPath, models::PSPNet &model, const ModelBundle &bundle)
{
    const std::string text = describedJson(model, bundle, ptPath);
    writeModelFiles(ptPath, stateOf(*model), text);
}

ModelSnapshot snapshotModelBundle(models::PSPNet &model, const ModelBundle &bundle)
{
    ModelSnapshot snapshot;
    snapshot.json = describedJson(model, bundle, "model snapshot");
    c10::NoGradGuard noGrad;
    for (const auto &[name, tensor] : stateOf(*model))
        snapshot.state[name] = tensor.detach().to(at::kCPU, /*non_blocking=*/false, /*copy=*/true);
    return snapshot;
}

void saveModelSnapshot(const std::string &ptPath, const ModelSnapshot &snapshot)
{
    writeModelFiles(ptPath, snapshot.state, snapshot.json);
}

ModelBundle loadModelBundle(const std::string &ptPath, models::PSPNet *model)
{
    ModelBundle bundle = readModelBundleInfo(ptPath);
    const std::string jsonPath = modelBundleJsonPath(ptPath);
    if (!std::ifstream(ptPath, std::ios::binary))
        throw std::runtime_error(ptPath + ": cannot open (missing or unreadable)");
    models::StateDict state;
    try {
        state = models::readStateDict(ptPath);
    } catch (const std::exception &error) {
        const std::string what = error.what();
        // readStateDict's messages usually name the file already.
        throw std::runtime_error(
            what.find(ptPath) != std::string::npos ? what : ptPath + ": corrupt weights: " + what);
    }
    models::PSPNet net{nullptr};
    try {
        net = models::PSPNet(bundle.config);
    } catch (const std::exception &error) {
        throw std::runtime_error(jsonPath +
                                 ": cannot build the model it describes: " + error.what());
    }
    const models::ImportReport report = models::loadStateDict(*net, state);
    if (!report.ok()) {
        std::string message = ptPath + ": the weights do not match the model in " + jsonPath;
        int listed = 0;
        for (const models::ShapeMismatch &m : report.mismatched)
            if (listed++ < 5)
                message += "\n  " + m.key + ": file " + shapeText(m.file_shape) + ", model " +
                           shapeText(m.model_shape);
        for (const std::string &key : report.missing)
            if (listed++ < 5)
                message += "\n  " + key + ": missing from the file";
        for (const std::string &key : report.unexpected)
            if (listed++ < 5)
                message += "\n  " + key + ": not in the model";
        const std::size_t total =
            report.mismatched.size() + report.missing.size() + report.unexpected.size();
        if (total > 5)
            message += "\n  (" + std::to_string(total - 5) + " more)";
        throw std::runtime_error(message);
    }
    for (const auto &[key, tensor] : state)
        if (tensor.is_floating_point() && !at::isfinite(tensor).all().item<bool>())
            throw std::runtime_error(ptPath + ": tensor " + key + " holds NaN or infinite values");
    net->eval();
    if (model)
        *model = net;
    return bundle;
}

} // namespace medseg::core
