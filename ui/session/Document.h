#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

class QUndoStack;

namespace medseg::ui {

class DicomBrowserController;
class SeriesSession;

// The open project: the data the user works on and the one undo stack every edit goes through.
// Widgets never change the data directly; they call the document (or a controller that owns a
// command) so that every change is undoable and marks the project modified.
class Document : public QObject
{
    Q_OBJECT

public:
    explicit Document(QObject *parent = nullptr);
    ~Document() override;

    QUndoStack *undoStack() const { return m_undoStack; }
    // Indexes the sources and fills the DICOM browser; follows sources() (undo included).
    DicomBrowserController *dicomBrowser() const { return m_dicomBrowser; }
    // The series shown in the slice views.
    SeriesSession *series() const { return m_series; }

    // Folders (or DICOMDIR files) whose images this project labels.
    QStringList sources() const { return m_sources; }
    // Pushes an undoable command; returns false (and pushes nothing) if the source is already
    // part of the project.
    bool addSource(const QString &path);

    // True while there are edits since the last save (the undo stack is not clean).
    bool isModified() const;
    // Marks the current state as saved; undoing past it makes the document modified again.
    void markSaved();

Q_SIGNALS:
    void sourcesChanged();
    void modifiedChanged(bool modified);

private:
    friend class AddSourceCommand;
    void insertSource(int index, const QString &path);
    void removeSource(int index);
    void syncBrowserSources();

    QUndoStack *m_undoStack = nullptr;
    DicomBrowserController *m_dicomBrowser = nullptr;
    SeriesSession *m_series = nullptr;
    QStringList m_sources;
};

} // namespace medseg::ui
