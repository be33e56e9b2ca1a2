#include "core/export/OnnxExporter.h"

#include "models/ConvNeXt.h"
#include "models/EfficientNet.h"
#include "models/Layers.h"
#include "models/MobileNetV3.h"
#include "models/ResNet.h"

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

using Module = torch::nn::Module;
using ModulePtr = std::shared_ptr<Module>;

struct FoldedConv
{
    at::Tensor weight;
    at::Tensor bias;
    int64_t stride = 1;
    int64_t padding = 0;
    int64_t dilation = 1;
    int64_t groups = 1;
};

// Reads ConvNdImpl's resolved padding (protected) through a pointer to member taken in a derived
// class: the options' padding is c10::variant in LibTorch 1.13 and std::variant in 2.x.
struct PaddingAccess : torch::nn::Conv2dImpl
{
    static const std::vector<int64_t> &of(const torch::nn::Conv2dImpl &conv)
    {
        return conv.*(&PaddingAccess::_reversed_padding_repeated_twice);
    }
};

FoldedConv foldConv(torch::nn::Conv2dImpl &conv, torch::nn::BatchNorm2dImpl *bn)
{
    const auto &o = conv.options;
    const auto stride = (*o.stride())[0];
    const auto dilation = (*o.dilation())[0];
    const auto &padding = PaddingAccess::of(conv); // left, right, top, bottom
    if (padding.size() != 4 || padding[0] != padding[2] || padding[0] != padding[1] ||
        (*o.stride())[1] != stride || (*o.dilation())[1] != dilation)
        throw std::invalid_argument("ONNX export: only square, symmetric zero-padded convs");
    FoldedConv f;
    f.stride = stride;
    f.dilation = dilation;
    f.padding = padding[0];
    f.groups = o.groups();
    f.weight = conv.weight.detach().clone();
    f.bias = conv.bias.defined() ? conv.bias.detach().clone()
                                 : at::zeros({f.weight.size(0)}, f.weight.options());
    if (bn) {
        const at::Tensor scale =
            bn->weight.detach() / at::sqrt(bn->running_var.detach() + bn->options.eps());
        f.weight = f.weight * scale.view({-1, 1, 1, 1});
        f.bias = (f.bias - bn->running_mean.detach()) * scale + bn->bias.detach();
    }
    return f;
}

OnnxValue applyActivation(OnnxGraph &g, const OnnxValue &x, models::Activation kind)
{
    switch (kind) {
    case models::Activation::None:
        return x;
    case models::Activation::ReLU:
        return g.relu(x);
    case models::Activation::Hardswish:
        return g.hardSwish(x);
    case models::Activation::Hardsigmoid:
        return g.hardSigmoid(x);
    case models::Activation::SiLU:
        return g.silu(x);
    case models::Activation::Sigmoid:
        return g.sigmoid(x);
    case models::Activation::GELU:
        return g.gelu(x);
    }
    return x;
}

OnnxValue convWith(OnnxGraph &g, const OnnxValue &x, const FoldedConv &f,
                   models::Activation activation)
{
    const bool relu = activation == models::Activation::ReLU;
    const OnnxValue y = g.conv(x, f.weight, f.bias, f.stride, f.padding, f.dilation, f.groups,
                               relu ? ConvActivation::ReLU : ConvActivation::None);
    return relu ? y : applyActivation(g, y, activation);
}

// Walks our modules and writes each as ONNX ops (see OnnxGraph).
class Emitter
{
public:
    explicit Emitter(OnnxGraph &graph)
        : m_g(graph)
    {}

