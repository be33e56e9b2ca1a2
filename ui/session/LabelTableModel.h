#pragma once

#include "core/labels/LabelDescriptions.h"

#include <QAbstractTableModel>

namespace medseg::ui {

class LabelSession;

// The label table as the Labels dock shows it: one row per label (0 "Clear Label" included, as
// ITK-SNAP lists it), columns colour swatch + index, name (editable), opacity (editable, 0..100),
// visible and locked (check boxes). Edits go through the LabelSession, so they are undoable.
// The model keeps its own copy of the table and tells views exactly which rows changed, were
// inserted or removed: a reset would close the editor in use, move the selection to row 0 and
// with it the active label (a rename then made the brush erase).
class LabelTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        ColourColumn,
        NameColumn,
        OpacityColumn,
        VisibleColumn,
        LockedColumn,
        ColumnCount
    };
    // The label value of a row (Qt::UserRole on any column).
    static constexpr int LabelIndexRole = Qt::UserRole + 1;

    explicit LabelTableModel(LabelSession *session, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // The header texts follow a language switch (views resize their sections to them).
    void retranslate();

    int rowOfLabel(int labelIndex) const;
    int labelAtRow(int row) const;

private:
    void onTableChanged();
    void removeRowsNotIn(const core::LabelDescriptions &table);
    void insertRowsOf(const core::LabelDescriptions &table);
    void updateChangedRows(const core::LabelDescriptions &table);
    void allRowsChanged(const QList<int> &roles);

    LabelSession *m_session;
    core::LabelDescriptions m_table; // what the views were last told
};

} // namespace medseg::ui
