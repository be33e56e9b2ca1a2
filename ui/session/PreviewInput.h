#pragma once

// The live preview's input: the axial slice on screen as the model in training reads it. Its
// channels go through their intensity rules resolved on the whole volumes, exactly as training
// and prediction resolve them (core/train/Intensity.h), so the preview shows what the saved
// model will predict; a model of 8-bit grey slices (a VOC dataset) reads the slice as the screen
// shows it. The resolved rules and the case's other channels are kept between previews.

#include "core/train/ModelBundle.h"

#include <torch/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace medseg::core {
class Volume;
}

namespace medseg::ui {

class PreviewInput
{
public:
    // Channels 1, 2, ... of the case whose channel 0 is on screen (may throw; empty when the
    // case has one channel).
    using ChannelLoader = std::function<std::vector<std::shared_ptr<const core::Volume>>()>;

    // [C, H, W] float of slice k, or an undefined tensor when the case does not have the
    // channels the model reads. `key` names the series on screen; `invert`: MONOCHROME1.
    torch::Tensor slice(const core::Preprocessing &preprocessing, const std::string &key,
                        const std::shared_ptr<const core::Volume> &volume, bool invert, int k,
                        const ChannelLoader &moreChannels);

private:
    std::string m_key;
    std::weak_ptr<const core::Volume> m_volume;
    std::string m_rules; // the preprocessing the rules were resolved for
    std::vector<std::shared_ptr<const core::Volume>> m_channels;
    std::vector<core::VolumeIntensity> m_resolved;
};

} // namespace medseg::ui
