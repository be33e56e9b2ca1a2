#pragma once

#include <string>

namespace medseg::core {

// Where a folder of DICOM series carries their labels: the layout `medseg make-demo` writes,
// `medseg convert` reads and the workstation opens. Each series' labels are a NIfTI volume
// named after its SeriesInstanceUID (`<uid>.nii.gz` or `<uid>.nii`) in SOURCE/labels/ or beside
// the series' files; the class table is `labels.json` in SOURCE/labels/ or in SOURCE.
class FolderLabels
{
public:
    explicit FolderLabels(std::string source);

    // The label volume of a series, or empty. `seriesFile` is one of its files (its folder is
    // searched after SOURCE/labels/).
    std::string labelFile(const std::string &seriesUid, const std::string &seriesFile = {}) const;
    // The class table, or empty.
    std::string tableFile() const;

private:
    std::string m_source;
};

} // namespace medseg::core
