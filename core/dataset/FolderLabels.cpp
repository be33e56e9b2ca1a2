#include "core/dataset/FolderLabels.h"

#include <filesystem>
#include <vector>

namespace medseg::core {

namespace fs = std::filesystem;

namespace {

bool isFile(const fs::path &path)
{
    std::error_code error;
    return fs::is_regular_file(path, error);
}

} // namespace

FolderLabels::FolderLabels(std::string source)
    : m_source(std::move(source))
{}

std::string FolderLabels::labelFile(const std::string &seriesUid,
                                    const std::string &seriesFile) const
{
    if (seriesUid.empty())
        return {};
    std::vector<fs::path> folders{fs::path(m_source) / "labels"};
    if (!seriesFile.empty())
        folders.push_back(fs::path(seriesFile).parent_path());
    for (const fs::path &folder : folders)
        for (const char *extension : {".nii.gz", ".nii"}) {
            const fs::path path = folder / (seriesUid + extension);
            if (isFile(path))
                return path.string();
        }
    return {};
}

std::string FolderLabels::tableFile() const
{
    for (const fs::path &path :
         {fs::path(m_source) / "labels" / "labels.json", fs::path(m_source) / "labels.json"})
        if (isFile(path))
            return path.string();
    return {};
}

} // namespace medseg::core
