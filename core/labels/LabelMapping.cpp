#include "core/labels/LabelMapping.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>

namespace medseg::core {
namespace {

std::string key(const std::string &name)
{
    std::string k;
    for (const char c : name)
        k += char(std::tolower(static_cast<unsigned char>(c)));
    const auto first = k.find_first_not_of(" \t");
    const auto last = k.find_last_not_of(" \t");
    return first == std::string::npos ? std::string() : k.substr(first, last - first + 1);
}

const LabelDescription *byName(const LabelDescriptions &table, const std::string &name)
{
    const std::string wanted = key(name);
    for (const LabelDescription &row : table.labels())
        if (row.index > 0 && key(row.name) == wanted)
            return &row;
    return nullptr;
}

// The project's row of that number has no name of its own (ITK-SNAP's "Label N" defaults).
bool isUnnamed(const LabelDescription &row)
{
    return row.name.empty() || key(row.name) == "label " + std::to_string(row.index);
}

} // namespace

bool LabelMapping::changesValues() const
{
    return std::any_of(values.begin(), values.end(),
                       [](const auto &entry) { return entry.first != entry.second; });
}

LabelMapping mapLabelsByName(const LabelDescriptions &source, const LabelDescriptions &project,
                             const std::vector<int> &used)
{
    LabelMapping mapping;
    LabelDescriptions table = project; // with the rows added so far
    const auto freeValue = [&table] {
        int value = 1;
        while (table.find(value))
            ++value;
        return value;
    };
    for (const int value : used) {
        if (value == 0) {
            mapping.values[0] = 0;
            continue;
        }
        const LabelDescription *named = source.find(value);
        const bool hasName = named && !isUnnamed(*named);
        if (hasName) {
            if (const LabelDescription *same = byName(table, named->name)) {
                mapping.values[value] = same->index;
                if (same->index != value)
                    mapping.notes.push_back("'" + named->name + "' is label " +
                                            std::to_string(value) + " in the file and " +
                                            std::to_string(same->index) + " in the project");
                continue;
            }
        }
        const LabelDescription *row = table.find(value);
        const bool free = !row || (hasName ? isUnnamed(*row) : true);
        const int target = free ? value : freeValue();
        mapping.values[value] = target;
        if (hasName && (!row || target != value || isUnnamed(*row))) {
            LabelDescription added = *named;
            added.index = target;
            added.locked = false;
            table.set(added);
            mapping.added.push_back(added);
            mapping.notes.push_back(
                "'" + named->name + "' is new to the project: label " + std::to_string(target) +
                (target != value
                     ? " (the file's " + std::to_string(value) + " is '" + row->name + "' here)"
                     : std::string()));
        }
    }
    return mapping;
}

std::string labelDescriptionFileBeside(const std::string &labelVolume)
{
    namespace fs = std::filesystem;
    const fs::path file(labelVolume);
    std::string stem = file.filename().string();
    for (const char *suffix : {".nii.gz", ".nii"})
        if (stem.size() > std::strlen(suffix) &&
            stem.compare(stem.size() - std::strlen(suffix), std::strlen(suffix), suffix) == 0) {
            stem.resize(stem.size() - std::strlen(suffix));
            break;
        }
    const fs::path folder = file.parent_path();
    std::error_code error;
    for (const fs::path &candidate :
         {folder / (stem + ".txt"), folder / "labels.txt", folder.parent_path() / "labels.txt"})
        if (fs::is_regular_file(candidate, error))
            return candidate.string();
    return {};
}

void applyLabelMapping(const LabelMapping &mapping, std::vector<std::uint16_t> &labels)
{
    if (!mapping.changesValues())
        return;
    for (std::uint16_t &value : labels) {
        const auto found = mapping.values.find(value);
        if (found != mapping.values.end())
            value = std::uint16_t(found->second);
    }
}

} // namespace medseg::core
