#include "core/train/CudaGraphStep.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#ifdef MEDSEG_WITH_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace medseg::core {

#ifdef MEDSEG_WITH_CUDA

struct CudaGraphStep::Private
{
    std::function<torch::Tensor()> step;
    int eagerSteps = 0;
    int runs = 0;
    // One side stream for every eager step and the capture: the autograd graph's
    // AccumulateGrad nodes remember the stream they were made on, and a step on another stream
    // would have to synchronise with it.
    std::optional<c10::cuda::CUDAStream> sideStream;
    std::unique_ptr<at::cuda::CUDAGraph> graph;
    torch::Tensor loss;
};

CudaGraphStep::CudaGraphStep(std::function<torch::Tensor()> step, int eagerSteps)
    : d(std::make_unique<Private>())
{
    if (!step)
        throw std::invalid_argument("CudaGraphStep needs a step function");
    d->step = std::move(step);
    d->eagerSteps = std::max(1, eagerSteps);
}

CudaGraphStep::~CudaGraphStep() = default;

bool CudaGraphStep::available()
{
    return true;
}

bool CudaGraphStep::captured() const
{
    return d->graph != nullptr;
}

torch::Tensor CudaGraphStep::run()
{
    if (d->graph) {
        d->graph->replay();
        return d->loss;
    }
    // Eager steps and the capture run on a side stream, ordered after the caller's stream (which
    // filled the inputs) and before whatever the caller queues next: capture is not allowed on
    // the default stream, and warm-up there would leave stray work in the capture's way.
    const c10::cuda::CUDAStream callerStream = c10::cuda::getCurrentCUDAStream();
    if (!d->sideStream)
        d->sideStream = c10::cuda::getStreamFromPool();
    const c10::cuda::CUDAStream sideStream = *d->sideStream;
    at::cuda::CUDAEvent inputsReady;
    inputsReady.record(callerStream);
    inputsReady.block(sideStream);
    {
        const c10::cuda::CUDAStreamGuard guard(sideStream);
        if (d->runs < d->eagerSteps) {
            d->loss = d->step().detach(); // not the autograd graph of the step
        } else {
            // As torch.cuda.graph does: nothing of the eager steps may still be running.
            c10::cuda::device_synchronize();
            auto graph = std::make_unique<at::cuda::CUDAGraph>();
            graph->capture_begin();
            try {
                d->loss = d->step().detach();
            } catch (...) {
                try {
                    graph->capture_end();
                } catch (...) {
                }
                throw;
            }
            graph->capture_end();
            d->graph = std::move(graph);
        }
    }
    at::cuda::CUDAEvent stepDone;
    stepDone.record(sideStream);
    stepDone.block(callerStream);
    ++d->runs;
    if (d->graph) // captured just now: the capture recorded the step without running it
        d->graph->replay();
    return d->loss;
}

#else // no CUDA in this LibTorch

struct CudaGraphStep::Private
{
};

namespace {
const char *const noCuda = "CUDA graphs need a LibTorch built with CUDA; this one is CPU-only";
} // namespace

CudaGraphStep::CudaGraphStep(std::function<torch::Tensor()>, int)
{
    throw std::runtime_error(noCuda);
}

CudaGraphStep::~CudaGraphStep() = default;

bool CudaGraphStep::available()
{
    return false;
}

bool CudaGraphStep::captured() const
{
    return false;
}

torch::Tensor CudaGraphStep::run()
{
    throw std::runtime_error(noCuda);
}

#endif

} // namespace medseg::core
