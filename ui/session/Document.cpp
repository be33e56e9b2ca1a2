#include "ui/session/Document.h"

#include "ui/session/DicomBrowserController.h"
#include "ui/session/SeriesSession.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QUndoCommand>
#include <QUndoStack>

namespace medseg::ui {

class AddSourceCommand : public QUndoCommand
{
public:
    AddSourceCommand(Document *document, const QString &path)
        : m_document(document)
        , m_path(path)
    {
        setText(QCoreApplication::translate("medseg::ui::Document", "Add source %1")
                    .arg(QFileInfo(path).fileName()));
    }

    void redo() override
    {
        m_index = int(m_document->m_sources.size());
        m_document->insertSource(m_index, m_path);
    }
    void undo() override { m_document->removeSource(m_index); }

private:
    Document *m_document;
    QString m_path;
    int m_index = -1;
};

Document::Document(QObject *parent)
    : QObject(parent)
    , m_undoStack(new QUndoStack(this))
    , m_dicomBrowser(new DicomBrowserController(this))
    , m_series(new SeriesSession(this))
{
    connect(this, &Document::sourcesChanged, this, &Document::syncBrowserSources);
    connect(m_undoStack, &QUndoStack::cleanChanged, this,
            [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
}

Document::~Document() = default;

bool Document::addSource(const QString &path)
{
    const QString canonical = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (canonical.isEmpty() || m_sources.contains(canonical))
        return false;
    m_undoStack->push(new AddSourceCommand(this, canonical));
    return true;
}

bool Document::isModified() const
{
    return !m_undoStack->isClean();
}

void Document::markSaved()
{
    m_undoStack->setClean();
}

void Document::insertSource(int index, const QString &path)
{
    m_sources.insert(index, path);
    Q_EMIT sourcesChanged();
}

void Document::removeSource(int index)
{
    m_sources.removeAt(index);
    Q_EMIT sourcesChanged();
}

void Document::syncBrowserSources()
{
    const QStringList shown = m_dicomBrowser->sources();
    for (const QString &path : shown) {
        if (!m_sources.contains(path))
            m_dicomBrowser->removeSource(path);
    }
    for (const QString &path : m_sources) {
        if (!shown.contains(path))
            m_dicomBrowser->addSource(path);
    }
}

} // namespace medseg::ui
