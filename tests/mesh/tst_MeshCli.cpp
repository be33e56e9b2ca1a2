// `medseg mesh`, run as a script would: one file per label (or one with --label / --merge) in
// each format, surfaces in patient coordinates with the analytic sphere volume, the statistics
// table and CSV, and bad arguments and inputs refused with the documented exit codes.

#include "MeshTestData.h"

#include "core/dataset/NiftiIo.h"
#include "core/mesh/MeshIo.h"

#include "support/CliRunner.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace medseg::core;

namespace {

constexpr double pi = 3.14159265358979323846;

using Result = medseg::testing::CliResult;

Result run(const QStringList &arguments)
{
    return medseg::testing::runCli(QStringList{QStringLiteral("mesh")} + arguments);
}

} // namespace

class TestMeshCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_labels;
    QString m_image;
    std::int64_t m_ballVoxels = 0;
    const double m_radius = 10.0;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // A ball (label 1) and a 4x4x2 block (label 3) on an anisotropic grid away from the
        // origin; the image holds 100 inside the ball and 7 elsewhere.
        ImageGeometry geometry;
        geometry.origin = {-50.0, 20.0, 80.0};
        Volume labels = medseg::test::ball({0.8, 0.8, 2.0}, m_radius, 1, &geometry);
        for (int k = 0; k < 2; ++k)
            for (int j = 0; j < 4; ++j)
                for (int i = 0; i < 4; ++i)
                    labels.value(i, j, k) = 3.0f;
        Volume image(labels.width(), labels.height(), labels.depth());
        image.setGeometry(labels.geometry());
        for (std::size_t i = 0; i < labels.voxelCount(); ++i) {
            m_ballVoxels += labels.data()[i] == 1.0f;
            image.data()[i] = labels.data()[i] == 1.0f ? 100.0f : 7.0f;
        }
        m_labels = m_dir.filePath(QStringLiteral("labels.nii.gz"));
        m_image = m_dir.filePath(QStringLiteral("image.nii.gz"));
        NiftiIo::writeLabels(m_labels.toStdString(), labels);
        NiftiIo::writeLabels(m_image.toStdString(), image);
    }

    void writesOneFilePerLabel_data()
    {
        QTest::addColumn<QString>("extension");
        QTest::newRow("stl") << QStringLiteral("stl");
        QTest::newRow("obj") << QStringLiteral("obj");
        QTest::newRow("ply") << QStringLiteral("ply");
    }
    void writesOneFilePerLabel()
    {
        QFETCH(QString, extension);
        const QString out = m_dir.filePath(QStringLiteral("all.") + extension);
        const Result result = run({m_labels, QStringLiteral("-o"), out});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY(!QFile::exists(out));
        const QString ball = m_dir.filePath(QStringLiteral("all_1.") + extension);
        const QString block = m_dir.filePath(QStringLiteral("all_3.") + extension);
        QVERIFY(QFile::exists(ball));
        QVERIFY(QFile::exists(block));
        QVERIFY(result.out.contains(QStringLiteral("wrote ") + ball));
        const TriangleMesh mesh = MeshIo::read(ball.toStdString());
        const double volume = 4.0 / 3.0 * pi * m_radius * m_radius * m_radius;
        QVERIFY(std::abs(mesh.signedVolume() / volume - 1.0) < 0.02);
        // In patient coordinates: the ball's centre, not the grid's index space.
        const auto [low, high] = mesh.bounds();
        QVERIFY(low[0] > -50.0 && high[2] > 80.0 + m_radius);
    }

    void oneLabelGoesToTheOutputItself()
    {
        const QString out = m_dir.filePath(QStringLiteral("only.stl"));
        const QString csv = m_dir.filePath(QStringLiteral("only.csv"));
        const Result result = run({m_labels, QStringLiteral("-o"), out, QStringLiteral("--label"),
                                   QStringLiteral("3"), QStringLiteral("--smooth"),
                                   QStringLiteral("0"), QStringLiteral("--stats"), csv});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY(QFile::exists(out));
        const TriangleMesh block = MeshIo::read(out.toStdString());
        QVERIFY(!block.isEmpty());
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines =
            QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines[0].startsWith(QStringLiteral("label,name,voxels,volume_mm3,volume_ml")));
        // NIfTI keeps the spacing as float: 0.8f * 0.8f * 2 is 1.28 within 1e-7.
        const QStringList fields = lines[1].split(QLatin1Char(','));
        QCOMPARE(fields.value(0), QStringLiteral("3"));
        QCOMPARE(fields.value(2), QStringLiteral("32"));
        QVERIFY2(std::abs(fields.value(3).toDouble() - 32 * 1.28) < 1e-5, qPrintable(lines[1]));
        QVERIFY(std::abs(fields.value(4).toDouble() - 32 * 1.28 / 1000) < 1e-8);
    }

    void mergeWritesEveryLabelIntoOneFile()
    {
        const QString out = m_dir.filePath(QStringLiteral("merged.ply"));
        const Result result = run({m_labels, QStringLiteral("-o"), out, QStringLiteral("--merge"),
                                   QStringLiteral("--decimate"), QStringLiteral("0.5")});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const TriangleMesh merged = MeshIo::read(out.toStdString());
        const TriangleMesh ball =
            MeshIo::read(m_dir.filePath(QStringLiteral("all_1.ply")).toStdString());
        // Both parts, halved.
        QVERIFY(merged.triangleCount() < ball.triangleCount());
        QVERIFY(merged.triangleCount() > ball.triangleCount() / 3);
    }

    void printsTheStatisticsTable()
    {
        const QString csv = m_dir.filePath(QStringLiteral("stats.csv"));
        const Result result =
            run({m_labels, QStringLiteral("-o"), m_dir.filePath(QStringLiteral("t.stl")),
                 QStringLiteral("--image"), m_image, QStringLiteral("--stats"), csv});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const double ml = double(m_ballVoxels) * 0.8 * 0.8 * 2.0 / 1000.0;
        const QString ballRow = result.out.split(QLatin1Char('\n'))
                                    .filter(QRegularExpression(QStringLiteral("^\\s+1\\s")))
                                    .value(0);
        QVERIFY2(ballRow.contains(QString::number(m_ballVoxels)), qPrintable(result.out));
        QVERIFY2(ballRow.contains(QString::number(ml, 'f', 4)), qPrintable(ballRow));
        QVERIFY2(ballRow.contains(QStringLiteral("100.000")), qPrintable(ballRow));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines =
            QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        const QStringList fields = lines[1].split(QLatin1Char(','));
        QCOMPARE(fields.value(2).toLongLong(), m_ballVoxels);
        // Area of the smoothed sphere within 3% of 4 pi r^2.
        QVERIFY(std::abs(fields.value(5).toDouble() / (4 * pi * m_radius * m_radius) - 1.0) < 0.03);
        QCOMPARE(fields.value(18).toDouble(), 100.0);
        QCOMPARE(fields.value(19).toDouble(), 0.0);
    }

    void refusesBadArgumentsAndInputs()
    {
        const QString out = m_dir.filePath(QStringLiteral("x.stl"));
        QCOMPARE(run({m_labels}).exitCode, 2);
        QCOMPARE(
            run({m_labels, QStringLiteral("-o"), m_dir.filePath(QStringLiteral("x.vtk"))}).exitCode,
            2);
        QCOMPARE(run({m_labels, QStringLiteral("-o"), out, QStringLiteral("--smooth"),
                      QStringLiteral("-1")})
                     .exitCode,
                 2);
        QCOMPARE(run({m_labels, QStringLiteral("-o"), out, QStringLiteral("--label"),
                      QStringLiteral("1"), QStringLiteral("--merge")})
                     .exitCode,
                 2);
        const QString missing = m_dir.filePath(QStringLiteral("missing.nii.gz"));
        const Result noFile = run({missing, QStringLiteral("-o"), out});
        QCOMPARE(noFile.exitCode, 3);
        QVERIFY(noFile.err.contains(missing));
        const Result absent = run(
            {m_labels, QStringLiteral("-o"), out, QStringLiteral("--label"), QStringLiteral("9")});
        QCOMPARE(absent.exitCode, 3);
        QVERIFY(absent.err.contains(QStringLiteral("9")));
        const QString badFolder = m_dir.filePath(QStringLiteral("no/such/folder/x.stl"));
        const Result unwritable = run({m_labels, QStringLiteral("-o"), badFolder,
                                       QStringLiteral("--label"), QStringLiteral("1")});
        QCOMPARE(unwritable.exitCode, 4);
        QVERIFY(unwritable.err.contains(badFolder));
    }
};

QTEST_GUILESS_MAIN(TestMeshCli)
#include "tst_MeshCli.moc"
