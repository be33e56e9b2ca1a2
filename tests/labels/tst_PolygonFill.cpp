// PolygonFill: scanline rasterisation against expected masks and a brute-force point-in-polygon
// test for both fill rules, and filling through a LabelEdit on each plane.

#include "core/labels/PolygonFill.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace medseg::core;
using Point = PolygonFill::Point;

namespace {

// Winding number of the polygon around (x, y) (the point never lies on an edge here).
int windingNumber(const std::vector<Point> &polygon, double x, double y)
{
    int winding = 0;
    for (std::size_t n = 0; n < polygon.size(); ++n) {
        const Point &a = polygon[n];
        const Point &b = polygon[(n + 1) % polygon.size()];
        const double cross = (b[0] - a[0]) * (y - a[1]) - (x - a[0]) * (b[1] - a[1]);
        if (a[1] <= y && b[1] > y && cross > 0)
            ++winding;
        else if (a[1] > y && b[1] <= y && cross < 0)
            --winding;
    }
    return winding;
}

} // namespace

class tst_PolygonFill : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rectangleCoversPixelCentresHalfOpen()
    {
        const std::vector<Point> rectangle{{2, 3}, {7, 3}, {7, 8}, {2, 8}};
        const auto mask = PolygonFill::rasterize(rectangle, 10, 10);
        for (int v = 0; v < 10; ++v)
            for (int u = 0; u < 10; ++u)
                QCOMPARE(int(mask[v * 10 + u]), (u >= 2 && u < 7 && v >= 3 && v < 8) ? 1 : 0);
    }

    void triangleMatchesExpectedMask()
    {
        // Right triangle with legs along the axes: (0.5,0.5) (8.5,0.5) (0.5,8.5).
        const std::vector<Point> triangle{{0.5, 0.5}, {8.5, 0.5}, {0.5, 8.5}};
        const auto mask = PolygonFill::rasterize(triangle, 10, 10);
        for (int v = 0; v < 10; ++v)
            for (int u = 0; u < 10; ++u) {
                const bool inside = u >= 1 && v >= 1 && u + v < 9;
                QCOMPARE(int(mask[v * 10 + u]), inside ? 1 : 0);
            }
    }

    void randomPolygonsMatchBruteForce_data()
    {
        QTest::addColumn<unsigned>("seed");
        QTest::addColumn<int>("rule");
        for (unsigned seed = 1; seed <= 5; ++seed) {
            QTest::addRow("even-odd %u", seed) << seed << int(FillRule::EvenOdd);
            QTest::addRow("nonzero %u", seed) << seed << int(FillRule::NonZero);
        }
    }
    void randomPolygonsMatchBruteForce()
    {
        QFETCH(unsigned, seed);
        QFETCH(int, rule);
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> coordinate(-5.0, 65.0);
        // A freehand lasso that crosses itself; vertices off the pixel grid so that no pixel
        // centre lies on an edge.
        std::vector<Point> lasso;
        for (int n = 0; n < 25; ++n)
            lasso.push_back(
                {std::floor(coordinate(rng)) + 0.37, std::floor(coordinate(rng)) + 0.61});
        const int w = 60, h = 55;
        const auto mask = PolygonFill::rasterize(lasso, w, h, FillRule(rule));
        for (int v = 0; v < h; ++v)
            for (int u = 0; u < w; ++u) {
                const int winding = windingNumber(lasso, u, v);
                const bool inside =
                    FillRule(rule) == FillRule::EvenOdd ? (winding % 2 != 0) : winding != 0;
                QCOMPARE(int(mask[std::size_t(v) * w + u]), inside ? 1 : 0);
            }
    }

    void pentagramCentreDependsOnTheRule()
    {
        std::vector<Point> star;
        for (int n = 0; n < 5; ++n) {
            const double angle = -M_PI / 2 + n * 4 * M_PI / 5; // every second point of a pentagon
            star.push_back({50.3 + 40 * std::cos(angle), 50.3 + 40 * std::sin(angle)});
        }
        const auto evenOdd = PolygonFill::rasterize(star, 100, 100, FillRule::EvenOdd);
        const auto nonZero = PolygonFill::rasterize(star, 100, 100, FillRule::NonZero);
        QCOMPARE(int(evenOdd[50 * 100 + 50]), 0);
        QCOMPARE(int(nonZero[50 * 100 + 50]), 1);
        QCOMPARE(int(evenOdd[20 * 100 + 50]), 1); // a point of the star
        QCOMPARE(int(nonZero[20 * 100 + 50]), 1);
    }

    void fillWritesTheDrawLabelOnThePlane_data()
    {
        QTest::addColumn<int>("axis");
        QTest::newRow("axial") << int(SliceAxis::Axial);
        QTest::newRow("sagittal") << int(SliceAxis::Sagittal);
        QTest::newRow("coronal") << int(SliceAxis::Coronal);
    }
    void fillWritesTheDrawLabelOnThePlane()
    {
        QFETCH(int, axis);
        const SliceAxis plane = SliceAxis(axis);
        LabelMap map(20, 30, 40);
        map.setValue(4, 4, 4, 9);
        LabelPolicy policy;
        policy.drawLabel = 5;
        policy.lockedLabels.set(9);
        LabelEdit edit(map, policy);
        const std::vector<Point> square{{1.5, 1.5}, {6.5, 1.5}, {6.5, 6.5}, {1.5, 6.5}};
        QCOMPARE(PolygonFill::fill(edit, plane, 4, square), std::size_t(24)); // 25 - the locked
        for (int v = 0; v < map.sliceHeight(plane); ++v)
            for (int u = 0; u < map.sliceWidth(plane); ++u) {
                const auto ijk = sliceToVoxel(plane, u, v, 4);
                const bool inside = u >= 2 && u <= 6 && v >= 2 && v <= 6;
                const LabelValue expected = (u == 4 && v == 4) ? 9 : inside ? 5 : 0;
                QCOMPARE(map.value(ijk[0], ijk[1], ijk[2]), expected);
            }
        QCOMPARE(edit.finish().changedVoxelCount(), std::size_t(24));
    }
};

QTEST_APPLESS_MAIN(tst_PolygonFill)
#include "tst_PolygonFill.moc"