    OnnxValue sequence(const std::vector<ModulePtr> &children, OnnxValue x)
    {
        for (size_t i = 0; i < children.size(); ++i) {
            const ModulePtr &child = children[i];
            if (auto *conv = child->as<torch::nn::Conv2d>()) {
                torch::nn::BatchNorm2dImpl *bn = nullptr;
                if (i + 1 < children.size())
                    bn = children[i + 1]->as<torch::nn::BatchNorm2d>();
                if (bn)
                    ++i;
                auto activation = models::Activation::None;
                if (i + 1 < children.size()) {
                    if (auto *a = children[i + 1]->as<models::ActivationLayer>()) {
                        activation = a->kind;
                        ++i;
                    } else if (children[i + 1]->as<torch::nn::ReLU>()) {
                        activation = models::Activation::ReLU;
                        ++i;
                    }
                }
                x = convWith(m_g, x, foldConv(*conv, bn), activation);
            } else {
                x = module(child, x);
            }
        }
        return x;
    }

    OnnxValue module(const ModulePtr &m, const OnnxValue &x)
    {
        if (auto *seq = m->as<torch::nn::Sequential>())
            return sequence(seq->children(), x);
        if (auto *block = m->as<models::SequentialBlock>())
            return sequence(block->children(), x);
        if (auto *a = m->as<models::ActivationLayer>())
            return applyActivation(m_g, x, a->kind);
        if (m->as<torch::nn::ReLU>())
            return m_g.relu(x);
        if (m->as<torch::nn::Dropout>() || m->as<torch::nn::Dropout2d>() ||
            m->as<models::StochasticDepth>() || m->as<torch::nn::Identity>())
            return x; // identities in eval mode
        if (auto *se = m->as<models::SqueezeExcitation>())
            return squeezeExcitation(*se, x);
        if (auto *ir = m->as<models::InvertedResidual>()) {
            const OnnxValue y = sequence(ir->block->children(), x);
            return ir->use_res_connect ? m_g.add(y, x) : y;
        }
        if (auto *mb = m->as<models::MBConv>()) {
            const OnnxValue y = sequence(mb->block->children(), x);
            return mb->use_res_connect ? m_g.add(y, x) : y;
        }
        if (auto *ln = m->as<models::LayerNorm2d>())
            return m_g.layerNormChannels(x, ln->weight, ln->bias, ln->eps);
        if (auto *cn = m->as<models::CNBlock>())
            return cnBlock(*cn, x);
        if (auto *down = m->as<models::ConvNeXtDownsample>())
            return convNextDownsample(*down, x);
        if (auto *basic = m->as<models::BasicBlock>())
            return basicBlock(*basic, x);
        throw std::invalid_argument("ONNX export: unsupported module " + m->name());
    }

    OnnxValue squeezeExcitation(models::SqueezeExcitationImpl &se, const OnnxValue &x)
    {
        OnnxValue s = m_g.globalAveragePool(x);
        s = convWith(m_g, s, foldConv(*se.fc1, nullptr), se.activation);
        s = convWith(m_g, s, foldConv(*se.fc2, nullptr), se.scale_activation);
        return m_g.mul(s, x);
    }

    OnnxValue basicBlock(models::BasicBlockImpl &b, const OnnxValue &x_in)
    {
        // The identity branch reads the quantized input too, so that in int8 ONNX Runtime runs
        // DQ, DQ -> Add -> (Relu folded into) Q as one int8 add instead of a float one.
        const OnnxValue x = m_g.quantizePoint(x_in);
        OnnxValue y = convWith(m_g, x, foldConv(*b.conv1, b.bn1.get()), models::Activation::ReLU);
        y = convWith(m_g, y, foldConv(*b.conv2, b.bn2.get()), models::Activation::None);
        const OnnxValue identity = b.downsample ? sequence(b.downsample->children(), x) : x;
        return m_g.relu(m_g.add(y, identity));
    }

