#pragma once

#include "core/image/ImageGeometry.h"
#include "core/labels/LabelDelta.h"
#include "core/labels/LabelDescriptions.h"
#include "core/labels/LabelMap.h"
#include "core/labels/LabelPolicy.h"
#include "core/labels/PaintBrush.h"
#include "ui/session/LabelOverlay.h"
#include "ui/session/SliceRendering.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <array>
#include <functional>
#include <memory>
#include <vector>

class QUndoStack;

namespace medseg::core {
class LabelEdit;
class Volume;
} // namespace medseg::core

namespace medseg::ui {

class SeriesSession;
class UndoMemoryLedger;

// What the left mouse button does in the slice views (ITK-SNAP's tool bar).
enum class LabelTool { Navigate, Brush, Eraser, Polygon, Lasso, FloodFill };

struct LabelToolSettings
{
    LabelTool tool = LabelTool::Navigate;
    core::BrushShape shape = core::BrushShape::Round;
    double radius = 3.0; // voxels or mm (radiusInMillimetres); 0 = one voxel
    bool radiusInMillimetres = false;
    bool threeD = false;
    core::PaintOverMode overMode = core::PaintOverMode::AllLabels;
    int overLabel = 0;
    bool thresholdEnabled = false;
    double thresholdLow = -100.0;
    double thresholdHigh = 300.0;

    bool operator==(const LabelToolSettings &o) const;
    bool operator!=(const LabelToolSettings &o) const { return !(*this == o); }
};

struct LabelOverlaySettings
{
    bool visible = true;
    OverlayStyle style = OverlayStyle::Fill;
    double opacity = 0.5; // multiplies each label's own opacity
};

// The labels of the series on screen and how the user edits them: one core::LabelMap per
// series (created on the volume's grid when the series is first shown, kept when another series
// is shown so that going back finds the work), the project's label table, the active label and
// the tool settings. Views call the stroke API; every change reaches the map through a
// core::LabelEdit and lands on the document's undo stack as one LabelEditCommand.
class LabelSession : public QObject
{
    Q_OBJECT

public:
    LabelSession(SeriesSession *series, QUndoStack *undoStack, QObject *parent = nullptr);
    ~LabelSession() override;

    SeriesSession *series() const { return m_series; }
    QUndoStack *undoStack() const { return m_undoStack; }

    // The map of the series on screen (null when none is shown).
    bool hasLabels() const { return m_map != nullptr; }
    const core::LabelMap *labelMap() const { return m_map.get(); }
    std::shared_ptr<core::LabelMap> sharedLabelMap() const { return m_map; }
    // The key of the shown series (its first file, or its title and size for in-memory volumes).
    QString currentSeriesKey() const { return m_currentKey; }
    static QString seriesKey(const SeriesSession &series);
    // How the document names series (their Series Instance UID when the DICOM browser knows
    // them); seriesKey() without one.
    using SeriesKeyResolver = std::function<QString(const SeriesSession &)>;
    void setSeriesKeyResolver(SeriesKeyResolver resolver) { m_resolver = std::move(resolver); }
    // Asked for the saved labels of a series shown for the first time (opening a project);
    // null means none: an empty map is made.
    using LabelLoader =
        std::function<std::shared_ptr<core::LabelMap>(const QString &key, const core::Volume &)>;
    void setLabelLoader(LabelLoader loader) { m_loader = std::move(loader); }

    // Every map this session holds, by series key, with the series' title (for saving).
    struct SeriesLabels
    {
        std::shared_ptr<core::LabelMap> map;
        QString title;
    };
    const QHash<QString, SeriesLabels> &allLabels() const { return m_maps; }
    // Replaces every map (opening a project): each is used when its series is shown, provided
    // its size matches the volume. Unrecorded.
    void setAllLabels(QHash<QString, SeriesLabels> labels);

    // The label table (one per project, as ITK-SNAP's label description file).
    const core::LabelDescriptions &table() const { return m_table; }
    // Unrecorded (loading). Table edits by the user go through the undoable functions below.
    void setTable(const core::LabelDescriptions &table);
    int activeLabel() const { return m_activeLabel; }
    void setActiveLabel(int index);
    // Next/previous label of the table (skipping 0), wrapping around.
    void cycleActiveLabel(int step);

    // Undoable table edits.
    void renameLabel(int index, const QString &name);
    void setLabelColour(int index, const std::array<std::uint8_t, 3> &colour);
    void setLabelOpacity(int index, double opacity);
    void setLabelVisible(int index, bool visible);
    void setLabelLocked(int index, bool locked);
    // Adds the next free index with a distinct colour; returns it (-1 at 65535).
    int addLabel();
    bool removeLabel(int index);
    // One undoable replacement of the whole table (import of a label description file).
    void replaceTable(const core::LabelDescriptions &table, const QString &text);

