#include "core/train/InputGeometry.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace medseg::core {

std::string toString(InputResize resize)
{
    return resize == InputResize::Stretch ? "stretch" : "keep_aspect";
}

InputResize inputResizeFromString(const std::string &name)
{
    if (name == "keep_aspect")
        return InputResize::KeepAspect;
    if (name == "stretch")
        return InputResize::Stretch;
    throw std::runtime_error("unknown input resize \"" + name +
                             "\" (expected \"keep_aspect\" or \"stretch\")");
}

InputPlacement placeSlice(std::int64_t height, std::int64_t width, int inputSize,
                          InputResize resize)
{
    if (height < 1 || width < 1)
        throw std::invalid_argument("placeSlice: the slice is empty");
    InputPlacement p;
    p.height = height;
    p.width = width;
    if (inputSize <= 0) {
        p.rows = height;
        p.cols = width;
        return p;
    }
    const std::int64_t size = inputSize;
    p.size = size;
    if (resize == InputResize::Stretch || height == width) {
        p.rows = size;
        p.cols = size;
        return p;
    }
    const double scale = double(size) / double(std::max(height, width));
    p.rows = std::clamp<std::int64_t>(std::llround(double(height) * scale), 1, size);
    p.cols = std::clamp<std::int64_t>(std::llround(double(width) * scale), 1, size);
    p.top = (size - p.rows) / 2;
    p.left = (size - p.cols) / 2;
    return p;
}

} // namespace medseg::core
