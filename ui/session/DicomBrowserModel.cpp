#include "ui/session/DicomBrowserModel.h"

#include <QDate>
#include <QStringList>

#include <algorithm>
#include <map>
#include <set>

namespace medseg::ui {

struct DicomBrowserModel::Node
{
    NodeType type = PatientNode;
    Node *parent = nullptr;
    int row = 0;
    std::vector<std::unique_ptr<Node>> children;
    const core::DicomPatient *patient = nullptr;
    std::vector<const core::DicomStudy *> studies; // a study node may merge several sources
    const core::DicomSeries *series = nullptr;

    Node *addChild(NodeType childType)
    {
        auto child = std::make_unique<Node>();
        child->type = childType;
        child->parent = this;
        child->row = int(children.size());
        children.push_back(std::move(child));
        return children.back().get();
    }

    int imageCount() const
    {
        if (series)
            return series->imageCount();
        int total = 0;
        for (const auto &child : children)
            total += child->imageCount();
        return total;
    }

    void collectModalities(std::set<std::string> &out) const
    {
        if (series && !series->modality.empty())
            out.insert(series->modality);
        for (const auto &child : children)
            child->collectModalities(out);
    }
};

namespace {

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

} // namespace

// DICOM person names are "Family^Given^Middle^Prefix^Suffix".
QString DicomBrowserModel::personName(const std::string &name)
{
    QStringList parts = qs(name).split(QLatin1Char('^'));
    while (!parts.isEmpty() && parts.last().trimmed().isEmpty())
        parts.removeLast();
    if (parts.size() <= 1)
        return parts.value(0).trimmed();
    const QString family = parts.takeFirst().trimmed();
    return family + QStringLiteral(", ") + parts.join(QLatin1Char(' ')).simplified();
}

QString DicomBrowserModel::dicomDate(const std::string &date)
{
    const QDate parsed = QDate::fromString(qs(date), QStringLiteral("yyyyMMdd"));
    return parsed.isValid() ? parsed.toString(Qt::ISODate) : qs(date);
}

DicomBrowserModel::Location DicomBrowserModel::locate(const std::string &filePath, int frame) const
{
    if (filePath.empty())
        return {};
    for (const core::DicomIndex &index : m_indexes)
        for (const core::DicomPatient &patient : index.patients)
            for (const core::DicomStudy &study : patient.studies)
                for (const core::DicomSeries &series : study.series)
                    for (const core::DicomInstance &instance : series.instances)
                        if (instance.path == filePath &&
                            (!series.isImageFile() || frame < 0 ||
                             frame / std::max(1, instance.frames) == series.volumeIndex))
                            return {&patient, &study, &series};
    return {};
}

DicomBrowserModel::Location
DicomBrowserModel::findSeries(const std::string &seriesInstanceUid) const
{
    for (const core::DicomIndex &index : m_indexes)
        for (const core::DicomPatient &patient : index.patients)
            for (const core::DicomStudy &study : patient.studies)
                for (const core::DicomSeries &series : study.series)
                    if (series.seriesInstanceUid == seriesInstanceUid)
                        return {&patient, &study, &series};
    return {};
}

DicomBrowserModel::DicomBrowserModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{}

DicomBrowserModel::~DicomBrowserModel() = default;

void DicomBrowserModel::setIndexes(std::vector<core::DicomIndex> indexes)
{
    beginResetModel();
    m_indexes = std::move(indexes);
    rebuild();
    endResetModel();
}

void DicomBrowserModel::rebuild()
{
    m_root = std::make_unique<Node>();
    m_seriesNodes.clear();
    std::map<std::pair<std::string, std::string>, Node *> patients;
    for (const core::DicomIndex &index : m_indexes) {
        for (const core::DicomPatient &patient : index.patients) {
            Node *&patientNode = patients[{patient.patientId, patient.name}];
            if (!patientNode) {
                patientNode = m_root->addChild(PatientNode);
                patientNode->patient = &patient;
            }
            for (const core::DicomStudy &study : patient.studies) {
                Node *studyNode = nullptr;
                for (const auto &existing : patientNode->children) {
                    if (existing->studies.front()->studyInstanceUid == study.studyInstanceUid)
                        studyNode = existing.get();
                }
                if (!studyNode)
                    studyNode = patientNode->addChild(StudyNode);
                studyNode->studies.push_back(&study);
                for (const core::DicomSeries &series : study.series) {
                    Node *seriesNode = studyNode->addChild(SeriesNode);
                    seriesNode->series = &series;
                    m_seriesNodes.insert(qs(series.seriesInstanceUid), seriesNode);
                }
            }
        }
    }
}

DicomBrowserModel::Node *DicomBrowserModel::nodeFor(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

const core::DicomSeries *DicomBrowserModel::series(const QModelIndex &index) const
{
    return index.isValid() ? nodeFor(index)->series : nullptr;
}

QModelIndex DicomBrowserModel::indexOfSeries(const QString &seriesUid) const
{
    Node *node = m_seriesNodes.value(seriesUid);
    return node ? createIndex(node->row, 0, node) : QModelIndex();
}

int DicomBrowserModel::seriesCount() const
{
    return int(m_seriesNodes.size());
}

void DicomBrowserModel::setThumbnail(const QString &seriesUid, const QImage &thumbnail)
{
    m_thumbnails.insert(seriesUid, thumbnail);
    const QModelIndex index = indexOfSeries(seriesUid);
    if (index.isValid())
        Q_EMIT dataChanged(index, index, {Qt::DecorationRole});
}

QModelIndex DicomBrowserModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount ||
        (parent.isValid() && parent.column() != 0))
        return {};
    Node *parentNode = nodeFor(parent);
    if (row >= int(parentNode->children.size()))
        return {};
    return createIndex(row, column, parentNode->children[std::size_t(row)].get());
}

