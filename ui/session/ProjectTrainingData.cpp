#include "ui/session/ProjectTrainingData.h"

#include "core/train/VolumeTrainingData.h"

#include <QCoreApplication>

#include <torch/types.h>

namespace medseg::ui {

std::shared_ptr<core::TrainingData>
trainingDataFromLabels(const core::Volume &volume, const core::LabelMap &labels,
                       const core::LabelDescriptions &table, const core::WindowLut &lut,
                       const core::Window *window, QString *error)
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return std::shared_ptr<core::TrainingData>();
    };
    if (volume.isEmpty() || volume.components() != 1 || labels.width() != volume.width() ||
        labels.height() != volume.height() || labels.depth() != volume.depth())
        return fail(
            QCoreApplication::translate("medseg::ui::ProjectTrainingData",
                                        "The labels do not belong to the series on screen."));

    std::vector<int> labeled;
    for (int k = 0; k < labels.depth(); ++k) {
        if (labels.sliceHasLabels(core::SliceAxis::Axial, k))
            labeled.push_back(k);
    }
    if (labeled.empty())
        return fail(QCoreApplication::translate("medseg::ui::ProjectTrainingData",
                                                "No slice of this series is labeled yet."));

    const int width = volume.width();
    const int height = volume.height();
    const std::size_t sliceSize = std::size_t(width) * height;
    auto data = std::make_shared<core::TrainingData>();
    int largest = 0;
    std::vector<std::uint16_t> scratch(sliceSize);
    for (std::size_t n = 0; n < labeled.size(); ++n) {
        const int k = labeled[n];
        core::TrainingSample sample;
        sample.image = torch::empty({1, height, width}, torch::kUInt8);
        lut.apply(volume.slice(k), sliceSize, sample.image.data_ptr<std::uint8_t>(), 1);
        labels.extractSlice(core::SliceAxis::Axial, k, scratch.data());
        sample.mask = torch::empty({height, width}, torch::kUInt8);
        std::uint8_t *mask = sample.mask.data_ptr<std::uint8_t>();
        for (std::size_t i = 0; i < sliceSize; ++i) {
            if (scratch[i] > 254)
                return fail(
                    QCoreApplication::translate("medseg::ui::ProjectTrainingData",
                                                "Label %1 is above 254: training takes at most 255 "
                                                "classes (255 marks ignored pixels).")
                        .arg(scratch[i]));
            mask[i] = std::uint8_t(scratch[i]);
            largest = std::max<int>(largest, scratch[i]);
        }
        sample.name = "slice-" + std::to_string(k + 1);
        const bool validation = core::isValidationSlice(n, labeled.size());
        (validation ? data->val : data->train).push_back(std::move(sample));
    }
    if (data->val.empty())
        data->val.push_back(data->train.back());
    if (data->train.empty())
        data->train.push_back(data->val.front());

    data->classes = core::modelClassesOf(table, largest);
    if (window && window->isValid()) {
        data->preprocessing.hasWindow = true;
        data->preprocessing.windowCenter = window->center;
        data->preprocessing.windowWidth = window->width;
    }
    data->summary = std::to_string(labeled.size()) + " labeled slices of one series, " +
                    std::to_string(data->classes.size()) + " classes";
    return data;
}

} // namespace medseg::ui
