#include "ui/session/LabelTableModel.h"

#include "ui/session/LabelSession.h"

#include <QColor>
#include <QFont>

#include <cmath>

namespace medseg::ui {

LabelTableModel::LabelTableModel(LabelSession *session, QObject *parent)
    : QAbstractTableModel(parent)
    , m_session(session)
    , m_table(session->table())
{
    connect(session, &LabelSession::tableChanged, this, &LabelTableModel::onTableChanged);
    connect(session, &LabelSession::activeLabelChanged, this,
            [this] { allRowsChanged({Qt::FontRole}); });
}

void LabelTableModel::onTableChanged()
{
    // Both tables are sorted by label index, so removals, insertions and edits can be told
    // apart row by row, whether one row changed (an edit, add or remove) or many (an undo of
    // an import).
    const core::LabelDescriptions &table = m_session->table();
    removeRowsNotIn(table);
    insertRowsOf(table);
    updateChangedRows(table);
}

void LabelTableModel::removeRowsNotIn(const core::LabelDescriptions &table)
{
    for (int row = m_table.size() - 1; row >= 0; --row) {
        const int label = m_table.labels()[std::size_t(row)].index;
        if (table.find(label))
            continue;
        beginRemoveRows({}, row, row);
        m_table.remove(label);
        endRemoveRows();
    }
}

void LabelTableModel::insertRowsOf(const core::LabelDescriptions &table)
{
    for (const core::LabelDescription &label : table.labels()) {
        if (m_table.find(label.index))
            continue;
        int row = 0;
        while (row < m_table.size() && m_table.labels()[std::size_t(row)].index < label.index)
            ++row;
        beginInsertRows({}, row, row);
        m_table.set(label);
        endInsertRows();
    }
}

void LabelTableModel::updateChangedRows(const core::LabelDescriptions &table)
{
    for (int row = 0; row < m_table.size(); ++row) {
        const core::LabelDescription &now = table.labels()[std::size_t(row)];
        if (m_table.labels()[std::size_t(row)] == now)
            continue;
        m_table.set(now);
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

void LabelTableModel::retranslate()
{
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    allRowsChanged({Qt::ToolTipRole});
}

void LabelTableModel::allRowsChanged(const QList<int> &roles)
{
    if (m_table.size() > 0)
        Q_EMIT dataChanged(index(0, 0), index(m_table.size() - 1, ColumnCount - 1), roles);
}

int LabelTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_table.size();
}

int LabelTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int LabelTableModel::rowOfLabel(int labelIndex) const
{
    const auto &labels = m_table.labels();
    for (int row = 0; row < int(labels.size()); ++row)
        if (labels[std::size_t(row)].index == labelIndex)
            return row;
    return -1;
}

int LabelTableModel::labelAtRow(int row) const
{
    const auto &labels = m_table.labels();
    return row >= 0 && row < int(labels.size()) ? labels[std::size_t(row)].index : -1;
}

QVariant LabelTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &labels = m_table.labels();
    if (index.row() >= int(labels.size()))
        return {};
    const core::LabelDescription &label = labels[std::size_t(index.row())];
    if (role == LabelIndexRole)
        return label.index;
    if (role == Qt::FontRole && label.index == m_session->activeLabel()) {
        QFont font;
        font.setBold(true);
        return font;
    }
    switch (index.column()) {
    case ColourColumn:
        if (role == Qt::DecorationRole)
            return QColor(label.colour[0], label.colour[1], label.colour[2]);
        if (role == Qt::DisplayRole)
            return label.index;
        if (role == Qt::ToolTipRole)
            return tr("Label %1, colour %2")
                .arg(label.index)
                .arg(QColor(label.colour[0], label.colour[1], label.colour[2]).name());
        break;
    case NameColumn:
        if (role == Qt::DisplayRole || role == Qt::EditRole)
            return QString::fromStdString(label.name);
        break;
    case OpacityColumn:
        if (role == Qt::DisplayRole || role == Qt::EditRole)
            return int(std::lround(label.opacity * 100.0));
        break;
    case VisibleColumn:
        if (role == Qt::CheckStateRole)
            return label.visible ? Qt::Checked : Qt::Unchecked;
        if (role == Qt::ToolTipRole)
            return tr("Shown in the overlay");
        break;
    case LockedColumn:
        if (role == Qt::CheckStateRole)
            return label.locked ? Qt::Checked : Qt::Unchecked;
        if (role == Qt::ToolTipRole)
            return tr("Locked labels never change, whatever the tool");
        break;
    default:
        break;
    }
    return {};
}

bool LabelTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    const int label = labelAtRow(index.row());
    if (label < 0)
        return false;
    switch (index.column()) {
    case NameColumn:
        if (role != Qt::EditRole)
            return false;
        m_session->renameLabel(label, value.toString());
        return true;
    case OpacityColumn: {
        if (role != Qt::EditRole)
            return false;
        bool ok = false;
        const int percent = value.toInt(&ok);
        if (!ok)
            return false;
        m_session->setLabelOpacity(label, std::clamp(percent, 0, 100) / 100.0);
        return true;
    }
    case VisibleColumn:
        if (role != Qt::CheckStateRole)
            return false;
        m_session->setLabelVisible(label, value.toInt() == Qt::Checked);
        return true;
    case LockedColumn:
        if (role != Qt::CheckStateRole)
            return false;
        m_session->setLabelLocked(label, value.toInt() == Qt::Checked);
        return true;
    default:
        return false;
    }
}

Qt::ItemFlags LabelTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    switch (index.column()) {
    case NameColumn:
    case OpacityColumn:
        flags |= Qt::ItemIsEditable;
        break;
    case VisibleColumn:
    case LockedColumn:
        flags |= Qt::ItemIsUserCheckable;
        break;
    default:
        break;
    }
    return flags;
}

QVariant LabelTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ColourColumn:
        return tr("#");
    case NameColumn:
        return tr("Name");
    case OpacityColumn:
        return tr("Opacity");
    case VisibleColumn:
        return tr("Visible");
    case LockedColumn:
        return tr("Locked");
    default:
        return {};
    }
}

} // namespace medseg::ui
