#pragma once

// AdamW (Loshchilov & Hutter) with torch::optim::AdamW's arithmetic, fused: one pass over each
// float32 CPU parameter's memory where PyTorch's multi-tensor update makes nine (PyTorch's fused
// CPU kernel from LibTorch 2.4, detail::adamwStepCpu before), PyTorch's fused kernel on CUDA
// (LibTorch >= 2.0), and multi-tensor (`_foreach_*`) kernels for anything else. Parameters are
// named, so the state saved in a checkpoint finds its tensor again in a rebuilt model whatever the
// order of registration.

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace medseg::core {

struct AdamWOptions
{
    double learningRate = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weightDecay = 1e-2; // decoupled: p *= 1 - lr * weightDecay
};

class FusedAdamW
{
public:
    using NamedParameters = std::vector<std::pair<std::string, torch::Tensor>>;

    FusedAdamW(NamedParameters parameters, AdamWOptions options = {});

    // Parameters whose gradient is undefined are skipped (their step count does not advance),
    // as torch::optim::AdamW does.
    void step();
    // Sets gradients to undefined (set_to_none), which saves a memset per step.
    void zeroGrad();

    double learningRate() const { return m_options.learningRate; }
    // On CUDA also updates the device copy that a step captured in a CUDA graph reads; call it
    // between steps, never inside a captured one.
    void setLearningRate(double learningRate);
    const AdamWOptions &options() const { return m_options; }
    const NamedParameters &parameters() const { return m_parameters; }

    // "NAME.exp_avg", "NAME.exp_avg_sq", "NAME.step" (int64 scalar) for each parameter that has
    // taken a step. CPU copies.
    std::map<std::string, torch::Tensor> stateDict() const;
    // Throws std::runtime_error when a tensor of `state` does not match its parameter's shape.
    // Parameters absent from `state` start fresh; entries of unknown parameters are ignored.
    void loadStateDict(const std::map<std::string, torch::Tensor> &state);

private:
    struct ParameterState
    {
        torch::Tensor expAvg;
        torch::Tensor expAvgSq;
        std::int64_t step = 0;
        torch::Tensor deviceStep; // float32 on the parameter's device (CUDA): the fused kernel's
    };

    // The fused CPU update of the parameters at these indices, whose step counts have just
    // advanced (see fitsCpuFusedUpdate in the .cpp).
    void stepOnCpu(const std::vector<std::size_t> &indices);

    NamedParameters m_parameters;
    std::vector<ParameterState> m_state; // parallel to m_parameters
    AdamWOptions m_options;
    torch::Tensor m_deviceLearningRate; // CUDA, LibTorch >= 2.4: read by the fused kernel
};

} // namespace medseg::core
