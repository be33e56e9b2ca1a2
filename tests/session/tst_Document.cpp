#include "ui/session/Document.h"
#include "ui/session/LabelSession.h"

#include <QSignalSpy>
#include <QStandardPaths>
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

    // Issue 20, defect 10: the first folder opened into an empty, untitled project is where it
    // begins (no '*', nothing to undo); later ones are edits.
    void openingIntoAPristineDocumentIsNotAnEdit()
    {
        QTemporaryDir first, second;
        Document document;
        QVERIFY(document.isPristine());
        QVERIFY(document.openSource(first.path()));
        QCOMPARE(document.sources(), QStringList{first.path()});
        QVERIFY(!document.isModified());
        QCOMPARE(document.undoStack()->count(), 0);
        QVERIFY(!document.isPristine());

        QVERIFY(document.openSource(second.path()));
        QVERIFY(document.isModified());
        QCOMPARE(document.undoStack()->count(), 1);
        QVERIFY(!document.openSource(second.path())); // already there: nothing happens
        QCOMPARE(document.undoStack()->count(), 1);
    }

    // A folder with labels in `medseg convert`'s layout (the demo) brings its label names; the
    // folder and the names are one undo step.
    void aFolderBringsItsLabelNamesInOneUndoStep()
    {
        QStandardPaths::setTestModeEnabled(true);
        QTemporaryDir other;
        Document document;
        QString error;
        const QString demo = document.demoStudyFolder(&error);
        QVERIFY2(!demo.isEmpty(), qPrintable(error));
        QVERIFY(document.openSource(other.path()));
        QVERIFY(document.openSource(demo));
        QCOMPARE(document.labels()->table().find(1)->name, std::string("liver"));
        QCOMPARE(document.undoStack()->count(), 1);
        document.undoStack()->undo();
        QCOMPARE(document.sources(), QStringList{other.path()});
        QCOMPARE(document.labels()->table(), medseg::core::LabelDescriptions::defaults());
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