    const LabelToolSettings &toolSettings() const { return m_tools; }
    void setToolSettings(const LabelToolSettings &settings);
    void setTool(LabelTool tool);
    void setBrushRadius(double radius);
    // The policy writes follow now: draw label, paint-over, locks, threshold.
    core::LabelPolicy currentPolicy(bool erase = false) const;

    const LabelOverlaySettings &overlaySettings() const { return m_overlay; }
    void setOverlaySettings(const LabelOverlaySettings &settings);
    void setOverlayVisible(bool visible);
    // The colour table views draw with (rebuilt when the table or overlay changes).
    const LabelColourLut &colourLut() const { return m_lut; }
    QImage renderOverlay(SliceOrientation orientation, int fixedIndex) const;

    // Brush and eraser (by the tool setting): a stroke is begun on a plane, continued with each
    // mouse position (continuous voxel coordinates, centres at integers) and ended on release,
    // giving ONE undo command. Returns false when there is nothing to paint on.
    bool beginStroke(SliceOrientation orientation, const core::Vec3 &voxel);
    void continueStroke(const core::Vec3 &voxel);
    void endStroke();
    void cancelStroke();
    bool isStroking() const { return m_edit != nullptr; }
    // Per-axis half-size in voxels of the brush's footprint (for the outline under the mouse).
    std::array<double, 3> brushExtentVoxels() const;

    // Tool actions, each one undo command; return the voxels changed. Polygon vertices are
    // continuous voxel coordinates on the plane through `fixedIndex`.
    std::size_t fillPolygon(SliceOrientation orientation, int fixedIndex,
                            const std::vector<core::Vec3> &vertices, bool lasso = false);
    std::size_t floodFill(SliceOrientation orientation, const std::array<int, 3> &seed);
    // Fill between slices for the active label along the plane's axis (other labels kept).
    std::size_t interpolateSlices(SliceOrientation orientation);
    std::size_t removeIslands(std::size_t minVoxels);
    std::size_t keepLargestComponent();
    // Replaces every voxel (importing a label volume), one undo command. `values` must hold the
    // map's voxel count.
    std::size_t replaceAllLabels(const std::vector<std::uint16_t> &values, const QString &text);
    // Copies a model's prediction of axial slices into the labels as one undo command.
    // `slices` maps an axial slice index to its class indexes (width x height, row-major; class
    // k becomes label k). FillUnlabeled writes only voxels that are 0; Replace overwrites every
    // voxel that is not locked.
    enum class AcceptMode { FillUnlabeled, Replace };
    std::size_t acceptPrediction(const std::vector<std::pair<int, const std::uint8_t *>> &slices,
                                 AcceptMode mode);

    UndoMemoryLedger &undoMemory() const { return *m_ledger; }

Q_SIGNALS:
    // Voxels in `box` changed (repaint the slices that cross it).
    void labelsChanged(const medseg::core::VoxelBox &box);
    // A different map is shown (another series, or a project was opened).
    void labelMapReset();
    void tableChanged();
    void activeLabelChanged(int index);
    void toolSettingsChanged();
    void overlayChanged();

private:
    friend class LabelTableCommand;
    void onVolumeChanged();
    void applyTable(const core::LabelDescriptions &table);
    void rebuildLut();
    void pushTableEdit(const std::function<void(core::LabelDescription &)> &edit, int index,
                       const QString &text);
    // Runs `action` inside one LabelEdit and pushes the result as one command.
    std::size_t runEdit(const core::LabelPolicy &policy, const QString &text,
                        const std::function<std::size_t(core::LabelEdit &)> &action);
    void pushDelta(core::LabelDelta delta, const QString &text);
    void onMapChanged(const core::LabelMap *map, const core::VoxelBox &box);
    const core::Volume *thresholdImage() const;
    QString labelName(int index) const;

    SeriesSession *m_series;
    QUndoStack *m_undoStack;
    SeriesKeyResolver m_resolver;
    LabelLoader m_loader;
    std::shared_ptr<UndoMemoryLedger> m_ledger;
    QHash<QString, SeriesLabels> m_maps;
    std::shared_ptr<core::LabelMap> m_map;
    QString m_currentKey;
    core::LabelDescriptions m_table;
    int m_activeLabel = 1;
    LabelToolSettings m_tools;
    LabelOverlaySettings m_overlay;
    LabelColourLut m_lut;

    // The stroke in progress.
    std::unique_ptr<core::LabelEdit> m_edit;
    std::unique_ptr<core::PaintBrush> m_brush;
    std::shared_ptr<const core::Volume> m_strokeImage;
    core::Vec3 m_lastPoint{0.0, 0.0, 0.0};
    std::array<int, 3> m_brushExtent{0, 0, 0};
};

} // namespace medseg::ui