    // depthwise 7x7, LayerNorm, Linear, GELU, Linear, layer scale, residual. The channels-last
    // Linears are 1x1 convolutions on NCHW (same arithmetic, no transposes), and the layer scale
    // is folded into the second one.
    OnnxValue cnBlock(models::CNBlockImpl &b, const OnnxValue &x)
    {
        const auto children = b.block->children();
        auto *dw = children.at(0)->as<torch::nn::Conv2d>();
        auto *ln = children.at(2)->as<torch::nn::LayerNorm>();
        auto *fc1 = children.at(3)->as<torch::nn::Linear>();
        auto *act = children.at(4)->as<models::ActivationLayer>();
        auto *fc2 = children.at(5)->as<torch::nn::Linear>();
        if (!dw || !ln || !fc1 || !act || !fc2)
            throw std::invalid_argument("ONNX export: unexpected ConvNeXt block layout");
        OnnxValue y = convWith(m_g, x, foldConv(*dw, nullptr), models::Activation::None);
        y = m_g.layerNormChannels(y, ln->weight, ln->bias, ln->options.eps());
        FoldedConv l1;
        l1.weight = fc1->weight.detach().unsqueeze(-1).unsqueeze(-1);
        l1.bias = fc1->bias.detach();
        y = convWith(m_g, y, l1, act->kind);
        const at::Tensor scale = b.layer_scale.detach().reshape({-1});
        FoldedConv l2;
        l2.weight = (fc2->weight.detach() * scale.view({-1, 1})).unsqueeze(-1).unsqueeze(-1);
        l2.bias = fc2->bias.detach() * scale;
        y = convWith(m_g, y, l2, models::Activation::None);
        return m_g.add(y, x);
    }

    OnnxValue convNextDownsample(models::ConvNeXtDownsampleImpl &d, const OnnxValue &x)
    {
        OnnxValue y = m_g.layerNormChannels(x, d.norm->weight, d.norm->bias, d.norm->eps);
        if (d.dilated) {
            const int64_t before = d.dilation / 2;
            const int64_t after = d.dilation - before;
            y = m_g.pad(y, before, after, before, after);
        }
        return convWith(m_g, y, foldConv(*d.conv, nullptr), models::Activation::None);
    }

    OnnxValue backbone(models::BackboneImpl &b, const OnnxValue &x)
    {
        if (auto *r = dynamic_cast<models::ResNetImpl *>(&b)) {
            OnnxValue y =
                convWith(m_g, x, foldConv(*r->conv1, r->bn1.get()), models::Activation::ReLU);
            y = m_g.maxPool(y, 3, 2, 1);
            for (auto *layer : {&r->layer1, &r->layer2, &r->layer3, &r->layer4})
                y = sequence((*layer)->children(), y);
            return y;
        }
        if (auto *m = dynamic_cast<models::MobileNetV3Impl *>(&b))
            return sequence(m->features->children(), x);
        if (auto *e = dynamic_cast<models::EfficientNetImpl *>(&b))
            return sequence(e->features->children(), x);
        if (auto *c = dynamic_cast<models::ConvNeXtImpl *>(&b))
            return sequence(c->features->children(), x);
        throw std::invalid_argument("ONNX export: unsupported backbone " + b.architecture);
    }

    OnnxValue pyramidPooling(models::PyramidPoolingImpl &ppm, const OnnxValue &x)
    {
        std::vector<OnnxValue> outputs{x};
        for (size_t i = 0; i < ppm.bins.size(); ++i) {
            OnnxValue y = m_g.adaptiveAveragePool(x, ppm.bins[i]);
            y = module(ppm.stages[i], y);
            outputs.push_back(m_g.resizeLike(y, x));
        }
        return m_g.concat(outputs, 1);
    }

private:
    OnnxGraph &m_g;
};

void setTensorType(onnx::ValueInfoProto *info, const std::string &name, int elemType,
                   const std::vector<std::string> &dims, int64_t channels)
{
    info->set_name(name);
    auto *tensor = info->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(elemType);
    auto *shape = tensor->mutable_shape();
    for (const auto &d : dims) {
        auto *dim = shape->add_dim();
        if (d.empty())
            dim->set_dim_value(channels);
        else
            dim->set_dim_param(d);
    }
}

