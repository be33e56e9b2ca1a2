#include "core/dataset/LabeledDemoStudy.h"

#include "core/dataset/FolderLabels.h"
#include "core/dataset/LabelTable.h"
#include "core/dataset/NiftiIo.h"

#include <filesystem>

namespace medseg::core {

namespace fs = std::filesystem;

std::vector<DemoPatient> writeLabeledDemoStudy(const std::string &dir,
                                               const DemoStudyOptions &options,
                                               ProgressSink *progress)
{
    const fs::path labels = fs::path(dir) / "labels";
    std::error_code error;
    fs::create_directories(labels, error);
    if (error)
        throw std::runtime_error("cannot create " + labels.string() + ": " + error.message());
    std::vector<DemoPatient> patients = DemoStudy::write(dir, options, progress);
    for (const DemoPatient &patient : patients)
        NiftiIo::writeLabels((labels / (patient.seriesInstanceUid + ".nii.gz")).string(),
                             *patient.labels);
    std::vector<LabelClass> classes;
    for (const DemoLabel &label : demoLabels())
        classes.push_back({label.index, label.name, label.colour});
    LabelTable(classes).save((labels / "labels.json").string());
    return patients;
}

bool isLabeledDemoStudy(const std::string &dir)
{
    return !FolderLabels(dir).tableFile().empty();
}

} // namespace medseg::core
