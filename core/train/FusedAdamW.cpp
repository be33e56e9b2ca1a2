#include "core/train/FusedAdamW.h"

#include <ATen/ATen.h>
#include <torch/version.h>

#include <c10/core/GradMode.h>

#include <cmath>
#include <stdexcept>

namespace medseg::core {

FusedAdamW::FusedAdamW(NamedParameters parameters, AdamWOptions options)
    : m_parameters(std::move(parameters))
    , m_state(m_parameters.size())
    , m_options(options)
{}

void FusedAdamW::setLearningRate(double learningRate)
{
    m_options.learningRate = learningRate;
    // Outside any captured step: a replayed graph reads the new value from this tensor.
    if (m_deviceLearningRate.defined())
        m_deviceLearningRate.fill_(learningRate);
}

void FusedAdamW::zeroGrad()
{
    for (auto &[name, parameter] : m_parameters) {
        (void)name;
        if (parameter.grad().defined())
            parameter.mutable_grad().reset();
    }
}

void FusedAdamW::step()
{
    c10::NoGradGuard noGrad;
    std::vector<at::Tensor> params, grads, expAvgs, expAvgSqs;
    std::vector<ParameterState *> states;
    for (std::size_t i = 0; i < m_parameters.size(); ++i) {
        const at::Tensor &parameter = m_parameters[i].second;
        if (!parameter.grad().defined())
            continue;
        ParameterState &state = m_state[i];
        if (!state.expAvg.defined()) {
            state.expAvg = at::zeros_like(parameter, at::MemoryFormat::Preserve);
            state.expAvgSq = at::zeros_like(parameter, at::MemoryFormat::Preserve);
        }
        ++state.step;
        params.push_back(parameter);
        grads.push_back(parameter.grad());
        expAvgs.push_back(state.expAvg);
        expAvgSqs.push_back(state.expAvgSq);
        states.push_back(&state);
    }
    if (params.empty())
        return;

    const double lr = m_options.learningRate;
    const double beta1 = m_options.beta1;
    const double beta2 = m_options.beta2;

#if TORCH_VERSION_MAJOR >= 2
    // One fused kernel per step on CUDA (PyTorch's `fused=True`); its arithmetic is AdamW's. The
    // step counts and the learning rate live in device tensors that the step itself updates, so
    // a step captured in a CUDA graph stays right on every replay (PyTorch's `capturable`).
    if (params.front().is_cuda()) {
        const auto deviceOptions =
            at::TensorOptions().dtype(at::kFloat).device(params.front().device());
        std::vector<at::Tensor> steps;
        steps.reserve(states.size());
        for (ParameterState *state : states) {
            if (!state->deviceStep.defined())
                state->deviceStep = at::full({}, double(state->step - 1), deviceOptions);
            steps.push_back(state->deviceStep);
        }
        at::_foreach_add_(steps, 1.0);
#if TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 4
        if (!m_deviceLearningRate.defined())
            m_deviceLearningRate = at::full({}, lr, deviceOptions);
        at::_fused_adamw_(params, grads, expAvgs, expAvgSqs, {}, steps, m_deviceLearningRate, beta1,
                          beta2, m_options.weightDecay, m_options.eps, false, false);
#else
        at::_fused_adamw_(params, grads, expAvgs, expAvgSqs, {}, steps, lr, beta1, beta2,
                          m_options.weightDecay, m_options.eps, false, false);
#endif
        return;
    }
#endif

    // The same operations, in the same order, as torch::optim::AdamW::step().
    at::_foreach_mul_(params, 1.0 - lr * m_options.weightDecay);
    at::_foreach_mul_(expAvgs, beta1);
    at::_foreach_add_(expAvgs, grads, 1.0 - beta1);
    at::_foreach_mul_(expAvgSqs, beta2);
    at::_foreach_addcmul_(expAvgSqs, grads, grads, 1.0 - beta2);

    std::vector<at::Scalar> sqrtCorrection2, negativeStepSize;
    sqrtCorrection2.reserve(states.size());
    negativeStepSize.reserve(states.size());
    for (const ParameterState *state : states) {
        const double correction1 = 1.0 - std::pow(beta1, double(state->step));
        const double correction2 = 1.0 - std::pow(beta2, double(state->step));
        sqrtCorrection2.emplace_back(std::sqrt(correction2));
        negativeStepSize.emplace_back(-lr / correction1);
    }
    std::vector<at::Tensor> denominators = at::_foreach_sqrt(expAvgSqs);
    at::_foreach_div_(denominators, sqrtCorrection2);
    at::_foreach_add_(denominators, m_options.eps);
    at::_foreach_addcdiv_(params, expAvgs, denominators, negativeStepSize);
}

std::map<std::string, torch::Tensor> FusedAdamW::stateDict() const
{
    std::map<std::string, torch::Tensor> state;
    for (std::size_t i = 0; i < m_parameters.size(); ++i) {
        const ParameterState &s = m_state[i];
        if (!s.expAvg.defined())
            continue;
        const std::string &name = m_parameters[i].first;
        state[name + ".exp_avg"] = s.expAvg.detach().to(at::kCPU).clone();
        state[name + ".exp_avg_sq"] = s.expAvgSq.detach().to(at::kCPU).clone();
        // A replayed CUDA graph advances the device count only.
        const std::int64_t step =
            s.deviceStep.defined() ? std::int64_t(s.deviceStep.item<float>()) : s.step;
        state[name + ".step"] = at::scalar_tensor(step, at::kLong);
    }
    return state;
}

void FusedAdamW::loadStateDict(const std::map<std::string, torch::Tensor> &state)
{
    c10::NoGradGuard noGrad;
    for (std::size_t i = 0; i < m_parameters.size(); ++i) {
        const auto &[name, parameter] = m_parameters[i];
        ParameterState &s = m_state[i];
        const auto avg = state.find(name + ".exp_avg");
        const auto avgSq = state.find(name + ".exp_avg_sq");
        const auto step = state.find(name + ".step");
        if (avg == state.end() || avgSq == state.end() || step == state.end()) {
            s = {};
            continue;
        }
        if (!avg->second.sizes().equals(parameter.sizes()) ||
            !avgSq->second.sizes().equals(parameter.sizes()))
            throw std::runtime_error("optimizer state of '" + name +
                                     "' does not match the parameter's shape");
        s.expAvg = at::empty_like(parameter, at::MemoryFormat::Preserve);
        s.expAvg.copy_(avg->second);
        s.expAvgSq = at::empty_like(parameter, at::MemoryFormat::Preserve);
        s.expAvgSq.copy_(avgSq->second);
        s.step = step->second.item<std::int64_t>();
        s.deviceStep = torch::Tensor();
    }
}

} // namespace medseg::core
