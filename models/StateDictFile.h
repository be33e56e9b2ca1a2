#pragma once

// Reading and writing PyTorch state dicts in the zip format of `torch.save` (the format of
// torchvision's ImageNet weight files), without Python.
//
// LibTorch's own `torch::pickle_load` cannot read them: its unpickler turns the
// `collections.OrderedDict` that `Module.state_dict()` returns into None and has no SETITEM
// opcode, so it fails on every real state dict. `readStateDict` therefore runs its own small
// unpickler over the opcodes `torch.save` emits (protocols 2-5, no out-of-band buffers) and reads
// the tensor records with LibTorch's zip reader.

#include <ATen/ATen.h>

#include <map>
#include <string>

namespace medseg::models {

// Sorted by key, as reports list them.
using StateDict = std::map<std::string, at::Tensor>;

// Reads the state dict in `path`: a str -> tensor dict at the top level, or under a "state_dict"
// or "model" key of the top-level dict (training checkpoints). Throws std::runtime_error with the
// reason when the file cannot be read (missing, legacy non-zip format, not a state dict...).
StateDict readStateDict(const std::string &path);

// Writes `state` so that both `torch.load` in Python and readStateDict() read it back.
void writeStateDict(const StateDict &state, const std::string &path);

} // namespace medseg::models
