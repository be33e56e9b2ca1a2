#pragma once

#include "core/dicom/WindowLevel.h"
#include "core/image/Volume.h"
#include "core/labels/LabelDescriptions.h"
#include "core/labels/LabelMap.h"
#include "core/train/TrainingData.h"

#include <QString>

#include <memory>

namespace medseg::ui {

// The labeled axial slices of the series on screen as training data: each slice windowed to
// 8 bits through `lut` (what the user sees, and what the model will be fed), its labels as the
// mask (label k = class k, classes 0..largest label used). One series is one patient, so the
// validation slices are every fifth labeled slice of the same series (the dashboard says so);
// a VOC dataset split by patient is the way to a fair validation. Returns null with `error`
// when there is nothing to train on.
std::shared_ptr<core::TrainingData>
trainingDataFromLabels(const core::Volume &volume, const core::LabelMap &labels,
                       const core::LabelDescriptions &table, const core::WindowLut &lut,
                       const core::Window *window, QString *error);

} // namespace medseg::ui
