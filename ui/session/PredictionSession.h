#pragma once

#include "core/labels/LabelMap.h"
#include "core/train/ValidationScores.h"
#include "ui/session/LabelOverlay.h"

#include <QFutureWatcher>
#include <QImage>
#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace medseg::core {
class Volume;
}

namespace medseg::ui {

class LabelSession;
class SeriesSession;
class TrainingSession;

// The human in the loop: a model's predictions on the series on screen, kept apart from the
// labels (a second, sparse label map on the same grid) until the user accepts them. Predictions
// come from the live training preview (the slice being viewed, refreshed as the model learns) or
// from "Predict this slice / series" with a trained model file (a run's best.pt). Each axial
// slice has a review status, so the user sees what to check next.
class PredictionSession : public QObject
{
    Q_OBJECT

public:
    enum class SliceStatus { Unlabeled, Labeled, Predicted, Reviewed };
    Q_ENUM(SliceStatus)

    PredictionSession(SeriesSession *series, LabelSession *labels, TrainingSession *training,
                      QObject *parent = nullptr);
    ~PredictionSession() override;

    SeriesSession *series() const { return m_series; }

    // The model "Predict" uses: a ModelBundle .pt file (empty: none chosen).
    QString modelPath() const { return m_modelPath; }
    void setModelPath(const QString &path);

    // What the predictions on screen come from: one model (run/best.pt) or the live preview of
    // the training; predictions of another origin replace them, never mix with them. Empty
    // when there are none.
    QString origin() const { return m_originName; }
    // The validation scores of that origin: the model's (its .json), or the running training's
    // last epoch for the live preview. Invalid when unknown.
    core::ValidationScores originScores() const;
    // The class names those scores are indexed by.
    QStringList originClassNames() const;
    // How many predicted slices are not reviewed yet (what Accept all takes).
    int unreviewedCount() const;
    // Below this mean foreground Dice, accepting a whole series asks first.
    static constexpr double AcceptAllWarningDice = 0.5;

    // Runs the model in the background on one axial slice, or on every slice; finished() or
    // failed() follows. Returns false when no model or no volume is there, or one runs already.
    bool predictSlice(int slice);
    bool predictSeries();
    // Reads the other channels of the case on screen for models of several (the Document
    // knows the project's cases); failing that, failed() says which file is wrong.
    using ChannelLoader = std::function<std::vector<std::shared_ptr<const core::Volume>>()>;
    void setChannelLoader(ChannelLoader loader) { m_channelLoader = std::move(loader); }
    bool isBusy() const { return m_watcher.isRunning(); }
    void cancel();

    bool hasPrediction(int slice) const;
    // The predictions (null when none), as label values: a model class whose name is a label's
    // in the table (ignoring case and surrounding spaces) becomes that label, any other class k
    // label k.
    const core::LabelMap *predictionMap() const { return m_map.get(); }
    // Where the prediction of a slice comes from ("live preview, step 120", "best.pt").
    QString predictionSource(int slice) const;
    bool isVisible() const { return m_visible; }
    void setVisible(bool visible);
    // How the views draw predictions: outlines (default, so the labels stay readable under
    // them) or translucent fill, with an opacity of their own over the label colours.
    OverlayStyle style() const { return m_style; }
    void setStyle(OverlayStyle style);
    double opacity() const { return m_opacity; }
    void setOpacity(double opacity);
    // The colours to draw with: the label table's, at the prediction opacity.
    LabelColourLut colourLut() const;

    // Copies the predictions into the labels and marks the slices reviewed, as one undoable
    // command (undo restores the review status too). Returns the number of voxels that changed.
    enum class AcceptMode { FillUnlabeled, Replace };
    std::size_t acceptSlice(int slice, AcceptMode mode);
    std::size_t acceptAll(AcceptMode mode);
    void clearPredictions();

    SliceStatus status(int slice) const;
    void markReviewed(int slice);
    // The next axial slice after `from` (wrapping) that is predicted but not reviewed, or -1.
    int nextToReview(int from) const;

Q_SIGNALS:
    void predictionsChanged();
    void statusChanged();
    void busyChanged(bool busy);
    // Slices predicted so far of those asked for (from the worker, queued).
    void progressed(int done, int total);
    void finished(int slices);
    void failed(const QString &message);
    void visibilityChanged(bool visible);

private:
    friend class ReviewStatusCommand;
    struct Result
    {
        int firstSlice = 0;
        int sliceCount = 0;
        std::vector<std::uint8_t> labels;    // sliceCount slices, model classes
        std::vector<std::string> classNames; // by class index
        QString error;
    };
    bool startPrediction(int first, int count);
    void onPredictionFinished();
    // Class index -> label value, matching the model's class names with the label table's.
    std::vector<core::LabelValue> labelsForClasses(const std::vector<std::string> &names) const;
    void storeSlice(int slice, const std::uint8_t *labels, const QString &source,
                    const std::vector<core::LabelValue> *toLabel = nullptr);
    void onPreviewUpdated(int slice, qint64 step);
    void onTrainingStateChanged();
    // Makes `origin` the predictions' origin, dropping those of another one.
    void adoptOrigin(const QString &origin, const QString &name);
    std::size_t acceptSlices(const std::vector<int> &slices, AcceptMode mode, const QString &text);
    void setReviewStatus(const QString &seriesKey, const std::vector<SliceStatus> &statuses);
    void onVolumeChanged();
    void onLabelsChanged(int firstSlice, int lastSlice);

    SeriesSession *m_series;
    LabelSession *m_labels;
    TrainingSession *m_training;
    QString m_modelPath;
    ChannelLoader m_channelLoader;
    core::ValidationScores m_modelScores; // of m_modelPath
    QStringList m_modelClasses;           // of m_modelPath
    QString m_origin;                     // a model's path, or PreviewOrigin
    QString m_originName;                 // as the user reads it
    std::unique_ptr<core::LabelMap> m_map;
    std::vector<QString> m_sources;      // per axial slice; empty: no prediction
    std::vector<SliceStatus> m_reviewed; // Reviewed or Unlabeled (= not reviewed)
    bool m_visible = true;
    OverlayStyle m_style = OverlayStyle::Outline;
    double m_opacity = 0.9;
    QFutureWatcher<Result> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

} // namespace medseg::ui
