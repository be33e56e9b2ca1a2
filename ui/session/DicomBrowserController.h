#pragma once

#include "core/dicom/DicomIndex.h"

#include <QFutureWatcher>
#include <QObject>
#include <QStringList>
#include <QThreadPool>

#include <functional>
#include <vector>

class QStandardItemModel;

namespace medseg::ui {

class DicomBrowserModel;

// Indexes the project's DICOM sources in the background (one at a time, queued), caches each
// index so that reopening is instant, fills the browser model, collects every problem file in
// one list, and draws series thumbnails on a small thread pool.
class DicomBrowserController : public QObject
{
    Q_OBJECT

public:
    explicit DicomBrowserController(QObject *parent = nullptr);
    ~DicomBrowserController() override;

    DicomBrowserModel *model() const { return m_model; }
    // Columns: file, reason.
    QStandardItemModel *problems() const { return m_problems; }
    // The problem list's column titles in the current language (after a language switch).
    void retranslate();

    // Where index caches go (default: the user's cache folder); tests point it elsewhere.
    void setCacheDirectory(const QString &directory) { m_cacheDirectory = directory; }
    // Where the index of a source goes, when the caller knows better (an open project keeps its
    // own cache); an empty answer falls back to the cache directory.
    void setCacheFileResolver(std::function<QString(const QString &source)> resolver)
    {
        m_cacheResolver = std::move(resolver);
    }

    // Indexes `path` (a folder, a DICOMDIR or a file) and adds it to the browser. A source that
    // is already shown is indexed again (changed files only).
    void addSource(const QString &path);
    void removeSource(const QString &path);
    // Re-indexes every source.
    void refresh();
    void cancel();
    // Every source added and not removed, indexed yet or not.
    QStringList sources() const { return m_wanted; }

Q_SIGNALS:
    void indexingStarted(const QString &path);
    void indexingProgress(int done, int total);
    void indexingFinished(const QString &path);
    void indexingFailed(const QString &path, const QString &message);
    // Every source queued so far is indexed (or failed).
    void idle();

private:
    struct Source
    {
        QString path;
        core::DicomIndex index;
    };

    void startNext();
    void onIndexFinished();
    void rebuildModel();
    void requestThumbnails();
    QString cacheFileFor(const QString &path) const;

    DicomBrowserModel *m_model;
    QStandardItemModel *m_problems;
    QString m_cacheDirectory;
    std::function<QString(const QString &)> m_cacheResolver;
    int m_thumbnailSize = 40;
    std::vector<Source> m_sources;
    QStringList m_wanted;
    QStringList m_queue;
    QString m_current;
    QFutureWatcher<core::DicomIndex> m_watcher;
    QThreadPool m_thumbnailPool;
    QStringList m_thumbnailsRequested;
};

} // namespace medseg::ui
