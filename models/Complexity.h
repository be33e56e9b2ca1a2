#pragma once

// The size and cost of a network, for `medseg models`: parameters of the backbone and of the
// whole PSPNet, and the multiply-accumulates of one forward pass. The operations are counted on
// a trace of the real forward pass (every convolution and matrix product with its shapes), so
// the count follows the code rather than a formula kept beside it.

#include "models/ModelConfig.h"

#include <cstdint>

namespace medseg::models {

struct ModelComplexity
{
    std::int64_t backboneParameters = 0;
    std::int64_t parameters = 0;
    // Multiply-accumulates of one forward pass of a 1 x in_channels x height x width input:
    // convolutions and matrix products (the convention of torchvision's model tables and fvcore,
    // whose "GFLOPS" count one multiply-add as one operation); element-wise work is left out.
    std::int64_t multiplyAccumulates = 0;
};

// Builds the network (random weights, eval mode, CPU) and traces one forward pass.
ModelComplexity measureComplexity(const ModelConfig &config, int height, int width);

} // namespace medseg::models
