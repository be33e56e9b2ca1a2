#include "core/train/AutoConfig.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace medseg::core {
namespace {

constexpr int SizeStep = 32; // a multiple of every output stride
constexpr int MinimumInput = 64;

int median(std::vector<int> values)
{
    const auto middle = values.begin() + std::ptrdiff_t(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

} // namespace

AutoConfiguration chooseAutoConfiguration(const TrainingData &data, bool cuda)
{
    std::vector<int> heights, widths, longer;
    for (const auto *split : {&data.train, &data.val})
        for (const TrainingSample &sample : *split) {
            const int height = int(sample.mask.size(0));
            const int width = int(sample.mask.size(1));
            heights.push_back(height);
            widths.push_back(width);
            longer.push_back(std::max(height, width));
        }
    if (longer.empty())
        throw std::runtime_error("no slices to configure the training from");
    AutoConfiguration choice;
    choice.cuda = cuda;
    choice.medianHeight = median(heights);
    choice.medianWidth = median(widths);
    choice.inputSizeCap = cuda ? 512 : 256;
    const int rounded = (median(longer) + SizeStep - 1) / SizeStep * SizeStep;
    choice.inputSize = std::clamp(rounded, MinimumInput, choice.inputSizeCap);
    choice.outputStride = cuda ? 8 : 16;
    return choice;
}

void apply(const AutoConfiguration &choice, TrainingConfig &config)
{
    for (StagePlan &stage : config.stages)
        stage.inputSize = choice.inputSize;
    config.model.output_stride = choice.outputStride;
}

std::string describe(const AutoConfiguration &choice)
{
    std::string text = "input size " + std::to_string(choice.inputSize) + " (median slice " +
                       std::to_string(choice.medianWidth) + " x " +
                       std::to_string(choice.medianHeight);
    if (choice.inputSize == choice.inputSizeCap)
        text += ", at most " + std::to_string(choice.inputSizeCap) + " on " +
                (choice.cuda ? "a GPU" : "a CPU");
    text += "); output stride " + std::to_string(choice.outputStride) +
            (choice.cuda ? " (GPU)" : " (CPU: stride 8 is about 6x slower per image)");
    return text;
}

} // namespace medseg::core
