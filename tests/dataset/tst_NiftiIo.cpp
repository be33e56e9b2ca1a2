// NIfTI label maps: values, dimensions and the LPS geometry survive a round trip, the file's
// affine is the RAS one (x and y negated), and errors name the file.

#include "core/dataset/NiftiIo.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nifti2_io.h>

using namespace medseg::core;

class tst_NiftiIo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripKeepsGeometry_data();
    void roundTripKeepsGeometry();
    void affineIsRas();
    void errorsNameTheFile();
};

void tst_NiftiIo::roundTripKeepsGeometry_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("flipped");
    QTest::newRow("nii.gz axial") << "a.nii.gz" << false;
    QTest::newRow("nii reversed stack") << "b.nii" << true;
}

void tst_NiftiIo::roundTripKeepsGeometry()
{
    QFETCH(QString, name);
    QFETCH(bool, flipped);
    Volume labels(5, 4, 3);
    for (std::size_t n = 0; n < labels.voxelCount(); ++n)
        labels.data()[n] = float(n % 5);
    ImageGeometry g;
    g.origin = {-100.5, 20.25, -33.0};
    g.spacing = {0.7, 0.8, 2.5};
    if (flipped)
        g.normal = {0.0, 0.0, -1.0};
    labels.setGeometry(g);
    QTemporaryDir dir;
    const std::string path = dir.filePath(name).toStdString();
    NiftiIo::writeLabels(path, labels);
    const Volume back = NiftiIo::read(path);
    QCOMPARE(back.width(), 5);
    QCOMPARE(back.height(), 4);
    QCOMPARE(back.depth(), 3);
    QVERIFY(back.geometry().isClose(g, 1e-4));
    QVERIFY(std::equal(back.data(), back.data() + back.voxelCount(), labels.data()));
}

void tst_NiftiIo::affineIsRas()
{
    Volume labels(2, 2, 2);
    ImageGeometry g;
    g.origin = {10.0, 20.0, 30.0};
    g.spacing = {1.5, 1.5, 3.0};
    labels.setGeometry(g);
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("r.nii.gz")).toStdString();
    NiftiIo::writeLabels(path, labels);
    nifti_image *image = nifti_image_read(path.c_str(), 0);
    QVERIFY(image);
    QCOMPARE(image->sform_code, int(NIFTI_XFORM_SCANNER_ANAT));
    QCOMPARE(double(image->sto_xyz.m[0][0]), -1.5);
    QCOMPARE(double(image->sto_xyz.m[1][1]), -1.5);
    QCOMPARE(double(image->sto_xyz.m[2][2]), 3.0);
    QCOMPARE(double(image->sto_xyz.m[0][3]), -10.0);
    QCOMPARE(double(image->sto_xyz.m[1][3]), -20.0);
    QCOMPARE(double(image->sto_xyz.m[2][3]), 30.0);
    QCOMPARE(double(image->qto_xyz.m[0][0]), -1.5);
    QCOMPARE(double(image->qto_xyz.m[1][3]), -20.0);
    nifti_image_free(image);
}

void tst_NiftiIo::errorsNameTheFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("broken.nii.gz"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a nifti file");
    file.close();
    try {
        NiftiIo::read(path.toStdString());
        QFAIL("no exception");
    } catch (const std::runtime_error &error) {
        QVERIFY(QString::fromStdString(error.what()).contains(path));
    }
    Volume bad(2, 2, 1);
    bad.data()[0] = 300.0f;
    try {
        NiftiIo::writeLabels(dir.filePath(QStringLiteral("bad.nii")).toStdString(), bad);
        QFAIL("no exception");
    } catch (const std::runtime_error &error) {
        QVERIFY(QString::fromStdString(error.what()).contains(QStringLiteral("bad.nii")));
    }
}

QTEST_GUILESS_MAIN(tst_NiftiIo)
#include "tst_NiftiIo.moc"
