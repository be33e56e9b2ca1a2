#pragma once

namespace medseg::app {

// Process-wide settings both programs apply at start-up. Debian's LibTorch starts with one
// intra-op thread; training and prediction need all cores (MEDSEG_THREADS overrides).
void configureRuntime();

} // namespace medseg::app
