#pragma once

// A training checkpoint: everything a killed run needs to continue exactly where it was (the
// weights and BatchNorm statistics, the optimizer's moments, the position in the plan, the
// random generators, the best score so far and how much of metrics.jsonl belongs to it).
//
// File format (little-endian): "MEDSEGCK", uint32 version, uint64 payload size, uint64 FNV-1a
// hash of the payload, payload. The payload is a JSON header (length-prefixed) followed by the
// raw bytes of each tensor it lists. Written to a temporary file, fsync'ed and renamed, so a
// kill during the write leaves the previous checkpoint intact.

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <string>

namespace medseg::core {

using TensorMap = std::map<std::string, torch::Tensor>;

struct CheckpointState
{
    TensorMap model;     // parameters and buffers by state-dict name
    TensorMap optimizer; // FusedAdamW::stateDict()
    TensorMap rng;       // "cpu" (and "cuda") generator states
    std::string augmenterState;

    // Position: the next step to run is `stepInEpoch` of `epoch` of `stage`. stepInEpoch equal
    // to the epoch's step count means "trained, not yet validated". stage == stage count: done.
    int stage = 0;
    int epoch = 0;
    std::int64_t stepInEpoch = 0;
    std::int64_t globalStep = 0;

    double bestScore = -1;      // best mean foreground Dice of the run (-1: none yet)
    double stageBestScore = -1; // best of the current stage (early stopping)
    int epochsWithoutImprovement = 0;
    double epochLossSum = 0; // running training loss of the current epoch
    std::int64_t epochLossCount = 0;
    double lossScale = 65536.0;            // fp16 dynamic loss scale
    std::int64_t lossScaleFiniteSteps = 0; // finite fp16 steps since it last changed
    std::int64_t metricsBytes = 0;         // length of metrics.jsonl when this was written
    // The seconds the run has trained so far, every session of it (its time budget counts them).
    double elapsedSeconds = 0;
};

// Throws std::runtime_error naming `path` when it cannot be written.
void saveCheckpoint(const std::string &path, const CheckpointState &state);
// Throws std::runtime_error naming `path` when it is missing, truncated, corrupt or of another
// format version.
CheckpointState loadCheckpoint(const std::string &path);

} // namespace medseg::core
