#include "core/export/OnnxExporter.h"

#include "core/common/AtomicFile.h"

#include "core/export/detail/NetworkWalk.h"

#include <nlohmann/json.hpp>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

namespace medseg::core {

namespace {

using detail::NetworkWalk;

// `dims` names the axes ("batch", "height", "width"; "" for the channels). With a static size
// they become numbers: batch 1 and the given height and width.

void setTensorType(onnx::ValueInfoProto *info, const std::string &name, int elemType,
                   const std::vector<std::string> &dims, int64_t channels,
                   const std::optional<std::array<int64_t, 2>> &staticSize)
{
    info->set_name(name);
    auto *tensor = info->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(elemType);
    auto *shape = tensor->mutable_shape();
    for (const auto &d : dims) {
        auto *dim = shape->add_dim();
        if (d.empty())
            dim->set_dim_value(channels);
        else if (!staticSize)
            dim->set_dim_param(d);
        else if (d == "batch")
            dim->set_dim_value(1);
        else
            dim->set_dim_value(d == "height" ? (*staticSize)[0] : (*staticSize)[1]);
    }
}

// One pass over the network: writes the graph into `graph` (when not null) in `mode`.
void emitGraph(models::PSPNetImpl &net, const at::Tensor &sample, onnx::GraphProto *graph,
               int opset, OnnxGraph::Mode mode, std::map<std::string, TensorRange> *ranges,
               const std::map<std::string, QuantParams> *params, QuantProfile profile,
               const OnnxExportOptions &options)
{
    OnnxGraph g(graph, opset, mode);
    g.setStaticShapes(options.staticSize.has_value());
    g.setFactorPyramidHead(options.factorPyramidHead);
    g.setRanges(ranges);
    g.setQuantization(params, profile);
    NetworkWalk<OnnxGraph> walk(g);
    const OnnxValue input = g.input("input", sample);
    const OnnxValue logits = g.rename(walk.network(net, input), "logits");
    if (options.softmaxOutput)
        g.rename(g.softmaxChannels(logits), "probabilities");
    if (options.argmaxOutput)
        g.rename(g.argmaxChannels(logits), "labels");
}

float percentileOf(std::vector<float> values, double q)
{
    if (values.empty())
        return 0.0f;
    const double position = q / 100.0 * static_cast<double>(values.size() - 1);
    const auto k = static_cast<size_t>(std::llround(position));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    return values[k];
}

QuantParams quantParams(const TensorRange &range, QuantProfile profile, CalibrationMethod method,
                        double percentile)
{
    float lo = range.min;
    float hi = range.max;
    if (method == CalibrationMethod::Percentile && !range.sample.empty()) {
        lo = percentileOf(range.sample, 100.0 - percentile);
        hi = percentileOf(range.sample, percentile);
    }
    lo = std::min(lo, 0.0f);
    hi = std::max(hi, 0.0f);
    QuantParams p;
    if (profile == QuantProfile::Cpu) {
        p.scale = (hi - lo) / 255.0f;
        if (!(p.scale > 0.0f))
            p.scale = 1.0f;
        p.zeroPoint = std::clamp(static_cast<int>(std::lround(-lo / p.scale)), 0, 255);
    } else {
        const float a = std::max(-lo, hi);
        p.scale = a > 0.0f ? a / 127.0f : 1.0f;
        p.zeroPoint = 0;
    }
    return p;
}

std::string jsonClasses(const ExportMetadata &m)
{
    nlohmann::json classes = nlohmann::json::array();
    for (const auto &c : m.classes)
        classes.push_back({{"index", c.index},
                           {"name", c.name},
                           {"colour", {c.colour[0], c.colour[1], c.colour[2]}}});
    return classes.dump();
}

// The bundle's preprocessing object (core::preprocessingJson: what medseg itself reads back),
// with the steps in words for other runtimes.
nlohmann::json preprocessingJson(const ExportMetadata &m, int inChannels)
{
    const Preprocessing &pre = m.preprocessing;
    nlohmann::json p = nlohmann::json::parse(core::preprocessingJson(pre));
    p["input_channels"] = inChannels;
    p["image_channels"] = pre.imageChannels();
    p["adjacent_slices"] = pre.adjacentSlices;
    p["layout"] = "NCHW float32";
    nlohmann::json steps = nlohmann::json::array();
    if (pre.intensity.empty())
        steps.push_back("8-bit grey values / 255");
    for (const ChannelIntensity &rule : pre.intensity)
        steps.push_back(rule.channel + ": " + rule.describe() + " (" + toString(rule.scheme) +
                        ", medseg's core/train/Intensity.h)");
    if (pre.adjacentSlices > 1)
        steps.push_back("for slice z, stack each image channel's slices z - " +
                        std::to_string(pre.adjacentSlices / 2) + " .. z + " +
                        std::to_string(pre.adjacentSlices / 2) +
                        " (the volume's first and last slices repeated beyond its ends), channel "
                        "by channel: image_channels x adjacent_slices = input_channels");
    else
        steps.push_back(pre.imageChannels() == 1 && inChannels > 1
                            ? "replicate the grey channel to input_channels"
                            : "stack the channels in this order");
    if (pre.inputSize > 0)
        steps.push_back(pre.resize == InputResize::Stretch
                            ? "resize (bilinear) the slice to input_size x input_size; resize "
                              "the logits back to the slice"
                            : "resize (bilinear) the slice so that its longer side is "
                              "input_size, centre it in an input_size x input_size image padded "
                              "with 0; crop the logits to the slice's region and resize them "
                              "back to the slice");
    else
        steps.push_back("slices go in at their own size");
    steps.push_back("(x - mean[c]) / std[c], the lists cycled over the channels");
    p["steps"] = steps;
    return p;
}

std::string quantizationText(const OnnxExportOptions &o)
{
    if (!o.int8)
        return "fp32";
    std::string s = *o.int8 == QuantProfile::Cpu
                        ? "int8 QDQ, CPU profile (uint8 asymmetric activations, 7-bit symmetric "
                          "per-channel weights)"
                        : "int8 QDQ, TensorRT profile (int8 symmetric activations and per-channel "
                          "weights, zero point 0)";
    s += o.calibration == CalibrationMethod::MinMax
             ? "; MinMax calibration"
             : "; percentile calibration (" + std::to_string(o.percentile) + ")";
    s += " on " + std::to_string(o.calibrationBatches.size()) + " batch(es)";
    return s;
}

// What OnnxGraph::factorsPyramidHead() decides: the model card says which form was written.
bool factoredHead(const OnnxExportOptions &o)
{
    return o.factorPyramidHead && !o.staticSize;
}

void addProp(onnx::ModelProto &model, const std::string &key, const std::string &value)
{
    auto *p = model.add_metadata_props();
    p->set_key(key);
    p->set_value(value);
}

} // namespace

onnx::ModelProto buildOnnxModel(models::PSPNet &model, const OnnxExportOptions &options)
{
    if (options.opset != 11 && options.opset != 13 && options.opset != 17)
        throw std::invalid_argument("ONNX export: opset must be 11, 13 or 17, got " +
                                    std::to_string(options.opset));
    if (options.int8 && options.opset < 13)
        throw std::invalid_argument("ONNX export: int8 needs opset 13 or later");
    if (options.int8 && options.calibrationBatches.empty())
        throw std::invalid_argument("ONNX export: int8 needs calibration slices");
    if (model->is_training())
        throw std::invalid_argument("ONNX export: put the model in eval mode first");
    torch::NoGradGuard no_grad;
    auto &net = *model;
    const int inChannels = net.config.in_channels;
    if (options.staticSize && ((*options.staticSize)[0] < 1 || (*options.staticSize)[1] < 1))
        throw std::invalid_argument("ONNX export: the static size must be positive");
    const auto [sampleHeight, sampleWidth] =
        options.staticSize.value_or(std::array<int64_t, 2>{64, 64});
    const at::Tensor sample = at::randn({1, inChannels, sampleHeight, sampleWidth}, at::kFloat);

    onnx::ModelProto proto;
    proto.set_ir_version(onnx::IR_VERSION);
    proto.set_producer_name("MedSeg Studio");
    proto.set_producer_version(MEDSEG_EXPORT_VERSION);
    proto.set_model_version(1);
    auto *opset = proto.add_opset_import();
    opset->set_domain("");
    opset->set_version(options.opset);
    auto *graph = proto.mutable_graph();
    graph->set_name("pspnet_" + net.config.backbone);

    if (options.int8) {
        std::map<std::string, TensorRange> ranges;
        for (const auto &batch : options.calibrationBatches) {
            if (batch.dim() != 4 || batch.size(1) != inChannels)
                throw std::invalid_argument("ONNX export: calibration batches must be [N, " +
                                            std::to_string(inChannels) + ", H, W]");
            onnx::GraphProto scratch;
            emitGraph(net, batch.to(at::kFloat), &scratch, options.opset, OnnxGraph::Mode::Record,
                      &ranges, nullptr, *options.int8, options);
        }
        std::map<std::string, QuantParams> params;
        for (const auto &[name, range] : ranges)
            params[name] =
                quantParams(range, *options.int8, options.calibration, options.percentile);
        emitGraph(net, sample, graph, options.opset, OnnxGraph::Mode::Quantize, nullptr, &params,
                  *options.int8, options);
    } else {
        emitGraph(net, sample, graph, options.opset, OnnxGraph::Mode::Float, nullptr, nullptr,
                  QuantProfile::Cpu, options);
    }

    setTensorType(graph->add_input(), "input", onnx::TensorProto::FLOAT,
                  {"batch", "", "height", "width"}, inChannels, options.staticSize);
    setTensorType(graph->add_output(), "logits", onnx::TensorProto::FLOAT,
                  {"batch", "", "height", "width"}, net.config.num_classes, options.staticSize);
    if (options.softmaxOutput)
        setTensorType(graph->add_output(), "probabilities", onnx::TensorProto::FLOAT,
                      {"batch", "", "height", "width"}, net.config.num_classes, options.staticSize);
    if (options.argmaxOutput)
        setTensorType(graph->add_output(), "labels", onnx::TensorProto::INT64,
                      {"batch", "height", "width"}, 0, options.staticSize);

    const ExportMetadata &m = options.metadata;
    proto.set_doc_string("PSPNet-" + net.config.backbone + " segmentation, " +
                         quantizationText(options) + ". See metadata_props for preprocessing.");
    addProp(proto, "medseg.backbone", net.config.backbone);
    addProp(proto, "medseg.classes", jsonClasses(m));
    addProp(proto, "medseg.input_channels", std::to_string(inChannels));
    addProp(proto, "medseg.preprocessing", preprocessingJson(m, inChannels).dump());
    addProp(proto, "medseg.model_version", m.modelVersion);
    addProp(proto, "medseg.training_data", m.datasetSummary);
    addProp(proto, "medseg.created_at", m.createdAt);
    addProp(proto, "medseg.quantization", quantizationText(options));
    addProp(proto, "medseg.input_shape",
            options.staticSize
                ? "1x" + std::to_string(inChannels) + "x" +
                      std::to_string((*options.staticSize)[0]) + "x" +
                      std::to_string((*options.staticSize)[1]) + " (static)"
                : "batch x " + std::to_string(inChannels) + " x height x width (dynamic)");
    return proto;
}

void checkOnnxModel(const onnx::ModelProto &model)
{
    try {
        onnx::checker::check_model(model);
        onnx::ModelProto inferred = model;
        onnx::ShapeInferenceOptions strict(/*check_type=*/true, /*error_mode=*/1);
        onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(), strict);
    } catch (const std::exception &error) {
        throw std::runtime_error(std::string("ONNX model check failed: ") + error.what());
    }
}

