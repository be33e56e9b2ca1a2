#pragma once

// DCMTK parses nested sequences recursively: a file whose sequences are nested a few thousand
// levels deep overflows the stack (a segmentation fault in `medseg info`, and in the workstation
// while it indexes a folder). This scan walks the file's element headers without recursion and
// without reading values, so that such a file is refused before DCMTK sees it.

#include <cstdint>
#include <string>

namespace medseg::core::detail {

// Real files nest a handful of sequences (enhanced multi-frame: about five); 64 leaves room.
constexpr int MaxSequenceNesting = 64;

// The reason to refuse `path` (its data set starting at byte `start`, after the preamble and
// "DICM" when `hasPreamble`), or empty. Files it cannot follow (deflated data sets, lengths
// that run past the end) are left to DCMTK's own checks.
std::string nestingProblem(const std::string &path, std::uint64_t start, bool hasPreamble);

} // namespace medseg::core::detail
