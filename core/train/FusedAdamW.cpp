#include "core/train/FusedAdamW.h"

#include "core/train/AdamWKernel.h"

#include <ATen/ATen.h>
#include <ATen/record_function.h>
#include <torch/version.h>

#include <c10/core/GradMode.h>

#include <cmath>
#include <stdexcept>

namespace medseg::core {

// The CPU update of float32 parameters, fastest first: PyTorch's fused CPU kernel (LibTorch >=
// 2.4), else detail::adamwStepCpu where it runs on ATen's threads (MEDSEG_ADAMW_CPU_KERNEL: built
// with the OpenMP runtime LibTorch uses), else the multi-tensor kernels.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define MEDSEG_TORCH_FUSED_ADAMW_CPU 1
#endif

namespace {

// Whether the parameter can take the fused CPU update: float32 on the CPU, with gradient and
// moments laid out as the parameter, densely (detail::adamwStepCpu treats the four as flat
// arrays); PyTorch's kernel is given contiguous ones only.
bool fitsCpuFusedUpdate(const at::Tensor &param, const at::Tensor &grad, const at::Tensor &expAvg,
                        const at::Tensor &expAvgSq)
{
#if defined(MEDSEG_TORCH_FUSED_ADAMW_CPU) || defined(MEDSEG_ADAMW_CPU_KERNEL)
    const auto alike = [&](const at::Tensor &t) {
        return t.device().is_cpu() && t.layout() == at::kStrided && t.scalar_type() == at::kFloat &&
               t.is_non_overlapping_and_dense() && t.sizes().equals(param.sizes()) &&
               t.strides().equals(param.strides());
    };
#ifdef MEDSEG_TORCH_FUSED_ADAMW_CPU
    if (!param.is_contiguous())
        return false;
#endif
    return alike(param) && alike(grad) && alike(expAvg) && alike(expAvgSq);
#else
    (void)param, (void)grad, (void)expAvg, (void)expAvgSq;
    return false;
#endif
}

} // namespace

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
    RECORD_FUNCTION("FusedAdamW.zero_grad", std::vector<c10::IValue>());
    for (auto &[name, parameter] : m_parameters) {
        (void)name;
        if (parameter.grad().defined())
            parameter.mutable_grad().reset();
    }
}

void FusedAdamW::step()
{
    // Named in profiles (medseg-bench --profile), as PyTorch's optimizers are.
    RECORD_FUNCTION("FusedAdamW.step", std::vector<c10::IValue>());
    c10::NoGradGuard noGrad;
    std::vector<at::Tensor> params, grads, expAvgs, expAvgSqs;
    std::vector<ParameterState *> states;
    std::vector<std::size_t> cpuFused; // indices of parameters for stepOnCpu
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
        if (fitsCpuFusedUpdate(parameter, parameter.grad(), state.expAvg, state.expAvgSq)) {
            cpuFused.push_back(i);
            continue;
        }
        params.push_back(parameter);
        grads.push_back(parameter.grad());
        expAvgs.push_back(state.expAvg);
        expAvgSqs.push_back(state.expAvgSq);
        states.push_back(&state);
    }
    if (!cpuFused.empty())
        stepOnCpu(cpuFused);
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

void FusedAdamW::stepOnCpu(const std::vector<std::size_t> &indices)
{
    const double lr = m_options.learningRate;
    const double beta1 = m_options.beta1;
    const double beta2 = m_options.beta2;
#ifdef MEDSEG_TORCH_FUSED_ADAMW_CPU
    std::vector<at::Tensor> params, grads, expAvgs, expAvgSqs, steps;
    for (const std::size_t i : indices) {
        const at::Tensor &parameter = m_parameters[i].second;
        const ParameterState &state = m_state[i];
        params.push_back(parameter);
        grads.push_back(parameter.grad());
        expAvgs.push_back(state.expAvg);
        expAvgSqs.push_back(state.expAvgSq);
        // The kernel reads the step count (already advanced) from a float32 CPU scalar.
        steps.push_back(at::scalar_tensor(double(state.step), at::kFloat));
    }
    at::_fused_adamw_(params, grads, expAvgs, expAvgSqs, {}, steps, lr, beta1, beta2,
                      m_options.weightDecay, m_options.eps, false, false);
#else
    for (const std::size_t i : indices) {
        const at::Tensor &parameter = m_parameters[i].second;
        ParameterState &state = m_state[i];
        // The constants torch::optim::AdamW passes its kernels, rounded to float as they are.
        const double correction1 = 1.0 - std::pow(beta1, double(state.step));
        const double correction2 = 1.0 - std::pow(beta2, double(state.step));
        detail::AdamWStepScalars scalars;
        scalars.decay = float(1.0 - lr * m_options.weightDecay);
        scalars.beta1 = float(beta1);
        scalars.oneMinusBeta1 = float(1.0 - beta1);
        scalars.beta2 = float(beta2);
        scalars.oneMinusBeta2 = float(1.0 - beta2);
        scalars.sqrtCorrection2 = float(std::sqrt(correction2));
        scalars.eps = float(m_options.eps);
        scalars.negativeStepSize = float(-lr / correction1);
        detail::adamwStepCpu(parameter.data_ptr<float>(), parameter.grad().data_ptr<float>(),
                             state.expAvg.data_ptr<float>(), state.expAvgSq.data_ptr<float>(),
                             parameter.numel(), scalars);
    }
#endif
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
