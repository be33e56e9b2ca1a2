#include "ui/widgets/LabelStatisticsModel.h"

#include <QColor>

namespace medseg::ui {

LabelStatisticsModel::LabelStatisticsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void LabelStatisticsModel::setStatistics(std::vector<core::LabelMeasurement> statistics,
                                         const QVector<SurfaceLabel> &table)
{
    beginResetModel();
    m_statistics = std::move(statistics);
    m_table = table;
    endResetModel();
}

QString LabelStatisticsModel::nameOf(int label) const
{
    for (const SurfaceLabel &entry : m_table)
        if (entry.index == label)
            return entry.name;
    return {};
}

int LabelStatisticsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_statistics.size());
}

int LabelStatisticsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LabelStatisticsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const core::LabelMeasurement &m = m_statistics[std::size_t(index.row())];
    if (role == Qt::DecorationRole && index.column() == NameColumn) {
        for (const SurfaceLabel &entry : m_table)
            if (entry.index == m.label && entry.colour.isValid())
                return entry.colour;
        return {};
    }
    if (role == Qt::TextAlignmentRole && index.column() != NameColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    const bool display = role == Qt::DisplayRole;
    // Qt::UserRole gives the unrounded number, for sorting and tests.
    if (!display && role != Qt::UserRole)
        return {};
    switch (Column(index.column())) {
    case LabelColumn:
        return m.label;
    case NameColumn:
        return nameOf(m.label);
    case VoxelsColumn:
        return qint64(m.voxelCount);
    case VolumeColumn:
        return display ? QVariant(QString::number(m.volumeMl, 'f', 3)) : QVariant(m.volumeMl);
    case SurfaceColumn:
        if (m.surfaceAreaMm2 < 0.0)
            return {};
        return display ? QVariant(QString::number(m.surfaceAreaMm2, 'f', 1))
                       : QVariant(m.surfaceAreaMm2);
    case MeanColumn:
        if (!m.hasImage)
            return {};
        return display ? QVariant(QString::number(m.mean, 'f', 1)) : QVariant(m.mean);
    case StdColumn:
        if (!m.hasImage)
            return {};
        return display ? QVariant(QString::number(m.standardDeviation, 'f', 1))
                       : QVariant(m.standardDeviation);
    case SizeColumn:
        return QStringLiteral("%1 × %2 × %3")
            .arg(m.patientMax[0] - m.patientMin[0], 0, 'f', 1)
            .arg(m.patientMax[1] - m.patientMin[1], 0, 'f', 1)
            .arg(m.patientMax[2] - m.patientMin[2], 0, 'f', 1);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant LabelStatisticsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case LabelColumn:
        return tr("Label");
    case NameColumn:
        return tr("Name");
    case VoxelsColumn:
        return tr("Voxels");
    case VolumeColumn:
        return tr("Volume (mL)");
    case SurfaceColumn:
        return tr("Surface (mm²)");
    case MeanColumn:
        return tr("Mean");
    case StdColumn:
        return tr("SD");
    case SizeColumn:
        return tr("Size (mm)");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace medseg::ui
