#include "ui/session/DicomBrowserController.h"

#include "core/dicom/DicomIndexer.h"
#include "core/imageio/ImageFileIndex.h"
#include "ui/session/DicomBrowserModel.h"
#include "ui/session/ErrorText.h"
#include "ui/session/PromiseProgress.h"
#include "ui/session/SliceRendering.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QtConcurrent/QtConcurrentRun>

namespace medseg::ui {

DicomBrowserController::DicomBrowserController(QObject *parent)
    : QObject(parent)
    , m_model(new DicomBrowserModel(this))
    , m_problems(new QStandardItemModel(0, 2, this))
    , m_cacheDirectory(QStandardPaths::writableLocation(QStandardPaths::CacheLocation) +
                       QStringLiteral("/dicom-index"))
{
    // Thumbnails decode whole files: one thread, so that indexing and loading keep the cores.
    m_thumbnailPool.setMaxThreadCount(1);
    connect(&m_watcher, &QFutureWatcher<core::DicomIndex>::progressValueChanged, this,
            [this](int value) { Q_EMIT indexingProgress(value, m_watcher.progressMaximum()); });
    connect(&m_watcher, &QFutureWatcher<core::DicomIndex>::finished, this,
            &DicomBrowserController::onIndexFinished);
}

DicomBrowserController::~DicomBrowserController()
{
    m_watcher.cancel();
    try {
        m_watcher.waitForFinished();
    } catch (...) {
        // waitForFinished() rethrows the indexer's error; nobody is left to tell.
    }
    m_thumbnailPool.clear();
    m_thumbnailPool.waitForDone();
}

QString DicomBrowserController::cacheFileFor(const QString &path) const
{
    if (m_cacheResolver) {
        const QString file = m_cacheResolver(path);
        if (!file.isEmpty())
            return file;
    }
    if (m_cacheDirectory.isEmpty())
        return {};
    const QByteArray key =
        QCryptographicHash::hash(path.toUtf8(), QCryptographicHash::Sha1).toHex().left(16);
    return m_cacheDirectory + QStringLiteral("/") + QString::fromLatin1(key) +
           QStringLiteral(".json");
}

void DicomBrowserController::addSource(const QString &path)
{
    const QString canonical = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (!m_wanted.contains(canonical))
        m_wanted.append(canonical);
    if (canonical == m_current || m_queue.contains(canonical))
        return;
    m_queue.append(canonical);
    if (!m_watcher.isRunning())
        startNext();
}

void DicomBrowserController::removeSource(const QString &path)
{
    const QString canonical = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    m_queue.removeAll(canonical);
    m_wanted.removeAll(canonical);
    const auto it = std::find_if(m_sources.begin(), m_sources.end(),
                                 [&](const Source &source) { return source.path == canonical; });
    if (it != m_sources.end()) {
        m_sources.erase(it);
        rebuildModel();
    }
}

void DicomBrowserController::refresh()
{
    for (const Source &source : m_sources)
        addSource(source.path);
}

void DicomBrowserController::cancel()
{
    m_queue.clear();
    m_watcher.cancel();
}

void DicomBrowserController::startNext()
{
    if (m_queue.isEmpty()) {
        m_current.clear();
        Q_EMIT idle();
        return;
    }
    m_current = m_queue.takeFirst();
    core::DicomIndexer::Options options;
    const QString cacheFile = cacheFileFor(m_current);
    if (!cacheFile.isEmpty()) {
        QDir().mkpath(QFileInfo(cacheFile).absolutePath());
        options.cacheFile = cacheFile.toStdString();
    }
    const std::string path = m_current.toStdString();
    Q_EMIT indexingStarted(m_current);
    m_watcher.setFuture(QtConcurrent::run([path, options](QPromise<core::DicomIndex> &promise) {
        PromiseProgress<core::DicomIndex> progress(promise);
        try {
            promise.addResult(core::indexImages(path, options, &progress));
        } catch (const core::CancelledError &) {
            // QFuture::cancel() asked for it; the future already reads as cancelled.
        } catch (...) {
            promise.setException(std::current_exception());
        }
    }));
}

void DicomBrowserController::onIndexFinished()
{
    const QString path = m_current;
    QFuture<core::DicomIndex> future = m_watcher.future();
    try {
        future.waitForFinished(); // rethrows the indexer's exception, if any
        if (!future.isCanceled() && future.resultCount() > 0 && m_wanted.contains(path)) {
            core::DicomIndex index = future.result();
            auto it = std::find_if(m_sources.begin(), m_sources.end(),
                                   [&](const Source &source) { return source.path == path; });
            if (it == m_sources.end())
                m_sources.push_back({path, std::move(index)});
            else
                it->index = std::move(index);
            rebuildModel();
            Q_EMIT indexingFinished(path);
        }
    } catch (const std::exception &error) {
        Q_EMIT indexingFailed(path, errorText(error));
    }
    startNext();
}

void DicomBrowserController::rebuildModel()
{
    std::vector<core::DicomIndex> indexes;
    indexes.reserve(m_sources.size());
    m_problems->removeRows(0, m_problems->rowCount());
    for (const Source &source : m_sources) {
        indexes.push_back(source.index);
        for (const core::DicomProblem &problem : source.index.problems) {
            auto *file =
                new QStandardItem(QFileInfo(QString::fromStdString(problem.path)).fileName());
            file->setToolTip(QDir::toNativeSeparators(QString::fromStdString(problem.path)));
            file->setEditable(false);
            auto *reason = new QStandardItem(QString::fromStdString(problem.reason));
            reason->setEditable(false);
            m_problems->appendRow({file, reason});
        }
    }
    retranslate();
    m_model->setIndexes(std::move(indexes));
    requestThumbnails();
}

void DicomBrowserController::retranslate()
{
    m_problems->setHorizontalHeaderLabels({tr("File"), tr("Problem")});
}

void DicomBrowserController::requestThumbnails()
{
    // Walk the tree's series rows; each thumbnail is drawn once per series and source file.
    std::vector<QModelIndex> stack{QModelIndex()};
    while (!stack.empty()) {
        const QModelIndex parent = stack.back();
        stack.pop_back();
        for (int row = 0; row < m_model->rowCount(parent); ++row) {
            const QModelIndex index = m_model->index(row, 0, parent);
            if (index.data(DicomBrowserModel::NodeTypeRole).toInt() !=
                DicomBrowserModel::SeriesNode) {
                stack.push_back(index);
                continue;
            }
            const QString uid = index.data(DicomBrowserModel::SeriesUidRole).toString();
            const QString file = index.data(DicomBrowserModel::ThumbnailPathRole).toString();
            const QString key = uid + QLatin1Char('|') + file;
            if (file.isEmpty() || m_thumbnailsRequested.contains(key))
                continue;
            m_thumbnailsRequested.append(key);
            const int size = m_thumbnailSize;
            DicomBrowserModel *model = m_model;
            m_thumbnailPool.start([model, uid, file, size] {
                const QImage thumbnail = renderThumbnail(file, size);
                if (!thumbnail.isNull()) {
                    QMetaObject::invokeMethod(
                        model, [model, uid, thumbnail] { model->setThumbnail(uid, thumbnail); },
                        Qt::QueuedConnection);
                }
            });
        }
    }
}

} // namespace medseg::ui
