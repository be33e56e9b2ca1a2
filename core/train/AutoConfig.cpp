#include "core/train/AutoConfig.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace medseg::core {
namespace {

constexpr int SizeStep = 32; // a multiple of every output stride
constexpr int MinimumInput = 64;
constexpr int MinimumCells = 16; // across the feature map the classifier predicts on

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
    // PSPNet predicts on the backbone's feature map and upsamples: at stride 16 a 128-pixel
    // input leaves 8 x 8 cells, too coarse for thin structures (the demo's ribs: bone Dice
    // 0.61 at stride 16, 0.77 at 8). Stride 16 on a CPU only where it still leaves 16 cells.
    choice.outputStride = cuda || choice.inputSize / 16 < MinimumCells ? 8 : 16;
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
    text += "); output stride " + std::to_string(choice.outputStride);
    if (choice.cuda)
        text += " (GPU)";
    else if (choice.outputStride == 8)
        text += " (a " + std::to_string(choice.inputSize / 8) +
                "-cell feature map; stride 16 would leave " +
                std::to_string(choice.inputSize / 16) + ")";
    else
        text += " (CPU: stride 8 trains about 2x slower per image)";
    return text;
}

} // namespace medseg::core
