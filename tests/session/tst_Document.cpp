#include "ui/session/Document.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

using medseg::ui::Document;

class tst_Document : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addSourceIsOneUndoableCommand()
    {
        QTemporaryDir dir;
        Document document;
        QSignalSpy changed(&document, &Document::sourcesChanged);
        QVERIFY(document.addSource(dir.path()));
        QCOMPARE(document.sources(), QStringList{dir.path()});
        QCOMPARE(document.undoStack()->count(), 1);
        QCOMPARE(changed.count(), 1);

        document.undoStack()->undo();
        QVERIFY(document.sources().isEmpty());
        document.undoStack()->redo();
        QCOMPARE(document.sources(), QStringList{dir.path()});
        QCOMPARE(changed.count(), 3);
    }

    void duplicateSourceIsIgnored()
    {
        QTemporaryDir dir;
        Document document;
        QVERIFY(document.addSource(dir.path()));
        QVERIFY(!document.addSource(dir.path() + QStringLiteral("/.")));
        QCOMPARE(document.sources().size(), 1);
        QCOMPARE(document.undoStack()->count(), 1);
    }

    void modifiedFollowsTheSavedState()
    {
        QTemporaryDir a, b;
        Document document;
        QSignalSpy modified(&document, &Document::modifiedChanged);
        QVERIFY(!document.isModified());
        document.addSource(a.path());
        QVERIFY(document.isModified());
        document.markSaved();
        QVERIFY(!document.isModified());
        document.addSource(b.path());
        QVERIFY(document.isModified());
        document.undoStack()->undo();
        QVERIFY(!document.isModified());
        document.undoStack()->undo();
        QVERIFY(document.isModified()); // undone past the save
        QCOMPARE(modified.count(), 5);
        QCOMPARE(modified.last().first().toBool(), true);
    }
};

QTEST_GUILESS_MAIN(tst_Document)
#include "tst_Document.moc"
