#pragma once

// Labels from elsewhere (another tool's label file, another dataset) mapped onto a project's
// label table by name, the way a radiologist reads them: "liver" is the project's liver whatever
// its number was. Names are compared without case and surrounding spaces; a name the project
// lacks becomes a new label at a free number; a value without a name keeps its number when the
// project's row of that number is free or unnamed. Conflicts (two names for one project label,
// a number already used by another name) are resolved that way and described in `notes`, so
// the user sees them before anything changes.

#include "core/labels/LabelDescriptions.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace medseg::core {

struct LabelMapping
{
    std::map<int, int> values;           // source value -> project value (0 -> 0)
    std::vector<LabelDescription> added; // rows the project's table gains
    std::vector<std::string> notes;      // what was mapped differently, in words
    bool changesValues() const;
};

// `used`: the values present in the source volume (0 may be among them).
LabelMapping mapLabelsByName(const LabelDescriptions &source, const LabelDescriptions &project,
                             const std::vector<int> &used);

// The label description file that came with a label volume, or "": ITK-SNAP's labels.txt in its
// folder or the folder above (as nnU-Net and Decathlon exports carry it), or NAME.txt beside
// NAME.nii.gz.
std::string labelDescriptionFileBeside(const std::string &labelVolume);

// Applies `mapping.values` to label values in place.
void applyLabelMapping(const LabelMapping &mapping, std::vector<std::uint16_t> &labels);

} // namespace medseg::core
