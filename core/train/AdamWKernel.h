#pragma once

// The CPU half of FusedAdamW: one AdamW update of a float32 parameter in a single pass over its
// memory (PyTorch's multi-tensor CPU update makes nine). Internal to core/train.

#include <cstdint>

namespace medseg::core::detail {

// Per-parameter constants of one step, as torch::optim::AdamW computes them.
struct AdamWStepScalars
{
    float decay; // 1 - lr * weight_decay
    float beta1, oneMinusBeta1;
    float beta2, oneMinusBeta2;
    float sqrtCorrection2; // sqrt(1 - beta2^step)
    float eps;
    float negativeStepSize; // -lr / (1 - beta1^step)
};

// p, g, m (exp_avg) and v (exp_avg_sq) hold n floats each, laid out alike; updates p, m and v in
// place with the arithmetic and operation order of torch::optim::AdamW::step(). Runs on
// ATen's intra-op thread pool.
void adamwStepCpu(float *p, const float *g, float *m, float *v, std::int64_t n,
                  const AdamWStepScalars &s);

} // namespace medseg::core::detail
