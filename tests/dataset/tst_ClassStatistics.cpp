// Class statistics: counts, ignore pixels, and inverse-frequency weights (plain and clipped)
// against values computed by hand.

#include "core/dataset/ClassStatistics.h"

#include <QtTest>

using namespace medseg::core;

using Doubles = std::vector<double>;
Q_DECLARE_METATYPE(Doubles)

class tst_ClassStatistics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void weightsEqualHandComputedValues_data();
    void weightsEqualHandComputedValues();
    void indexBeyondTableIsRefused();
};

void tst_ClassStatistics::weightsEqualHandComputedValues_data()
{
    QTest::addColumn<QByteArray>("mask");
    QTest::addColumn<int>("classes");
    QTest::addColumn<double>("ratio");
    QTest::addColumn<Doubles>("inverse");
    QTest::addColumn<Doubles>("clipped");
    // counts 6, 3, 1 of N = 10: 1/f = 10/6, 10/3, 10 -> sum 15 -> 1/9, 2/9, 6/9.
    // median 10/3, ratio 2: clip to [5/3, 20/3]: 5/3, 10/3, 20/3 -> sum 35/3 -> 1/7, 2/7, 4/7.
    QTest::newRow("three classes")
        << QByteArray("\0\0\0\0\0\0\1\1\1\2", 10) << 3 << 2.0 << Doubles{1.0 / 9, 2.0 / 9, 6.0 / 9}
        << Doubles{1.0 / 7, 2.0 / 7, 4.0 / 7};
    // Ignore pixels (255) do not count; class 2 is absent: 0 plain, the largest clipped
    // weight. counts 2, 2 of N = 4: 1/f = 2, 2 -> 1/2, 1/2; clipped 2, 2, 2 -> 1/3 each.
    QTest::newRow("absent class and ignore")
        << QByteArray("\0\0\1\1\xff\xff", 6) << 3 << 10.0 << Doubles{0.5, 0.5, 0.0}
        << Doubles{1.0 / 3, 1.0 / 3, 1.0 / 3};
}

void tst_ClassStatistics::weightsEqualHandComputedValues()
{
    QFETCH(QByteArray, mask);
    QFETCH(int, classes);
    QFETCH(double, ratio);
    QFETCH(Doubles, inverse);
    QFETCH(Doubles, clipped);
    ClassStatistics statistics(classes);
    statistics.add(reinterpret_cast<const std::uint8_t *>(mask.constData()),
                   std::size_t(mask.size()), false);
    const Doubles plain = statistics.inverseFrequencyWeights();
    const Doubles capped = statistics.clippedWeights(ratio);
    QCOMPARE(int(plain.size()), classes);
    for (int c = 0; c < classes; ++c) {
        QVERIFY2(std::abs(plain[std::size_t(c)] - inverse[std::size_t(c)]) < 1e-12,
                 qPrintable(QString::number(plain[std::size_t(c)])));
        QVERIFY2(std::abs(capped[std::size_t(c)] - clipped[std::size_t(c)]) < 1e-12,
                 qPrintable(QString::number(capped[std::size_t(c)])));
    }
    QCOMPARE(statistics.total() + statistics.ignored(), std::int64_t(mask.size()));
}

void tst_ClassStatistics::indexBeyondTableIsRefused()
{
    ClassStatistics statistics(2);
    const std::uint8_t mask[] = {0, 1, 5};
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, statistics.add(mask, 3, false));
    statistics.add(mask, 3, true);
    QCOMPARE(statistics.classCount(), 6);
    QCOMPARE(statistics.counts()[5], std::int64_t(1));
}

QTEST_GUILESS_MAIN(tst_ClassStatistics)
#include "tst_ClassStatistics.moc"
