#include "ui/session/Document.h"
#include "ui/session/LabelSession.h"
#include "ui/session/LabelTableModel.h"
#include "ui/session/SeriesSession.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QUndoStack>
#include <QtTest>

using namespace medseg;
using ui::LabelTableModel;

class tst_LabelTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("medseg-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("%1").arg(metaObject()->className()));
    }
    void passesTheModelTester()
    {
        ui::Document document;
        LabelTableModel model(document.labels());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 7);
        QCOMPARE(model.columnCount(), int(LabelTableModel::ColumnCount));
        document.labels()->addLabel();
        QCOMPARE(model.rowCount(), 8);
        document.undoStack()->undo();
        QCOMPARE(model.rowCount(), 7);
        document.labels()->removeLabel(3);
        QCOMPARE(model.rowCount(), 6);
    }

    void showsTheTable()
    {
        ui::Document document;
        LabelTableModel model(document.labels());
        const QModelIndex swatch = model.index(1, LabelTableModel::ColourColumn);
        QCOMPARE(model.data(swatch, Qt::DecorationRole).value<QColor>(), QColor(255, 0, 0));
        QCOMPARE(model.data(swatch, LabelTableModel::LabelIndexRole).toInt(), 1);
        QCOMPARE(model.data(model.index(1, LabelTableModel::NameColumn)).toString(),
                 QStringLiteral("Label 1"));
        QCOMPARE(model.data(model.index(1, LabelTableModel::OpacityColumn)).toInt(), 100);
        QCOMPARE(
            model.data(model.index(1, LabelTableModel::VisibleColumn), Qt::CheckStateRole).toInt(),
            int(Qt::Checked));
        QVERIFY(model.flags(model.index(1, LabelTableModel::NameColumn)) & Qt::ItemIsEditable);
        QVERIFY(model.flags(model.index(1, LabelTableModel::LockedColumn)) &
                Qt::ItemIsUserCheckable);
    }

    void editsAreUndoableCommands()
    {
        ui::Document document;
        LabelTableModel model(document.labels());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(
            model.setData(model.index(2, LabelTableModel::NameColumn), QStringLiteral("Kidney")));
        QVERIFY(model.setData(model.index(2, LabelTableModel::OpacityColumn), 40));
        QVERIFY(model.setData(model.index(2, LabelTableModel::LockedColumn), int(Qt::Checked),
                              Qt::CheckStateRole));
        QVERIFY(model.setData(model.index(2, LabelTableModel::VisibleColumn), int(Qt::Unchecked),
                              Qt::CheckStateRole));
        QCOMPARE(document.undoStack()->count(), 4);
        const core::LabelDescription *label = document.labels()->table().find(2);
        QCOMPARE(QString::fromStdString(label->name), QStringLiteral("Kidney"));
        QCOMPARE(label->opacity, 0.4);
        QVERIFY(label->locked);
        QVERIFY(!label->visible);
        QVERIFY(document.labels()->table().lockedLabels().test(2));
        document.undoStack()->undo();
        document.undoStack()->undo();
        QCOMPARE(
            model.data(model.index(2, LabelTableModel::LockedColumn), Qt::CheckStateRole).toInt(),
            int(Qt::Unchecked));
    }

    // An edit tells views exactly which row changed; a reset would close the open editor and
    // move the selection (and with it the active label) to row 0.
    void editsAndRowChangesNeverResetTheModel()
    {
        ui::Document document;
        LabelTableModel model(document.labels());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelAboutToBeReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        document.labels()->renameLabel(4, QStringLiteral("Spleen"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 4);
        QCOMPARE(changed.first().at(1).toModelIndex().row(), 4);
        QCOMPARE(model.data(model.index(4, LabelTableModel::NameColumn)).toString(),
                 QStringLiteral("Spleen"));
        document.labels()->removeLabel(2);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.first().at(1).toInt(), 2);
        QCOMPARE(model.labelAtRow(2), 3);
        document.undoStack()->undo();
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.first().at(1).toInt(), 2);
        QCOMPARE(model.labelAtRow(2), 2);
        // Undo of a whole-table import: rows come and go in one go, still without a reset.
        core::LabelDescriptions imported;
        for (int index : {0, 1, 5, 9}) {
            core::LabelDescription label;
            label.index = index;
            label.name = "imported " + std::to_string(index);
            imported.set(label);
        }
        document.labels()->replaceTable(imported, QStringLiteral("import"));
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.labelAtRow(3), 9);
        QCOMPARE(model.data(model.index(2, LabelTableModel::NameColumn)).toString(),
                 QStringLiteral("imported 5"));
        document.undoStack()->undo();
        QCOMPARE(model.rowCount(), 7);
        QCOMPARE(model.data(model.index(4, LabelTableModel::NameColumn)).toString(),
                 QStringLiteral("Spleen"));
        QCOMPARE(resets.count(), 0);
    }
};

QTEST_MAIN(tst_LabelTableModel)
#include "tst_LabelTableModel.moc"
