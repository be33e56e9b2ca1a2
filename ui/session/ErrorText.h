#pragma once

#include "core/common/ErrorText.h"

#include <QString>

#include <exception>

namespace medseg::ui {

// An exception's message for a dialog or the status bar: core::userMessage's words (the standard
// library's "std::bad_alloc" becomes "not enough memory...").
inline QString errorText(const std::exception &error)
{
    return QString::fromLocal8Bit(core::userMessage(error).c_str());
}

} // namespace medseg::ui
