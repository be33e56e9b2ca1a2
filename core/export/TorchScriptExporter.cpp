#include "core/export/TorchScriptExporter.h"

#include "core/common/AtomicFile.h"
#include "core/export/detail/NetworkWalk.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/export.h>

#include <cstdio>
#include <stdexcept>
#include <unordered_map>

namespace medseg::core {

namespace {

struct ScriptValue
{
    std::string name;
};

// Writes forward() as TorchScript source, one aten op per line, with the weights registered as
// buffers of the module (see OnnxGraph for the meaning of each op).
class TorchScriptGraph
{
public:
    using Value = ScriptValue;

    explicit TorchScriptGraph(torch::jit::Module *module)
        : m_module(module)
    {}

    Value input(const std::string &name) { return {name}; }

    Value conv(const Value &x, const at::Tensor &weight, const at::Tensor &bias, int64_t stride,
               int64_t padding, int64_t dilation, int64_t groups, ConvActivation activation)
    {
        const Value y =
            emit("conv", "torch.conv2d(" + x.name + ", " + tensor("w", weight) + ", " +
                             tensor("b", bias) + ", " + pair(stride) + ", " + pair(padding) + ", " +
                             pair(dilation) + ", " + std::to_string(groups) + ")");
        return activation == ConvActivation::ReLU ? relu(y) : y;
    }

    Value relu(const Value &x) { return emit("relu", "torch.relu(" + x.name + ")"); }
    Value sigmoid(const Value &x) { return emit("sigmoid", "torch.sigmoid(" + x.name + ")"); }
    Value hardSigmoid(const Value &x) { return emit("hsig", "torch.hardsigmoid(" + x.name + ")"); }
    Value hardSwish(const Value &x) { return emit("hswish", "torch.hardswish(" + x.name + ")"); }
    Value silu(const Value &x) { return emit("silu", "torch.silu(" + x.name + ")"); }
    Value gelu(const Value &x) { return emit("gelu", "torch.gelu(" + x.name + ")"); }
    Value add(const Value &a, const Value &b) { return emit("add", a.name + " + " + b.name); }
    Value mul(const Value &a, const Value &b) { return emit("mul", a.name + " * " + b.name); }

    Value maxPool(const Value &x, int64_t kernel, int64_t stride, int64_t padding)
    {
        return emit("maxpool", "torch.max_pool2d(" + x.name + ", " + pair(kernel) + ", " +
                                   pair(stride) + ", " + pair(padding) + ", [1, 1], False)");
    }

    Value globalAveragePool(const Value &x) { return adaptiveAveragePool(x, 1); }

    Value adaptiveAveragePool(const Value &x, int64_t bins)
    {
        return emit("pool", "torch.adaptive_avg_pool2d(" + x.name + ", " + pair(bins) + ")");
    }

    Value layerNormChannels(const Value &x, const at::Tensor &weight, const at::Tensor &bias,
                            double eps)
    {
        char epsText[32];
        std::snprintf(epsText, sizeof epsText, "%.9g", eps);
        const std::string nhwc = x.name + ".permute([0, 2, 3, 1])";
        return emit("ln", "torch.layer_norm(" + nhwc + ", [" + std::to_string(weight.size(0)) +
                              "], " + tensor("ln_w", weight) + ", " + tensor("ln_b", bias) + ", " +
                              floatLiteral(epsText) + ", False).permute([0, 3, 1, 2])");
    }

    Value pad(const Value &x, int64_t top, int64_t bottom, int64_t left, int64_t right)
    {
        return emit("pad", "torch.constant_pad_nd(" + x.name + ", [" + std::to_string(left) + ", " +
                               std::to_string(right) + ", " + std::to_string(top) + ", " +
                               std::to_string(bottom) + "], 0.0)");
    }

    // Half-pixel bilinear (align_corners=False) to the size of `like`, at run time.
    Value resizeLike(const Value &x, const Value &like)
    {
        return emit("resize", "torch.upsample_bilinear2d(" + x.name + ", [" + like.name +
                                  ".size(2), " + like.name + ".size(3)], False, None, None)");
    }

    Value broadcastLike(const Value &x, const Value &like)
    {
        return emit("broadcast", x.name + ".expand(-1, -1, " + like.name + ".size(2), " +
                                     like.name + ".size(3))");
    }

    Value concat(const std::vector<Value> &values, int64_t axis)
    {
        std::string list;
        for (const auto &v : values)
            list += (list.empty() ? "" : ", ") + v.name;
        return emit("cat", "torch.cat([" + list + "], " + std::to_string(axis) + ")");
    }

    // TorchScript runs the upsampled head (LibTorch's PSPNet factors it itself).
    bool factorsPyramidHead() const { return false; }
    Value pyramidBranchesConv(const std::vector<Value> &, const std::vector<at::Tensor> &,
                              const Value &)
    {
        throw std::logic_error("TorchScript export: the pyramid head is not factored");
    }

    Value quantizePoint(const Value &x) { return x; } // fp32 only
    Value requantizeAs(const Value &y, const Value &) { return y; }

    std::string forwardSource(const Value &input, const Value &output) const
    {
        return "def forward(self, " + input.name + ": Tensor) -> Tensor:\n" + m_body +
               "    return " + output.name + "\n";
    }

private:
    static std::string pair(int64_t v)
    {
        return "[" + std::to_string(v) + ", " + std::to_string(v) + "]";
    }

    static std::string floatLiteral(std::string text)
    {
        if (text.find_first_of(".eE") == std::string::npos)
            text += ".0";
        return text;
    }

    std::string tensor(const std::string &hint, const at::Tensor &value)
    {
        const std::string name = hint + std::to_string(m_tensors++);
        if (m_module)
            m_module->register_buffer(name, value.detach().to(at::kFloat).contiguous().clone());
        return "self." + name;
    }

    Value emit(const std::string &hint, const std::string &expression)
    {
        const std::string name = hint + "_" + std::to_string(m_values++);
        m_body += "    " + name + " = " + expression + "\n";
        return {name};
    }

    torch::jit::Module *m_module;
    std::string m_body;
    int64_t m_tensors = 0;
    int64_t m_values = 0;
};

std::string writeForward(models::PSPNet &model, torch::jit::Module *module)
{
    if (model->is_training())
        throw std::invalid_argument("TorchScript export: put the model in eval mode first");
    torch::NoGradGuard no_grad;
    TorchScriptGraph graph(module);
    detail::NetworkWalk<TorchScriptGraph> walk(graph);
    const ScriptValue input = graph.input("input");
    return graph.forwardSource(input, walk.network(*model, input));
}

} // namespace

std::string torchScriptSource(models::PSPNet &model)
{
    return writeForward(model, nullptr);
}

void saveTorchScriptModel(models::PSPNet &model, const std::string &path,
                          const std::string &modelCardJson)
{
    torch::jit::Module module("MedSegPSPNet");
    // A module made in C++ has no "training" flag; is_training() would answer true without it.
    module.register_attribute("training", c10::BoolType::get(), false);
    const std::string source = writeForward(model, &module);
    module.define(source);
    AtomicFile file(path);
    try {
        module.save(file.tempPath(), {{kTorchScriptModelCard, modelCardJson}});
    } catch (const c10::Error &error) {
        throw std::runtime_error("cannot write " + path + ": " + error.what_without_backtrace());
    }
    file.commit();
}

} // namespace medseg::core
