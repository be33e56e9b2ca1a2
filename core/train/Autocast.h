#pragma once

// Mixed precision on CUDA: autocast for the scope of an AutocastScope, in the LibTorch API of the
// version at hand (the per-device calls of 2.4+, the CUDA-only ones before).

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace medseg::core {

// Enables CUDA autocast to `type` (kBFloat16 or kHalf) for the scope; does nothing when
// `enabled` is false. With `cacheCasts` false, every cast of a weight is redone at each use
// instead of being cached for the scope: what a scope captured into a CUDA graph needs, since a
// cached cast would be a tensor of the capture that the next scope reuses.
class AutocastScope
{
public:
    AutocastScope(bool enabled, at::ScalarType type, bool cacheCasts = true)
        : m_enabled(enabled)
    {
        if (!m_enabled)
            return;
        m_cacheWas = at::autocast::is_autocast_cache_enabled();
        at::autocast::set_autocast_cache_enabled(cacheCasts);
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_dtype(at::kCUDA, type);
        at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
        at::autocast::set_autocast_gpu_dtype(type);
        at::autocast::set_enabled(true);
#endif
    }
    ~AutocastScope()
    {
        if (!m_enabled)
            return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_enabled(at::kCUDA, false);
#else
        at::autocast::set_enabled(false);
#endif
        at::autocast::clear_cache();
        at::autocast::set_autocast_cache_enabled(m_cacheWas);
    }
    AutocastScope(const AutocastScope &) = delete;
    AutocastScope &operator=(const AutocastScope &) = delete;

private:
    bool m_enabled;
    bool m_cacheWas = true;
};

} // namespace medseg::core
