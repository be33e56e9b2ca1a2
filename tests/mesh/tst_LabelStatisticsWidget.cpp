// ui/widgets' LabelStatisticsWidget and its model: rows follow a SurfaceView's statistics
// (QAbstractItemModelTester watching), names and colours come from the label table, and the
// CSV export writes the header and one row per label.

#include "MeshTestData.h"

#include "ui/widgets/LabelStatisticsModel.h"
#include "ui/widgets/LabelStatisticsWidget.h"
#include "ui/widgets/SurfaceView.h"

#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace medseg;
using ui::LabelStatisticsModel;
using ui::LabelStatisticsWidget;
using ui::SurfaceView;

class TestLabelStatisticsWidget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tableFollowsTheSurfaceViewAndExportsCsv()
    {
        SurfaceView view;
        view.setDebounceInterval(0);
        LabelStatisticsWidget widget;
        QAbstractItemModelTester tester(widget.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        widget.setSurfaceView(&view);
        QCOMPARE(widget.model()->rowCount(), 0);
        auto *exportButton =
            widget.findChild<QPushButton *>(QStringLiteral("exportStatisticsButton"));
        QVERIFY(exportButton);
        QVERIFY(!exportButton->isEnabled());
        QVERIFY(widget.findChild<QTableView *>(QStringLiteral("labelStatisticsTable")));

        core::Volume labels = test::ball({1.0, 1.0, 2.0}, 6.0, 2);
        for (int i = 0; i < 3; ++i)
            labels.value(i, 0, 0) = 5.0f;
        std::int64_t ballVoxels = 0;
        for (std::size_t i = 0; i < labels.voxelCount(); ++i)
            ballVoxels += labels.data()[i] == 2.0f;
        QSignalSpy updated(&view, &SurfaceView::surfacesUpdated);
        view.setLabels(std::make_shared<const core::Volume>(labels),
                       {{2, QStringLiteral("kidney"), QColor(10, 200, 30), true}});
        QVERIFY(updated.wait(20000));

        LabelStatisticsModel *model = widget.model();
        QCOMPARE(model->rowCount(), 2);
        QCOMPARE(model->data(model->index(0, LabelStatisticsModel::LabelColumn)).toInt(), 2);
        QCOMPARE(model->data(model->index(0, LabelStatisticsModel::NameColumn)).toString(),
                 QStringLiteral("kidney"));
        QCOMPARE(model->data(model->index(0, LabelStatisticsModel::NameColumn), Qt::DecorationRole)
                     .value<QColor>(),
                 QColor(10, 200, 30));
        QCOMPARE(model->data(model->index(0, LabelStatisticsModel::VoxelsColumn)).toLongLong(),
                 ballVoxels);
        QCOMPARE(model->data(model->index(0, LabelStatisticsModel::VolumeColumn), Qt::UserRole)
                     .toDouble(),
                 double(ballVoxels) * 2.0 / 1000.0);
        QVERIFY(model->data(model->index(0, LabelStatisticsModel::SurfaceColumn), Qt::UserRole)
                    .toDouble() > 0.0);
        QCOMPARE(model->data(model->index(1, LabelStatisticsModel::VoxelsColumn)).toLongLong(),
                 qint64(3));
        QVERIFY(exportButton->isEnabled());

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("stats.csv"));
        QVERIFY(widget.exportCsv(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines =
            QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[0].startsWith(QStringLiteral("label,name,voxels")));
        QVERIFY(lines[1].startsWith(QStringLiteral("2,kidney,%1,").arg(ballVoxels)));
        QVERIFY(lines[2].startsWith(QStringLiteral("5,,3,")));
        QString error;
        const QString bad = dir.filePath(QStringLiteral("no/such/stats.csv"));
        QVERIFY(!widget.exportCsv(bad, &error));
        QVERIFY(error.contains(bad));
    }
};

QTEST_MAIN(TestLabelStatisticsWidget)
#include "tst_LabelStatisticsWidget.moc"
