#pragma once

#include "core/mesh/LabelStatistics.h"
#include "ui/widgets/SurfaceView.h"

#include <QAbstractTableModel>
#include <QVector>

#include <vector>

namespace medseg::ui {

// Per-label statistics as a table: label, name (with its colour), voxels, volume in mL,
// surface in mm^2, mean and standard deviation of the image, and the box size in mm.
class LabelStatisticsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        LabelColumn,
        NameColumn,
        VoxelsColumn,
        VolumeColumn,
        SurfaceColumn,
        MeanColumn,
        StdColumn,
        SizeColumn,
        ColumnCount
    };

    explicit LabelStatisticsModel(QObject *parent = nullptr);

    void setStatistics(std::vector<core::LabelMeasurement> statistics,
                       const QVector<SurfaceLabel> &table = {});
    const std::vector<core::LabelMeasurement> &statistics() const { return m_statistics; }
    QString nameOf(int label) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<core::LabelMeasurement> m_statistics;
    QVector<SurfaceLabel> m_table;
};

} // namespace medseg::ui
