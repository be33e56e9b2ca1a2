#pragma once

// A model on a project's volumes, as `medseg predict` runs it on one: every case of the project
// predicted into label files on its own grid ("Predict all volumes" in the Review tab), and a
// run's model scored on the validation cases it was chosen on (the Runs tab's "Evaluate").
// Lives in medseg_core_train_project beside VolumeTrainingData (it reads volumes through
// core/imageio).

#include "core/common/Progress.h"
#include "core/dicom/SeriesLoader.h"
#include "core/evaluation/SegmentationEvaluation.h"
#include "core/train/Predictor.h"
#include "core/train/VolumeTrainingData.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace medseg::core {

// The label volume of a case (channel 0 first, the model's image channels): raw values through
// the model's rules (Predictor::predictCase), or for a model of 8-bit grey slices the series
// through its default window as the VOC export writes it (MONOCHROME1 inverted).
std::vector<std::uint8_t>
predictCaseLabels(Predictor &predictor, const std::vector<std::shared_ptr<const Volume>> &channels,
                  const SeriesLayout &layout, ProgressSink *progress = nullptr);

struct ProjectPredictionResult
{
    std::vector<std::string> files;   // one label file per case, in the project's order
    std::vector<std::string> skipped; // cases that could not be predicted, and why
};

// Every case of a saved project (the first channel of each imported case, and every other
// series of its sources) into OUT/CASE.nii.gz on the case's grid: a NIfTI source's header is
// kept exactly. Throws std::runtime_error naming the project, the model or the folder;
// CancelledError when `progress` asks to stop (files already written stay).
ProjectPredictionResult predictProject(const std::string &projectFolder,
                                       const std::string &modelPath, const std::string &outFolder,
                                       ProgressSink *progress = nullptr);

// The validation cases of a run (its config.json's "split") predicted by `modelPath` and scored
// against the project's labels: Dice, IoU, HD95 and volumes per case and label, as `medseg
// evaluate`. Throws std::runtime_error when the run has no recorded split or no case of it is
// in the project.
EvaluationSummary evaluateRunOnProject(const std::string &projectFolder,
                                       const std::string &runFolder, const std::string &modelPath,
                                       ProgressSink *progress = nullptr);

} // namespace medseg::core
