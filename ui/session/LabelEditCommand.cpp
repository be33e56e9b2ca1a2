#include "ui/session/LabelEditCommand.h"

#include <algorithm>

namespace medseg::ui {

void UndoMemoryLedger::setLimitBytes(std::size_t bytes)
{
    m_limit = bytes;
    enforceLimit();
}

void UndoMemoryLedger::add(LabelEditCommand *command)
{
    m_commands.push_back(command);
    m_total += command->memoryBytes();
}

void UndoMemoryLedger::remove(LabelEditCommand *command)
{
    const auto it = std::find(m_commands.begin(), m_commands.end(), command);
    if (it == m_commands.end())
        return;
    m_total -= command->memoryBytes();
    m_commands.erase(it);
}

int UndoMemoryLedger::enforceLimit()
{
    int expired = 0;
    while (m_total > m_limit && m_commands.size() > 1) {
        LabelEditCommand *oldest = m_commands.front();
        m_commands.pop_front();
        m_total -= oldest->memoryBytes();
        oldest->expire();
        ++expired;
    }
    return expired;
}

LabelEditCommand::LabelEditCommand(std::shared_ptr<core::LabelMap> map, core::LabelDelta delta,
                                   const QString &text, std::shared_ptr<UndoMemoryLedger> ledger,
                                   ChangedCallback changed)
    : m_map(std::move(map))
    , m_delta(std::move(delta))
    , m_ledger(std::move(ledger))
    , m_changed(std::move(changed))
{
    setText(text);
    m_bytes = m_delta.memoryBytes() + sizeof(*this);
    if (m_ledger)
        m_ledger->add(this);
}

LabelEditCommand::~LabelEditCommand()
{
    if (m_ledger && !m_expired)
        m_ledger->remove(this);
}

void LabelEditCommand::expire()
{
    m_expired = true;
    m_delta = core::LabelDelta();
    m_bytes = 0;
}

void LabelEditCommand::redo()
{
    if (m_firstRedo) {
        m_firstRedo = false;
        return;
    }
    if (m_expired || !m_map)
        return;
    if (m_aboutToChange)
        m_aboutToChange();
    m_delta.redo(*m_map);
    if (m_changed)
        m_changed(m_map.get(), m_delta.changedBox());
}

void LabelEditCommand::undo()
{
    if (m_expired || !m_map)
        return;
    if (m_aboutToChange)
        m_aboutToChange();
    m_delta.undo(*m_map);
    if (m_changed)
        m_changed(m_map.get(), m_delta.changedBox());
}

} // namespace medseg::ui
