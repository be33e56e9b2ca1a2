#pragma once

// What an exception says to the user. Our own errors already say what is wrong in words; the
// standard library's do not ("std::bad_alloc", "vector::_M_default_append"), and they come from
// data asking for more memory than there is, usually a damaged or hostile file claiming a size
// far beyond its contents.

#include <exception>
#include <string>

namespace medseg::core {

std::string userMessage(const std::exception &error);

} // namespace medseg::core
