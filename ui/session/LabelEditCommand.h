#pragma once

#include "core/labels/LabelDelta.h"
#include "core/labels/LabelMap.h"

#include <QString>
#include <QUndoCommand>

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>

namespace medseg::ui {

class LabelEditCommand;

// What the label commands on one undo stack hold, oldest first, and their total size.
// QUndoStack can only cap by count (setUndoLimit, and only while empty), so the memory cap is
// ours: after each push the oldest commands give up their deltas until the total fits. An
// expired command stays on the stack as a no-op: it is always part of the oldest run, so undoing
// into it leaves the labels as they were after it, never inconsistent; the labels simply cannot
// go back further (ITK-SNAP drops its oldest deltas the same way).
class UndoMemoryLedger
{
public:
    explicit UndoMemoryLedger(std::size_t limitBytes = DefaultLimitBytes)
        : m_limit(limitBytes)
    {}
    static constexpr std::size_t DefaultLimitBytes = std::size_t(256) << 20;

    std::size_t limitBytes() const { return m_limit; }
    void setLimitBytes(std::size_t bytes);
    // Sum of the deltas still held by live commands (including those above the stack's
    // index, which can be redone).
    std::size_t totalBytes() const { return m_total; }
    int liveCommandCount() const { return int(m_commands.size()); }

    void add(LabelEditCommand *command);
    void remove(LabelEditCommand *command);
    // Expires the oldest commands until the total is within the limit (the newest command is
    // always kept). Returns how many expired.
    int enforceLimit();

private:
    std::size_t m_limit;
    std::size_t m_total = 0;
    std::deque<LabelEditCommand *> m_commands;
};

// One undo step on a label map: a stroke, a fill, an interpolation, an island clean-up. Holds
// the sparse before/after tiles (core::LabelDelta), so it costs what was touched, never the
// volume. The map is shared with the LabelSession, so the command stays valid when another
// series is shown meanwhile. `changed` is called after undo/redo with the changed voxel box.
class LabelEditCommand : public QUndoCommand
{
public:
    using ChangedCallback = std::function<void(const core::LabelMap *, const core::VoxelBox &)>;

    LabelEditCommand(std::shared_ptr<core::LabelMap> map, core::LabelDelta delta,
                     const QString &text, std::shared_ptr<UndoMemoryLedger> ledger,
                     ChangedCallback changed);
    ~LabelEditCommand() override;

    // The first redo() (from QUndoStack::push) does nothing: the edit already changed the map
    // live while the user painted.
    void redo() override;
    void undo() override;

    // Called before undo/redo touch the map: the session cancels a stroke in progress, whose
    // snapshots would otherwise be older than the map (Ctrl+Z pressed while dragging).
    void setAboutToChange(std::function<void()> hook) { m_aboutToChange = std::move(hook); }

    std::size_t memoryBytes() const { return m_bytes; }
    const core::LabelDelta &delta() const { return m_delta; }

private:
    friend class UndoMemoryLedger;
    void expire();

    std::shared_ptr<core::LabelMap> m_map;
    core::LabelDelta m_delta;
    std::shared_ptr<UndoMemoryLedger> m_ledger;
    ChangedCallback m_changed;
    std::function<void()> m_aboutToChange;
    std::size_t m_bytes = 0;
    bool m_firstRedo = true;
    bool m_expired = false;
};

} // namespace medseg::ui
