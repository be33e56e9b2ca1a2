#pragma once

// Where a slice of any shape sits in the network's square input. Plain numbers, no tensors:
// the trainer, the Predictor, the export and the model card share this one rule (the tensor
// side is core/train/NetworkInput.h).

#include <cstdint>
#include <string>

namespace medseg::core {

enum class InputResize {
    KeepAspect, // the longer side to the input size, the shorter one padded (anatomy undistorted)
    Stretch     // both sides to the input size (the aspect ratio is lost)
};

std::string toString(InputResize resize);                   // "keep_aspect", "stretch"
InputResize inputResizeFromString(const std::string &name); // throws std::runtime_error

struct InputPlacement
{
    std::int64_t height = 0; // the slice
    std::int64_t width = 0;
    std::int64_t size = 0; // the square input's side; 0: the slice goes in as it is
    // The slice's region in the input (the rest is padding).
    std::int64_t top = 0;
    std::int64_t left = 0;
    std::int64_t rows = 0;
    std::int64_t cols = 0;

    // True when the slice goes in unchanged (no resize, no padding).
    bool isIdentity() const
    {
        return rows == height && cols == width && top == 0 && left == 0 &&
               (size == 0 || (size == height && size == width));
    }
};

// KeepAspect: the longer side becomes `inputSize`, the shorter one round(side * scale) (at
// least 1), centred with the padding split evenly (the extra pixel after). inputSize <= 0: the
// slice as it is.
InputPlacement placeSlice(std::int64_t height, std::int64_t width, int inputSize,
                          InputResize resize);

} // namespace medseg::core
