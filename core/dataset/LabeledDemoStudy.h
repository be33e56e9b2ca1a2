#pragma once

#include "core/common/Progress.h"
#include "core/dicom/DemoStudy.h"

#include <string>
#include <vector>

namespace medseg::core {

// The demo study as `medseg make-demo` and File > Open Demo Study write it: the DICOM series of
// DemoStudy::write(), each series' ground truth as DIR/labels/<SeriesInstanceUID>.nii.gz and the
// class table as DIR/labels/labels.json (the layout of core::FolderLabels). Throws
// std::runtime_error naming what could not be written.
std::vector<DemoPatient> writeLabeledDemoStudy(const std::string &dir,
                                               const DemoStudyOptions &options,
                                               ProgressSink *progress = nullptr);

// Whether DIR holds a complete labeled demo study (its class table is written last).
bool isLabeledDemoStudy(const std::string &dir);

} // namespace medseg::core
