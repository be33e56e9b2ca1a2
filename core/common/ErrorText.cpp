#include "core/common/ErrorText.h"

#include <new>
#include <stdexcept>

namespace medseg::core {

std::string userMessage(const std::exception &error)
{
    if (dynamic_cast<const std::bad_alloc *>(&error))
        return "not enough memory for these data (a damaged file can claim a size far beyond "
               "its contents; nothing was changed)";
    if (dynamic_cast<const std::length_error *>(&error))
        return std::string("a size beyond what this program can hold (") + error.what() +
               "; a damaged file can claim one; nothing was changed)";
    return error.what();
}

} // namespace medseg::core
