#include "ui/session/Document.h"
#include "ui/session/LabelSession.h"
#include "ui/session/LabelTableModel.h"
#include "ui/session/SeriesSession.h"

#include <QAbstractItemModelTester>
#include <QColor>
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
};

QTEST_MAIN(tst_LabelTableModel)
#include "tst_LabelTableModel.moc"
