#include "ui/session/PreviewInput.h"

#include "core/image/Volume.h"
#include "core/train/NetworkInput.h"

namespace medseg::ui {

torch::Tensor PreviewInput::slice(const core::Preprocessing &preprocessing, const std::string &key,
                                  const std::shared_ptr<const core::Volume> &volume, bool invert,
                                  int k, const ChannelLoader &moreChannels)
{
    if (!volume || k < 0 || k >= volume->depth())
        return {};
    const std::string rules = core::preprocessingJson(preprocessing);
    if (key != m_key || m_volume.lock() != volume || rules != m_rules) {
        m_key = key;
        m_volume = volume;
        m_rules = rules;
        m_channels = {volume};
        m_resolved.clear();
        if (preprocessing.imageChannels() > 1)
            for (auto &channel : moreChannels())
                m_channels.push_back(std::move(channel));
        if (int(m_channels.size()) != preprocessing.imageChannels())
            return {};
        for (std::size_t c = 0; c < m_channels.size(); ++c)
            m_resolved.push_back(
                core::volumeIntensity(preprocessing.channelRule(int(c)), m_channels[c]->data(),
                                      m_channels[c]->voxelCount(), c == 0 && invert));
    }
    if (m_resolved.size() != m_channels.size())
        return {};
    std::vector<const float *> channels;
    for (const auto &channel : m_channels)
        channels.push_back(channel->data());
    return core::caseSlices(m_resolved, channels, volume->depth(), k, 1, volume->height(),
                            volume->width(), preprocessing.adjacentSlices)
        .squeeze(0);
}

} // namespace medseg::ui
