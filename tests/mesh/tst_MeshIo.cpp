// core/mesh's MeshIo: STL, OBJ and PLY files written through VTK's writers read back with
// VTK's readers to the same triangles, area and volume; bad paths and formats are refused
// naming the file.

#include "MeshTestData.h"

#include "core/mesh/MeshIo.h"
#include "core/mesh/SurfaceExtractor.h"

#include <vtkPLYReader.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkSTLReader.h>
#include <vtkSmartPointer.h>

#include <QTemporaryDir>
#include <QtTest>

using namespace medseg::core;

class TestMeshIo : public QObject
{
    Q_OBJECT

private:
    TriangleMesh m_mesh;
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        ImageGeometry geometry;
        geometry.origin = {-100.0, 20.0, 300.0};
        m_mesh = SurfaceExtractor::extract(
            LabelGrid(medseg::test::ball({0.8, 0.8, 2.0}, 9.0, 1, &geometry)), 1);
        QVERIFY(!m_mesh.isEmpty());
    }

    void writtenFilesReadBack_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("stl") << QStringLiteral("ball.stl");
        QTest::newRow("obj") << QStringLiteral("ball.obj");
        QTest::newRow("ply") << QStringLiteral("ball.ply");
        QTest::newRow("upper-case extension") << QStringLiteral("BALL.STL");
    }
    void writtenFilesReadBack()
    {
        QFETCH(QString, name);
        const std::string path = m_dir.filePath(name).toStdString();
        MeshIo::write(m_mesh, path, std::array<std::uint8_t, 3>{200, 40, 10});
        QVERIFY(QFileInfo(QString::fromStdString(path)).size() > 0);
        const TriangleMesh back = MeshIo::read(path);
        QCOMPARE(back.triangleCount(), m_mesh.triangleCount());
        // Floats go through text in OBJ: compare the measures, not bits.
        QVERIFY(std::abs(back.area() / m_mesh.area() - 1.0) < 1e-5);
        QVERIFY(std::abs(back.signedVolume() / m_mesh.signedVolume() - 1.0) < 1e-5);
        const auto [low, high] = back.bounds();
        const auto [lowRef, highRef] = m_mesh.bounds();
        for (std::size_t a = 0; a < 3; ++a) {
            QVERIFY(std::abs(low[a] - lowRef[a]) < 1e-3);
            QVERIFY(std::abs(high[a] - highRef[a]) < 1e-3);
        }
    }

    void stlReadsBackWithVtksOwnReader()
    {
        // Independently of MeshIo::read: VTK's reader with its default settings.
        const std::string path = m_dir.filePath(QStringLiteral("plain.stl")).toStdString();
        MeshIo::write(m_mesh, path);
        auto reader = vtkSmartPointer<vtkSTLReader>::New();
        reader->SetFileName(path.c_str());
        reader->Update();
        QCOMPARE(reader->GetOutput()->GetNumberOfPolys(), vtkIdType(m_mesh.triangleCount()));
        // Merged duplicates: the shared vertices of the mesh again.
        QCOMPARE(reader->GetOutput()->GetNumberOfPoints(), vtkIdType(m_mesh.vertexCount()));
    }

    void plyKeepsTheColour()
    {
        const std::string path = m_dir.filePath(QStringLiteral("colour.ply")).toStdString();
        MeshIo::write(m_mesh, path, std::array<std::uint8_t, 3>{200, 40, 10});
        auto reader = vtkSmartPointer<vtkPLYReader>::New();
        reader->SetFileName(path.c_str());
        reader->Update();
        vtkDataArray *colours = reader->GetOutput()->GetPointData()->GetScalars();
        QVERIFY(colours);
        QCOMPARE(colours->GetNumberOfComponents(), 3);
        QCOMPARE(colours->GetComponent(0, 0), 200.0);
        QCOMPARE(colours->GetComponent(0, 1), 40.0);
        QCOMPARE(colours->GetComponent(0, 2), 10.0);
    }

    void badPathsAndFormatsAreRefusedNamingTheFile()
    {
        const std::string unknown = m_dir.filePath(QStringLiteral("ball.vtk")).toStdString();
        const std::string missingFolder =
            m_dir.filePath(QStringLiteral("no/such/folder/ball.stl")).toStdString();
        for (const std::string &path : {unknown, missingFolder}) {
            try {
                MeshIo::write(m_mesh, path);
                QFAIL("no exception");
            } catch (const std::runtime_error &error) {
                QVERIFY2(std::string(error.what()).find(path) != std::string::npos, error.what());
            }
        }
        try {
            MeshIo::read(missingFolder);
            QFAIL("no exception");
        } catch (const std::runtime_error &error) {
            QVERIFY(std::string(error.what()).find(missingFolder) != std::string::npos);
        }
        QVERIFY(!MeshIo::formatOf("a.stl.gz"));
        QCOMPARE(*MeshIo::formatOf("dir.v1/a.Ply"), MeshIo::Format::Ply);
    }
};

QTEST_GUILESS_MAIN(TestMeshIo)
#include "tst_MeshIo.moc"