// One pass over the network: writes the graph into `graph` (when not null) in `mode`.
void emitGraph(models::PSPNetImpl &net, const at::Tensor &sample, onnx::GraphProto *graph,
               int opset, OnnxGraph::Mode mode, std::map<std::string, TensorRange> *ranges,
               const std::map<std::string, QuantParams> *params, QuantProfile profile,
               const OnnxExportOptions &options)
{
    OnnxGraph g(graph, opset, mode);
    g.setRanges(ranges);
    g.setQuantization(params, profile);
    Emitter e(g);
    const OnnxValue input = g.input("input", sample);
    const OnnxValue features = e.backbone(*net.backbone, input);
    OnnxValue y = e.pyramidPooling(*net.ppm, features);
    y = e.sequence(net.bottleneck->children(), y);
    y = convWith(g, y, foldConv(*net.classifier, nullptr), models::Activation::None);
    const OnnxValue logits = g.rename(g.resizeLike(y, input), "logits");
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

nlohmann::json preprocessingJson(const ExportMetadata &m, int inChannels)
{
    nlohmann::json p{{"input_channels", inChannels},
                     {"layout", "NCHW float32"},
                     {"mean", m.mean},
                     {"std", m.std}};
    if (m.hasWindow)
        p["intensity"] = {{"window_center", m.windowCenter},
                          {"window_width", m.windowWidth},
                          {"then", "clip to [center - width/2, center + width/2], scale to [0, 1], "
                                   "replicate to input_channels, (x - mean[c]) / std[c]"}};
    else
        p["intensity"] = {{"scale", 1.0 / 255.0},
                          {"then", "8-bit values / 255, replicate to input_channels, "
                                   "(x - mean[c]) / std[c]"}};
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
    const at::Tensor sample = at::randn({1, inChannels, 64, 64}, at::kFloat);

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
                  {"batch", "", "height", "width"}, inChannels);
    setTensorType(graph->add_output(), "logits", onnx::TensorProto::FLOAT,
                  {"batch", "", "height", "width"}, net.config.num_classes);
    if (options.softmaxOutput)
        setTensorType(graph->add_output(), "probabilities", onnx::TensorProto::FLOAT,
                      {"batch", "", "height", "width"}, net.config.num_classes);
    if (options.argmaxOutput)
        setTensorType(graph->add_output(), "labels", onnx::TensorProto::INT64,
                      {"batch", "height", "width"}, 0);

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
    const std::string tmp = path + ".part";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out)
            throw std::runtime_error("cannot write " + path);
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec)
        throw std::runtime_error("cannot write " + path + ": " + ec.message());
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

std::string modelCardJson(const models::ModelConfig &config, const OnnxExportOptions &options)
{
    const ExportMetadata &m = options.metadata;
    nlohmann::json classes = nlohmann::json::parse(jsonClasses(m));
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
          {"inputs",
           {{{"name", "input"}, {"shape", {"batch", config.in_channels, "height", "width"}}}}},
          {"outputs", nlohmann::json::array()},
          {"quantization", quantizationText(options)}}},
        {"classes", classes},
        {"preprocessing", preprocessingJson(m, config.in_channels)},
        {"training_data", m.datasetSummary},
        {"privacy", "no patient data: class names, numbers and a dataset summary only"}};
    auto &outputs = card["onnx"]["outputs"];
    outputs.push_back(
        {{"name", "logits"}, {"shape", {"batch", config.num_classes, "height", "width"}}});
    if (options.softmaxOutput)
        outputs.push_back({{"name", "probabilities"},
                           {"shape", {"batch", config.num_classes, "height", "width"}}});
    if (options.argmaxOutput)
        outputs.push_back({{"name", "labels"}, {"shape", {"batch", "height", "width"}}});
    return card.dump(2) + "\n";
}

} // namespace medseg::core
