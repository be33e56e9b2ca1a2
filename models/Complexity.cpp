#include "models/Complexity.h"

#include "models/Registry.h"

#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/torch.h>

#include <numeric>
#include <stdexcept>
#include <string>

namespace medseg::models {
namespace {

std::vector<std::int64_t> sizesOf(const torch::jit::Value *value)
{
    const auto type = value->type()->cast<c10::TensorType>();
    if (!type)
        return {};
    const auto sizes = type->sizes().concrete_sizes();
    return sizes ? *sizes : std::vector<std::int64_t>{};
}

std::int64_t product(const std::vector<std::int64_t> &values)
{
    return std::accumulate(values.begin(), values.end(), std::int64_t(1),
                           std::multiplies<std::int64_t>());
}

// Multiply-accumulates of one traced node: a convolution is output elements x (input channels
// per group x kernel elements); a matrix product is output elements x the shared dimension.
std::int64_t multiplyAccumulatesOf(const torch::jit::Node &node)
{
    const std::string kind = node.kind().toQualString();
    if (kind == "aten::_convolution" || kind == "aten::conv2d" || kind == "aten::convolution") {
        const std::vector<std::int64_t> weight = sizesOf(node.input(1));
        const std::vector<std::int64_t> output = sizesOf(node.output());
        if (weight.size() < 3 || output.empty())
            throw std::runtime_error("complexity: a convolution without shapes in the trace");
        const std::int64_t perOutput =
            product(std::vector<std::int64_t>(weight.begin() + 1, weight.end()));
        return product(output) * perOutput;
    }
    if (kind == "aten::matmul" || kind == "aten::mm" || kind == "aten::bmm" ||
        kind == "aten::linear" || kind == "aten::addmm") {
        const torch::jit::Value *left = node.input(kind == "aten::addmm" ? 1 : 0);
        const std::vector<std::int64_t> a = sizesOf(left);
        const std::vector<std::int64_t> output = sizesOf(node.output());
        if (a.empty() || output.empty())
            throw std::runtime_error("complexity: a matrix product without shapes in the trace");
        return product(output) * a.back();
    }
    return 0;
}

} // namespace

ModelComplexity measureComplexity(const ModelConfig &config, int height, int width)
{
    PSPNet model = createModel(config);
    model->eval();
    ModelComplexity result;
    result.parameters = parameterCount(*model);
    result.backboneParameters = parameterCount(*model->backbone);

    // The trace holds the weights as constants, which it refuses for tensors that need grad.
    for (at::Tensor &parameter : model->parameters(true))
        parameter.set_requires_grad(false);
    torch::NoGradGuard noGrad;
    const at::Tensor input = torch::zeros({1, config.in_channels, height, width});
    const auto traced = torch::jit::tracer::trace(
        {input},
        [&](torch::jit::Stack inputs) -> torch::jit::Stack {
            return {model->forward(inputs.at(0).toTensor()).logits};
        },
        [](const at::Tensor &) { return std::string(); }, /*strict=*/false);
    for (const torch::jit::Node *node : traced.first->graph->nodes())
        result.multiplyAccumulates += multiplyAccumulatesOf(*node);
    return result;
}

} // namespace medseg::models