QModelIndex DicomBrowserModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    Node *parentNode = nodeFor(child)->parent;
    if (!parentNode || parentNode == m_root.get())
        return {};
    return createIndex(parentNode->row, 0, parentNode);
}

int DicomBrowserModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(nodeFor(parent)->children.size());
}

int DicomBrowserModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant DicomBrowserModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Node *node = nodeFor(index);
    if (role == NodeTypeRole)
        return int(node->type);
    if (role == SeriesUidRole)
        return node->series ? qs(node->series->seriesInstanceUid) : QVariant();
    if (role == ThumbnailPathRole) {
        if (!node->series || node->series->instances.empty())
            return {};
        const auto &instances = node->series->instances;
        return qs(instances[instances.size() / 2].path);
    }
    if (role == Qt::DecorationRole && index.column() == NameColumn && node->series) {
        const QImage thumbnail = m_thumbnails.value(qs(node->series->seriesInstanceUid));
        return thumbnail.isNull() ? QVariant() : QVariant(thumbnail);
    }
    if (role == Qt::ToolTipRole) {
        if (node->series) {
            return tr("Series %1\nBody part: %2\nSize: %3×%4\nUID: %5")
                .arg(node->series->seriesNumber)
                .arg(qs(node->series->bodyPart))
                .arg(node->series->columns())
                .arg(node->series->rows())
                .arg(qs(node->series->seriesInstanceUid));
        }
        if (node->type == StudyNode)
            return tr("Study UID: %1").arg(qs(node->studies.front()->studyInstanceUid));
        if (node->patient)
            return tr("Patient ID: %1").arg(qs(node->patient->patientId));
        return {};
    }
    if (role == Qt::TextAlignmentRole && index.column() == ImagesColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};

    switch (index.column()) {
    case NameColumn:
        switch (node->type) {
        case PatientNode: {
            const QString name = personName(node->patient->name);
            const QString id = qs(node->patient->patientId);
            if (name.isEmpty())
                return id.isEmpty() ? tr("(anonymous)") : id;
            return id.isEmpty() ? name : QStringLiteral("%1 (%2)").arg(name, id);
        }
        case StudyNode: {
            const core::DicomStudy *study = node->studies.front();
            const QString date = dicomDate(study->date);
            const QString description = qs(study->description);
            if (description.isEmpty())
                return date.isEmpty() ? tr("Study") : date;
            return date.isEmpty() ? description : date + QStringLiteral("  ") + description;
        }
        case SeriesNode: {
            const QString description = qs(node->series->description);
            return description.isEmpty()
                       ? tr("Series %1").arg(node->series->seriesNumber)
                       : QStringLiteral("%1: %2").arg(node->series->seriesNumber).arg(description);
        }
        }
        return {};
    case ModalityColumn: {
        std::set<std::string> modalities;
        node->collectModalities(modalities);
        QStringList list;
        for (const std::string &modality : modalities)
            list << qs(modality);
        return list.join(QLatin1Char('/'));
    }
    case ImagesColumn:
        return node->imageCount();
    case SizeColumn:
        if (node->series && node->series->rows() > 0)
            return QStringLiteral("%1×%2").arg(node->series->columns()).arg(node->series->rows());
        return {};
    default:
        return {};
    }
}

QVariant DicomBrowserModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Patient / Study / Series");
    case ModalityColumn:
        return tr("Modality");
    case ImagesColumn:
        return tr("Images");
    case SizeColumn:
        return tr("Size");
    default:
        return {};
    }
}

Qt::ItemFlags DicomBrowserModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (nodeFor(index)->series)
        flags |= Qt::ItemNeverHasChildren;
    return flags;
}

} // namespace medseg::ui
