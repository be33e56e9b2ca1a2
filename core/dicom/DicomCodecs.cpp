#include "core/dicom/DicomCodecs.h"

#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>

#include <atomic>
#include <mutex>

namespace medseg::core {
namespace {

std::atomic<bool> g_registered{false};

// Deregisters at exit so that leak checkers see DCMTK's codec objects released.
struct CodecLifetime
{
    CodecLifetime()
    {
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
        g_registered = true;
    }
    ~CodecLifetime()
    {
        DcmRLEDecoderRegistration::cleanup();
        DJLSDecoderRegistration::cleanup();
        DJDecoderRegistration::cleanup();
        g_registered = false;
    }
};

} // namespace

void DicomCodecs::ensureRegistered()
{
    static CodecLifetime lifetime;
}

bool DicomCodecs::isRegistered()
{
    return g_registered;
}

std::string DicomCodecs::toolkitVersion()
{
    return OFFIS_DCMTK_VERSION_STRING;
}

} // namespace medseg::core
