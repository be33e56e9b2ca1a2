#pragma once

#include "core/dicom/DicomIndex.h"

#include <cstdint>
#include <string>

namespace medseg::core::detail {

// The JSON form of an index (DicomIndexer::toJson), optionally with the time the index cache
// was written: files modified in or after that second are read again ("racy" mtimes, as git
// treats its index).
std::string indexToJson(const DicomIndex &index, std::int64_t cacheWrittenAt = -1);
// Throws std::runtime_error on malformed JSON or another format. `cacheWrittenAt` gets -1 when
// the JSON has none.
DicomIndex indexFromJson(const std::string &json, std::int64_t *cacheWrittenAt = nullptr);

} // namespace medseg::core::detail
