// The project's labeled slices as training data: only labeled axial slices, windowed through the
// display LUT, label k as class k, a validation share, the window recorded for prediction.

#include "ui/session/ProjectTrainingData.h"

#include <QTest>

using namespace medseg;

class ProjectTrainingDataTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void labeledSlicesBecomeSamples()
    {
        core::Volume volume(16, 12, 10);
        for (std::size_t i = 0; i < volume.voxelCount(); ++i)
            volume.data()[i] = float(int(i % 400) - 200);
        core::LabelMap labels(volume);
        for (int k = 2; k < 8; ++k)
            labels.setValue(3, 4, k, k % 2 ? 2 : 1);
        core::LabelDescriptions table = core::LabelDescriptions::defaults();
        const core::Window window{40.0, 400.0};
        const core::WindowLut lut(window, -1024, 3071, false);
        QString error;
        const auto data = ui::trainingDataFromLabels(volume, labels, table, lut, &window, &error);
        QVERIFY2(data, qPrintable(error));
        QCOMPARE(int(data->train.size() + data->val.size()), 6);
        QCOMPARE(int(data->val.size()), 1);
        QCOMPARE(data->classCount(), 3);
        QCOMPARE(data->classes[0].name, std::string("background"));
        QCOMPARE(data->classes[1].name, table.find(1)->name);
        QVERIFY(data->preprocessing.hasWindow);
        QCOMPARE(data->preprocessing.windowWidth, 400.0);

        // The first training sample is slice 3 (index 2): its pixels went through the LUT.
        const core::TrainingSample &sample = data->train.front();
        QCOMPARE(sample.name, std::string("slice-3"));
        QCOMPARE(sample.image.sizes(), (at::IntArrayRef{1, 12, 16}));
        const std::uint8_t *pixels = sample.image.data_ptr<std::uint8_t>();
        for (int j = 0; j < 12; ++j)
            for (int i = 0; i < 16; ++i)
                QCOMPARE(pixels[j * 16 + i], lut.map(volume.value(i, j, 2)));
        QCOMPARE(sample.mask.data_ptr<std::uint8_t>()[4 * 16 + 3], std::uint8_t(1));
        QCOMPARE(sample.mask.data_ptr<std::uint8_t>()[0], std::uint8_t(0));
    }

    void nothingLabeledIsAClearError()
    {
        core::Volume volume(8, 8, 3);
        core::LabelMap labels(volume);
        const core::WindowLut lut(core::Window{40.0, 400.0}, -1024, 3071, false);
        QString error;
        QVERIFY(!ui::trainingDataFromLabels(volume, labels, {}, lut, nullptr, &error));
        QVERIFY(error.contains(QStringLiteral("labeled")));
    }

    void labelsAbove254AreRefused()
    {
        core::Volume volume(8, 8, 2);
        core::LabelMap labels(volume);
        labels.setValue(1, 1, 0, 300);
        const core::WindowLut lut(core::Window{40.0, 400.0}, -1024, 3071, false);
        QString error;
        QVERIFY(!ui::trainingDataFromLabels(volume, labels, {}, lut, nullptr, &error));
        QVERIFY(error.contains(QStringLiteral("300")));
    }
};

QTEST_GUILESS_MAIN(ProjectTrainingDataTest)
#include "tst_ProjectTrainingData.moc"
