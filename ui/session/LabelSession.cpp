#include "ui/session/LabelSession.h"

#include "core/labels/FloodFill.h"
#include "core/labels/IslandRemoval.h"
#include "core/labels/LabelEdit.h"
#include "core/labels/PolygonFill.h"
#include "core/labels/SliceInterpolation.h"
#include "ui/session/LabelEditCommand.h"
#include "ui/session/SeriesSession.h"

#include <QColor>
#include <QCoreApplication>
#include <QUndoCommand>
#include <QUndoStack>

#include <algorithm>
#include <cmath>

namespace medseg::ui {
namespace {

core::SliceAxis axisOf(SliceOrientation orientation)
{
    return static_cast<core::SliceAxis>(orientation);
}

// A distinct colour for a new label: the golden-angle hue walk, as Slicer's generic colours.
std::array<std::uint8_t, 3> colourForIndex(int index)
{
    const QColor colour = QColor::fromHsvF(std::fmod(index * 0.618033988749895, 1.0), 0.75, 0.95);
    return {std::uint8_t(colour.red()), std::uint8_t(colour.green()), std::uint8_t(colour.blue())};
}

} // namespace

bool LabelToolSettings::operator==(const LabelToolSettings &o) const
{
    return tool == o.tool && shape == o.shape && radius == o.radius &&
           radiusInMillimetres == o.radiusInMillimetres && threeD == o.threeD &&
           overMode == o.overMode && overLabel == o.overLabel &&
           thresholdEnabled == o.thresholdEnabled && thresholdLow == o.thresholdLow &&
           thresholdHigh == o.thresholdHigh;
}

// Before/after of the whole table: tables are a few hundred bytes, so no delta is needed.
class LabelTableCommand : public QUndoCommand
{
public:
    LabelTableCommand(LabelSession *session, core::LabelDescriptions before,
                      core::LabelDescriptions after, const QString &text)
        : m_session(session)
        , m_before(std::move(before))
        , m_after(std::move(after))
    {
        setText(text);
    }
    // A stroke in progress was checked against the old locks: it ends first.
    void redo() override
    {
        m_session->cancelStroke();
        m_session->applyTable(m_after);
    }
    void undo() override
    {
        m_session->cancelStroke();
        m_session->applyTable(m_before);
    }

private:
    LabelSession *m_session;
    core::LabelDescriptions m_before;
    core::LabelDescriptions m_after;
};

LabelSession::LabelSession(SeriesSession *series, QUndoStack *undoStack, QObject *parent)
    : QObject(parent)
    , m_series(series)
    , m_undoStack(undoStack)
    , m_ledger(std::make_shared<UndoMemoryLedger>())
    , m_table(core::LabelDescriptions::defaults())
{
    rebuildLut();
    connect(m_series, &SeriesSession::volumeChanged, this, &LabelSession::onVolumeChanged);
    onVolumeChanged();
}

LabelSession::~LabelSession()
{
    cancelStroke();
}

QString LabelSession::seriesKey(const SeriesSession &series)
{
    if (!series.hasVolume())
        return {};
    for (const auto &slice : series.layout().slices) {
        if (!slice.path.empty())
            return QString::fromStdString(slice.path);
    }
    const auto volume = series.volume();
    return QStringLiteral("memory:%1:%2x%3x%4")
        .arg(series.title())
        .arg(volume->width())
        .arg(volume->height())
        .arg(volume->depth());
}

void LabelSession::onVolumeChanged()
{
    cancelStroke();
    const QString key = !m_series->hasVolume() ? QString()
                        : m_resolver           ? m_resolver(*m_series)
                                               : seriesKey(*m_series);
    m_currentKey = key;
    if (key.isEmpty()) {
        m_map.reset();
        Q_EMIT labelMapReset();
        return;
    }
    const auto volume = m_series->volume();
    auto it = m_maps.find(key);
    if (it == m_maps.end() || !it->map || it->map->width() != volume->width() ||
        it->map->height() != volume->height() || it->map->depth() != volume->depth()) {
        // A map of another size under this key (files changed on disk) is not reusable.
        std::shared_ptr<core::LabelMap> map = m_loader ? m_loader(key, *volume) : nullptr;
        if (!map || map->width() != volume->width() || map->height() != volume->height() ||
            map->depth() != volume->depth())
            map = std::make_shared<core::LabelMap>(*volume);
        it = m_maps.insert(key, SeriesLabels{std::move(map), m_series->title()});
    }
    it->map->setGeometry(volume->geometry());
    if (it->title.isEmpty())
        it->title = m_series->title();
    const bool widthChanged = m_lut.isWide() != it->map->isWide();
    m_map = it->map;
    if (widthChanged)
        rebuildLut();
    Q_EMIT labelMapReset();
}

void LabelSession::setAllLabels(QHash<QString, SeriesLabels> labels)
{
    cancelStroke();
    m_maps = std::move(labels);
    m_map.reset();
    onVolumeChanged();
}

void LabelSession::setTable(const core::LabelDescriptions &table)
{
    applyTable(table);
}

void LabelSession::applyTable(const core::LabelDescriptions &table)
{
    m_table = table;
    rebuildLut();
    Q_EMIT tableChanged();
    if (!m_table.find(m_activeLabel)) {
        int next = 0;
        for (const auto &label : m_table.labels())
            if (label.index > 0) {
                next = label.index;
                break;
            }
        setActiveLabel(next);
    }
    Q_EMIT overlayChanged();
}

void LabelSession::rebuildLut()
{
    m_lut = LabelColourLut(m_table, m_overlay.opacity, m_map && m_map->isWide());
}

void LabelSession::setActiveLabel(int index)
{
    if (index == m_activeLabel || index < 0 || index > core::MaxLabelValue)
        return;
    m_activeLabel = index;
    Q_EMIT activeLabelChanged(index);
}

void LabelSession::cycleActiveLabel(int step)
{
    std::vector<int> indices;
    for (const auto &label : m_table.labels())
        if (label.index > 0)
            indices.push_back(label.index);
    if (indices.empty())
        return;
    const auto it = std::find(indices.begin(), indices.end(), m_activeLabel);
    const int n = int(indices.size());
    int position = it == indices.end() ? 0 : int(it - indices.begin());
    position = ((position + step) % n + n) % n;
    setActiveLabel(indices[std::size_t(position)]);
}

QString LabelSession::labelName(int index) const
{
    const core::LabelDescription *label = m_table.find(index);
    return label ? QString::fromStdString(label->name) : QString::number(index);
}

void LabelSession::pushTableEdit(const std::function<void(core::LabelDescription &)> &edit,
                                 int index, const QString &text)
{
    core::LabelDescriptions after = m_table;
    core::LabelDescription *label = after.find(index);
    if (!label)
        return;
    edit(*label);
    if (after == m_table)
        return;
    m_undoStack->push(new LabelTableCommand(this, m_table, after, text));
}

void LabelSession::renameLabel(int index, const QString &name)
{
    pushTableEdit([&](core::LabelDescription &l) { l.name = name.toStdString(); }, index,
                  tr("Rename label %1").arg(index));
}

void LabelSession::setLabelColour(int index, const std::array<std::uint8_t, 3> &colour)
{
    pushTableEdit([&](core::LabelDescription &l) { l.colour = colour; }, index,
                  tr("Change colour of %1").arg(labelName(index)));
}

void LabelSession::setLabelOpacity(int index, double opacity)
{
    pushTableEdit([&](core::LabelDescription &l) { l.opacity = std::clamp(opacity, 0.0, 1.0); },
                  index, tr("Change opacity of %1").arg(labelName(index)));
}

void LabelSession::setLabelVisible(int index, bool visible)
{
    pushTableEdit([&](core::LabelDescription &l) { l.visible = visible; }, index,
                  visible ? tr("Show %1").arg(labelName(index))
                          : tr("Hide %1").arg(labelName(index)));
}

void LabelSession::setLabelLocked(int index, bool locked)
{
    pushTableEdit([&](core::LabelDescription &l) { l.locked = locked; }, index,
                  locked ? tr("Lock %1").arg(labelName(index))
                         : tr("Unlock %1").arg(labelName(index)));
}

int LabelSession::addLabel()
{
    const int index = std::max(1, m_table.maxIndex() + 1);
    if (index > core::MaxLabelValue)
        return -1;
    core::LabelDescriptions after = m_table;
    core::LabelDescription label;
    label.index = index;
    label.name = tr("Label %1").arg(index).toStdString();
    label.colour = colourForIndex(index);
    after.set(label);
    m_undoStack->push(new LabelTableCommand(this, m_table, after, tr("Add label %1").arg(index)));
    setActiveLabel(index);
    return index;
}

bool LabelSession::removeLabel(int index)
{
    if (index <= 0 || !m_table.find(index))
        return false;
    core::LabelDescriptions after = m_table;
    after.remove(index);
    m_undoStack->push(
        new LabelTableCommand(this, m_table, after, tr("Remove label %1").arg(labelName(index))));
    return true;
}

void LabelSession::replaceTable(const core::LabelDescriptions &table, const QString &text)
{
    if (table == m_table)
        return;
    m_undoStack->push(new LabelTableCommand(this, m_table, table, text));
}

void LabelSession::setToolSettings(const LabelToolSettings &settings)
{
    if (settings == m_tools)
        return;
    if (isStroking())
        endStroke();
    m_tools = settings;
    m_tools.radius = std::clamp(m_tools.radius, 0.0, 500.0);
    Q_EMIT toolSettingsChanged();
}

void LabelSession::setTool(LabelTool tool)
{
    LabelToolSettings settings = m_tools;
    settings.tool = tool;
    setToolSettings(settings);
}

void LabelSession::setBrushRadius(double radius)
{
    LabelToolSettings settings = m_tools;
    settings.radius = radius;
    setToolSettings(settings);
}

core::LabelPolicy LabelSession::currentPolicy(bool erase) const
{
    core::LabelPolicy policy;
    policy.drawLabel = erase ? 0 : core::LabelValue(std::clamp(m_activeLabel, 0, 65535));
    policy.overMode = m_tools.overMode;
    policy.overLabel = core::LabelValue(std::clamp(m_tools.overLabel, 0, 65535));
    policy.lockedLabels = m_table.lockedLabels();
    if (m_tools.thresholdEnabled)
        policy.threshold =
            core::IntensityRange{float(std::min(m_tools.thresholdLow, m_tools.thresholdHigh)),
                                 float(std::max(m_tools.thresholdLow, m_tools.thresholdHigh))};
    return policy;
}

void LabelSession::setOverlaySettings(const LabelOverlaySettings &settings)
{
    m_overlay = settings;
    m_overlay.opacity = std::clamp(m_overlay.opacity, 0.0, 1.0);
    rebuildLut();
    Q_EMIT overlayChanged();
}

void LabelSession::setOverlayVisible(bool visible)
{
    LabelOverlaySettings settings = m_overlay;
    settings.visible = visible;
    setOverlaySettings(settings);
}

QImage LabelSession::renderOverlay(SliceOrientation orientation, int fixedIndex) const
{
    if (!m_map)
        return {};
    if (m_lut.isWide() != m_map->isWide())
        return renderLabelOverlay(*m_map, orientation, fixedIndex,
                                  LabelColourLut(m_table, m_overlay.opacity, m_map->isWide()),
                                  m_overlay.style);
    return renderLabelOverlay(*m_map, orientation, fixedIndex, m_lut, m_overlay.style);
}

const core::Volume *LabelSession::thresholdImage() const
{
    const auto volume = m_series->volume();
    if (!volume || !m_map || volume->components() != 1 || volume->width() != m_map->width() ||
        volume->height() != m_map->height() || volume->depth() != m_map->depth())
        return nullptr;
    return volume.get();
}

std::array<double, 3> LabelSession::brushExtentVoxels() const
{
    std::array<double, 3> extent{m_tools.radius, m_tools.radius, m_tools.radius};
    if (m_tools.radiusInMillimetres && m_map) {
        const auto &spacing = m_map->geometry().spacing;
        for (std::size_t a = 0; a < 3; ++a)
            extent[a] = spacing[a] > 0.0 ? m_tools.radius / spacing[a] : m_tools.radius;
    }
    return extent;
}

bool LabelSession::beginStroke(SliceOrientation orientation, const core::Vec3 &voxel)
{
    if (isStroking())
        endStroke();
    if (!m_map || (m_tools.tool != LabelTool::Brush && m_tools.tool != LabelTool::Eraser))
        return false;
    m_strokeImage = m_series->volume();
    m_edit = std::make_unique<core::LabelEdit>(
        *m_map, currentPolicy(m_tools.tool == LabelTool::Eraser), thresholdImage());
    core::BrushSettings brush;
    brush.shape = m_tools.shape;
    brush.radius = m_tools.radius;
    brush.radiusInMillimetres = m_tools.radiusInMillimetres;
    brush.threeD = m_tools.threeD;
    brush.axis = axisOf(orientation);
    m_brush = std::make_unique<core::PaintBrush>(brush, m_map->geometry());
    m_brushExtent = {0, 0, 0};
    for (const auto &offset : m_brush->footprint())
        for (std::size_t a = 0; a < 3; ++a)
            m_brushExtent[a] = std::max(m_brushExtent[a], std::abs(offset[a]));
    m_lastPoint = voxel;
    m_brush->dab(*m_edit, voxel);
    core::VoxelBox box;
    for (std::size_t a = 0; a < 3; ++a) {
        box.min[a] = int(std::lround(voxel[a])) - m_brushExtent[a];
        box.max[a] = int(std::lround(voxel[a])) + m_brushExtent[a];
    }
    Q_EMIT labelsChanged(box);
    return true;
}

void LabelSession::continueStroke(const core::Vec3 &voxel)
{
    if (!m_edit)
        return;
    m_brush->stroke(*m_edit, m_lastPoint, voxel);
    core::VoxelBox box;
    for (std::size_t a = 0; a < 3; ++a) {
        box.min[a] = int(std::lround(std::min(voxel[a], m_lastPoint[a]))) - m_brushExtent[a];
        box.max[a] = int(std::lround(std::max(voxel[a], m_lastPoint[a]))) + m_brushExtent[a];
    }
    m_lastPoint = voxel;
    Q_EMIT labelsChanged(box);
}

void LabelSession::endStroke()
{
    if (!m_edit)
        return;
    core::LabelDelta delta = m_edit->finish();
    const bool erase = m_tools.tool == LabelTool::Eraser;
    m_edit.reset();
    m_brush.reset();
    m_strokeImage.reset();
    if (!delta.isEmpty())
        pushDelta(std::move(delta),
                  erase ? tr("Erase") : tr("Paint %1").arg(labelName(m_activeLabel)));
}

void LabelSession::cancelStroke()
{
    if (!m_edit)
        return;
    m_edit->cancel();
    m_edit.reset();
    m_brush.reset();
    m_strokeImage.reset();
    if (m_map) {
        core::VoxelBox all;
        all.min = {0, 0, 0};
        all.max = {m_map->width() - 1, m_map->height() - 1, m_map->depth() - 1};
        Q_EMIT labelsChanged(all);
    }
}

void LabelSession::pushDelta(core::LabelDelta delta, const QString &text)
{
    const core::VoxelBox box = delta.changedBox();
    auto *command =
        new LabelEditCommand(m_map, std::move(delta), text, m_ledger,
                             [this](const core::LabelMap *map, const core::VoxelBox &changed) {
                                 onMapChanged(map, changed);
                             });
    command->setAboutToChange([this] { cancelStroke(); });
    m_undoStack->push(command);
    m_ledger->enforceLimit();
    Q_EMIT labelsChanged(box);
}

void LabelSession::onMapChanged(const core::LabelMap *map, const core::VoxelBox &box)
{
    if (map == m_map.get()) {
        if (m_lut.isWide() != m_map->isWide())
            rebuildLut();
        Q_EMIT labelsChanged(box);
    }
}

std::size_t LabelSession::runEdit(const core::LabelPolicy &policy, const QString &text,
                                  const std::function<std::size_t(core::LabelEdit &)> &action)
{
    if (!m_map)
        return 0;
    if (isStroking())
        endStroke();
    const auto image = m_series->volume(); // keeps the volume alive during the edit
    core::LabelEdit edit(*m_map, policy, thresholdImage());
    const std::size_t changed = action(edit);
    core::LabelDelta delta = edit.finish();
    if (!delta.isEmpty()) {
        if (m_lut.isWide() != m_map->isWide())
            rebuildLut();
        pushDelta(std::move(delta), text);
    }
    return changed;
}

std::size_t LabelSession::fillPolygon(SliceOrientation orientation, int fixedIndex,
                                      const std::vector<core::Vec3> &vertices, bool lasso)
{
    if (vertices.size() < 3)
        return 0;
    const auto axis = axisOf(orientation);
    const std::array<int, 2> uv = core::planeAxes(axis);
    std::vector<core::PolygonFill::Point> polygon;
    polygon.reserve(vertices.size());
    for (const core::Vec3 &v : vertices)
        polygon.push_back({v[std::size_t(uv[0])], v[std::size_t(uv[1])]});
    return runEdit(currentPolicy(),
                   lasso ? tr("Lasso fill %1").arg(labelName(m_activeLabel))
                         : tr("Polygon fill %1").arg(labelName(m_activeLabel)),
                   [&](core::LabelEdit &edit) {
                       return core::PolygonFill::fill(edit, axis, fixedIndex, polygon,
                                                      lasso ? core::FillRule::NonZero
                                                            : core::FillRule::EvenOdd);
                   });
}

std::size_t LabelSession::floodFill(SliceOrientation orientation, const std::array<int, 3> &seed)
{
    core::FloodFillOptions options;
    options.axis = axisOf(orientation);
    options.connectivity = m_tools.threeD ? 6 : 4;
    if (m_tools.thresholdEnabled)
        options.intensityRange = currentPolicy().threshold;
    return runEdit(currentPolicy(), tr("Flood fill %1").arg(labelName(m_activeLabel)),
                   [&](core::LabelEdit &edit) {
                       return core::FloodFill::fill(edit, seed[0], seed[1], seed[2], options);
                   });
}

std::size_t LabelSession::interpolateSlices(SliceOrientation orientation)
{
    core::LabelPolicy policy = currentPolicy();
    // Fill between slices adds the label where nothing is yet: other labels are kept.
    policy.overMode = core::PaintOverMode::BackgroundOnly;
    policy.threshold.reset();
    const auto label = core::LabelValue(std::max(0, m_activeLabel));
    return runEdit(policy, tr("Fill between slices (%1)").arg(labelName(m_activeLabel)),
                   [&](core::LabelEdit &edit) {
                       return core::SliceInterpolation::interpolate(edit, axisOf(orientation),
                                                                    label);
                   });
}

std::size_t LabelSession::removeIslands(std::size_t minVoxels)
{
    const auto label = core::LabelValue(std::max(0, m_activeLabel));
    return runEdit(
        currentPolicy(),
        tr("Remove islands under %1 voxels (%2)").arg(minVoxels).arg(labelName(m_activeLabel)),
        [&](core::LabelEdit &edit) {
            return core::IslandRemoval::removeSmall(edit, label, minVoxels);
        });
}

std::size_t LabelSession::keepLargestComponent()
{
    const auto label = core::LabelValue(std::max(0, m_activeLabel));
    return runEdit(
        currentPolicy(), tr("Keep largest component (%1)").arg(labelName(m_activeLabel)),
        [&](core::LabelEdit &edit) { return core::IslandRemoval::keepLargest(edit, label); });
}

std::size_t LabelSession::replaceAllLabels(const std::vector<std::uint16_t> &values,
                                           const QString &text)
{
    if (!m_map || values.size() != m_map->voxelCount())
        return 0;
    // Locks hold here too; paint-over and threshold do not apply to an imported volume.
    core::LabelPolicy policy;
    policy.lockedLabels = m_table.lockedLabels();
    return runEdit(policy, text, [&](core::LabelEdit &edit) {
        std::size_t changed = 0;
        std::size_t n = 0;
        for (int k = 0; k < m_map->depth(); ++k)
            for (int j = 0; j < m_map->height(); ++j)
                for (int i = 0; i < m_map->width(); ++i, ++n)
                    changed += edit.assign(i, j, k, values[n]) ? 1 : 0;
        return changed;
    });
}

std::size_t
LabelSession::acceptPrediction(const std::vector<std::pair<int, const std::uint8_t *>> &slices,
                               AcceptMode mode)
{
    if (!m_map || slices.empty())
        return 0;
    core::LabelPolicy policy;
    policy.lockedLabels = m_table.lockedLabels();
    const QString text = slices.size() == 1
                             ? tr("Accept prediction on slice %1").arg(slices.front().first + 1)
                             : tr("Accept prediction on %n slice(s)", nullptr, int(slices.size()));
    return runEdit(policy, text, [&](core::LabelEdit &edit) {
        std::size_t changed = 0;
        for (const auto &[k, labels] : slices) {
            if (k < 0 || k >= m_map->depth() || !labels)
                continue;
            std::size_t n = 0;
            for (int j = 0; j < m_map->height(); ++j) {
                for (int i = 0; i < m_map->width(); ++i, ++n) {
                    if (mode == AcceptMode::FillUnlabeled && m_map->value(i, j, k) != 0)
                        continue;
                    changed += edit.assign(i, j, k, labels[n]) ? 1 : 0;
                }
            }
        }
        return changed;
    });
}

} // namespace medseg::ui
