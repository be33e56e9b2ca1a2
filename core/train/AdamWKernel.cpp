#include "core/train/AdamWKernel.h"

#include <ATen/Parallel.h>

#include <cmath>

// Compiled with -fno-math-errno (core/train/CMakeLists.txt), so that the loop vectorises:
// with errno semantics, every sqrtf keeps a scalar call for negative inputs.

namespace medseg::core::detail {

void adamwStepCpu(float *p, const float *g, float *m, float *v, std::int64_t n,
                  const AdamWStepScalars &s)
{
    // 16 Ki floats (64 KiB per array) per task: small parameters run on the calling thread.
    constexpr std::int64_t grain = 16384;
    at::parallel_for(0, n, grain, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
            const float grad = g[i];
            // p.mul_(1 - lr * wd); exp_avg.mul_(beta1).add_(grad, 1 - beta1);
            // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
            const float param = p[i] * s.decay;
            const float avg = m[i] * s.beta1 + s.oneMinusBeta1 * grad;
            const float avgSq = v[i] * s.beta2 + s.oneMinusBeta2 * grad * grad;
            // denom = exp_avg_sq.sqrt() / sqrt(bias_correction2) + eps;
            // p.addcdiv_(exp_avg, denom, -step_size)
            const float denominator = std::sqrt(avgSq) / s.sqrtCorrection2 + s.eps;
            p[i] = param + s.negativeStepSize * (avg / denominator);
            m[i] = avg;
            v[i] = avgSq;
        }
    });
}

} // namespace medseg::core::detail