void writeTextFile(const std::string &path, const std::string &text)
{
    AtomicFile::writeAll(path, text);
}

void saveOnnxModel(const onnx::ModelProto &model, const std::string &path)
{
    std::string bytes;
    if (!model.SerializeToString(&bytes))
        throw std::runtime_error("cannot serialize the ONNX model for " + path);
    writeTextFile(path, bytes);
}

std::string modelCardPath(const std::string &onnxPath)
{
    std::filesystem::path p(onnxPath);
    p.replace_extension(".modelcard.json");
    return p.string();
}

std::string exportReportPath(const std::string &exportedPath)
{
    std::filesystem::path p(exportedPath);
    p.replace_extension(".export-report.json");
    return p.string();
}

std::string modelCardJson(const models::ModelConfig &config, const OnnxExportOptions &options)
{
    const ExportMetadata &m = options.metadata;
    nlohmann::json classes = nlohmann::json::parse(jsonClasses(m));
    // Named axes are dynamic; a static export has numbers instead.
    const auto shape = [&](std::optional<int64_t> channels) {
        nlohmann::json s = nlohmann::json::array();
        if (options.staticSize)
            s.push_back(1);
        else
            s.push_back("batch");
        if (channels)
            s.push_back(*channels);
        if (options.staticSize) {
            s.push_back((*options.staticSize)[0]);
            s.push_back((*options.staticSize)[1]);
        } else {
            s.push_back("height");
            s.push_back("width");
        }
        return s;
    };
    nlohmann::json card{
        {"format", "medseg-model-card/1"},
        {"model",
         {{"architecture", "PSPNet"},
          {"backbone", config.backbone},
          {"output_stride", config.output_stride},
          {"bins", config.bins},
          {"num_classes", config.num_classes},
          {"version", m.modelVersion},
          {"created_at", m.createdAt}}},
        {"onnx",
         {{"opset", options.opset},
          {"static_shape", options.staticSize.has_value()},
          {"pyramid_head", factoredHead(options) ? "factored" : "upsampled"},
          {"inputs", {{{"name", "input"}, {"shape", shape(config.in_channels)}}}},
          {"outputs", nlohmann::json::array()},
          {"quantization", quantizationText(options)}}},
        {"classes", classes},
        {"preprocessing", preprocessingJson(m, config.in_channels)},
        {"training_data", m.datasetSummary},
        {"privacy", "no patient data: class names, numbers and a dataset summary only"}};
    if (!m.trainingPlan.empty())
        card["training"] = nlohmann::json::parse(m.trainingPlan);
    card["inference"] = {
        {"flip_tta", m.refinement.flipTta},
        {"keep_largest_component", m.refinement.largestComponentClasses},
        {"note", "chosen on the validation slices, kept where they raised the Dice; apply them "
                 "to the logits and labels of this graph: average the logits of the slice and "
                 "of its mirror image (flip_tta), keep only the largest 8-connected region of "
                 "each listed class on a slice"}};
    auto &outputs = card["onnx"]["outputs"];
    outputs.push_back({{"name", "logits"}, {"shape", shape(config.num_classes)}});
    if (options.softmaxOutput)
        outputs.push_back({{"name", "probabilities"}, {"shape", shape(config.num_classes)}});
    if (options.argmaxOutput)
        outputs.push_back({{"name", "labels"}, {"shape", shape(std::nullopt)}});
    return card.dump(2) + "\n";
}

} // namespace medseg::core
