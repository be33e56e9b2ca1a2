#pragma once

#include <string>

namespace medseg::core {

// Process-wide registration of DCMTK's decompression codecs (JPEG, JPEG-LS, RLE).
// DCMTK keeps codecs in a global list that is not safe to modify while another thread decodes,
// so registration happens exactly once, before the first decode, and lasts for the process.
class DicomCodecs
{
public:
    // Registers the codecs on the first call; later calls return at once. Thread-safe.
    static void ensureRegistered();
    static bool isRegistered();

    // The DCMTK version this program was built and linked against, e.g. "3.6.7".
    static std::string toolkitVersion();
};

} // namespace medseg::core
