#pragma once

#include "core/dicom/DicomIndex.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QImage>

#include <memory>
#include <vector>

namespace medseg::ui {

// Patient / study / series tree over one or more DICOM indexes (one per source folder).
// Patients with the same ID and name in several sources are shown once.
class DicomBrowserModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, ModalityColumn, ImagesColumn, SizeColumn, ColumnCount };
    enum NodeType { PatientNode, StudyNode, SeriesNode };
    enum Role {
        NodeTypeRole = Qt::UserRole + 1,
        SeriesUidRole,     // series nodes: the SeriesInstanceUID
        ThumbnailPathRole, // series nodes: the file a thumbnail is drawn from (middle image)
    };

    explicit DicomBrowserModel(QObject *parent = nullptr);
    ~DicomBrowserModel() override;

    // Where a file belongs: its patient, study and series in the indexes (nulls when unknown).
    struct Location
    {
        const core::DicomPatient *patient = nullptr;
        const core::DicomStudy *study = nullptr;
        const core::DicomSeries *series = nullptr;
    };
    // The series a slice comes from: by file, and for the volumes of a 4D image file (one
    // file, several series) by frame too (SeriesLayout::SliceSource::frame; -1: any).
    Location locate(const std::string &filePath, int frame = -1) const;
    // The series of a Series Instance UID (and its patient and study), in any index.
    Location findSeries(const std::string &seriesInstanceUid) const;
    // "Family^Given" as "Family, Given"; YYYYMMDD as an ISO date.
    static QString personName(const std::string &name);
    static QString dicomDate(const std::string &date);

    void setIndexes(std::vector<core::DicomIndex> indexes);
    const std::vector<core::DicomIndex> &indexes() const { return m_indexes; }
    const core::DicomSeries *series(const QModelIndex &index) const;
    QModelIndex indexOfSeries(const QString &seriesUid) const;
    // Series thumbnails arrive asynchronously; each one updates its row.
    void setThumbnail(const QString &seriesUid, const QImage &thumbnail);
    int seriesCount() const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    struct Node;
    Node *nodeFor(const QModelIndex &index) const;
    void rebuild();

    std::vector<core::DicomIndex> m_indexes;
    std::unique_ptr<Node> m_root;
    QHash<QString, Node *> m_seriesNodes;
    QHash<QString, QImage> m_thumbnails;
};

} // namespace medseg::ui
