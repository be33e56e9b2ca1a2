#pragma once

// One whole training step (forward, loss, backward, optimizer) replayed as a CUDA graph: the
// CPU launches a single graph instead of hundreds of kernels, and the step's memory stays at
// fixed addresses. The step must have static shapes and read its inputs from tensors that the
// caller refills in place before each run(); everything it computes from them, the loss
// included, is then updated in place by each replay.
//
// Needs a LibTorch built with CUDA (MEDSEG_WITH_CUDA); available() says whether this build has
// one, and the constructor throws where it has not.

#include <torch/types.h>

#include <functional>
#include <memory>

namespace medseg::core {

class CudaGraphStep
{
public:
    // `step` runs one training step on the current CUDA stream and returns its loss (a device
    // tensor). It must not synchronise with the host (no item(), no pageable copies) and must
    // allocate the same shapes each time. The first `eagerSteps` runs execute `step` normally on
    // a side stream (cuDNN and cuBLAS pick and allocate their workspaces, the optimizer creates
    // its state); the next run captures it and replays the graph, and every later run replays.
    explicit CudaGraphStep(std::function<torch::Tensor()> step, int eagerSteps = 3);
    ~CudaGraphStep();
    CudaGraphStep(const CudaGraphStep &) = delete;
    CudaGraphStep &operator=(const CudaGraphStep &) = delete;

    // Runs one step, eagerly or as a replay; returns the loss tensor (the same tensor for every
    // replay: copy it before the next run() to keep a value). Asynchronous, like any CUDA work.
    torch::Tensor run();
    bool captured() const;

    static bool available();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace medseg::core
