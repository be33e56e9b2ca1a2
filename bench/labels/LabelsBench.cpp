// medseg-labels-bench: speed and undo memory of core/labels on a CT-sized grid.
//
//   medseg-labels-bench [--strokes N] [--seed N]
//
// Measures a radius-10 brush dab on a 512x512 slice, dense slice extraction (axial, coronal,
// sagittal) from a painted 512x512x400 map, and the undo memory of N random strokes (30 mouse
// positions each, radius 8, 2D, plus a row with 3D balls) on 512x512x400, with the time to undo
// and redo them all. Prints one table (times are thread CPU time). Run by hand; not a test.

#include "core/labels/LabelEdit.h"
#include "core/labels/LabelMap.h"
#include "core/labels/PaintBrush.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <time.h>
#include <vector>

using namespace medseg::core;

namespace {

// Thread CPU time rather than wall time: the code measured is single-threaded and the build
// machines are shared, where wall time mostly measures the neighbours.
double cpuNow()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + 1e-9 * double(now.tv_nsec);
}

double seconds(const std::function<void()> &work)
{
    const double start = cpuNow();
    work();
    return cpuNow() - start;
}

void row(const char *what, double value, const char *unit)
{
    std::printf("| %-58s | %12.3f | %-10s |\n", what, value, unit);
}

struct StrokeResult
{
    std::size_t dabs = 0;
    std::size_t deltaBytes = 0;
    std::size_t mapBytes = 0;
    double paintSeconds = 0;
    double undoSeconds = 0;
    double redoSeconds = 0;
    bool exact = true;
};

// N strokes of 30 mouse positions, ~5 voxels apart (a brisk drag), each one LabelDelta.
StrokeResult randomStrokes(int strokes, bool threeD, unsigned seed)
{
    LabelMap map(512, 512, 400);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> step(-5.0, 5.0);
    BrushSettings settings;
    settings.radius = 8.0;
    settings.threeD = threeD;
    const PaintBrush brush(settings, map.geometry());
    std::vector<LabelDelta> deltas;
    StrokeResult result;
    result.paintSeconds = seconds([&] {
        for (int s = 0; s < strokes; ++s) {
            LabelPolicy policy;
            policy.drawLabel = LabelValue(1 + rng() % 6);
            LabelEdit edit(map, policy);
            Vec3 p{double(20 + rng() % 472), double(20 + rng() % 472), double(rng() % 400)};
            for (int n = 0; n < 30; ++n) {
                const Vec3 q{std::clamp(p[0] + step(rng), 0.0, 511.0),
                             std::clamp(p[1] + step(rng), 0.0, 511.0), p[2]};
                brush.stroke(edit, p, q);
                result.dabs +=
                    std::size_t(std::ceil(std::max(std::abs(q[0] - p[0]), std::abs(q[1] - p[1])))) +
                    1;
                p = q;
            }
            deltas.push_back(edit.finish());
        }
    });
    for (const LabelDelta &delta : deltas)
        result.deltaBytes += delta.memoryBytes();
    result.mapBytes = map.memoryBytes();
    // Check exactness on a sample of slices rather than the 100 M voxels.
    auto sample = [&] {
        std::vector<LabelValue> all;
        for (int k = 0; k < 400; k += 7) {
            const auto slice = map.slice(SliceAxis::Axial, k);
            all.insert(all.end(), slice.begin(), slice.end());
        }
        return all;
    };
    const std::vector<LabelValue> painted = sample();
    result.undoSeconds = seconds([&] {
        for (auto it = deltas.rbegin(); it != deltas.rend(); ++it)
            it->undo(map);
    });
    result.exact = map.allocatedTileCount() == 0;
    result.redoSeconds = seconds([&] {
        for (const LabelDelta &delta : deltas)
            delta.redo(map);
    });
    result.exact = result.exact && sample() == painted;
    return result;
}

} // namespace

int main(int argc, char **argv)
{
    int strokes = 100;
    unsigned seed = 1;
    for (int n = 1; n + 1 < argc; n += 2) {
        if (std::strcmp(argv[n], "--strokes") == 0)
            strokes = std::atoi(argv[n + 1]);
        else if (std::strcmp(argv[n], "--seed") == 0)
            seed = unsigned(std::atoi(argv[n + 1]));
    }

    std::printf("| %-58s | %12s | %-10s |\n", "measure", "value", "unit");
    std::printf("|%s|%s|%s|\n", std::string(60, '-').c_str(), std::string(14, '-').c_str(),
                std::string(12, '-').c_str());

    // 1. Dabs of radius 10 on one 512x512 slice, strokes of 30 dabs (each finish()ed).
    {
        LabelMap map(512, 512, 1);
        const PaintBrush brush({BrushShape::Round, 10.0, false, false, SliceAxis::Axial}, {});
        std::mt19937 rng(seed);
        const int dabs = 30000;
        std::size_t deltaBytes = 0;
        const double t = seconds([&] {
            for (int s = 0; s < dabs / 30; ++s) {
                LabelPolicy policy;
                policy.drawLabel = LabelValue(rng() % 4); // eraser included
                LabelEdit edit(map, policy);
                for (int n = 0; n < 30; ++n)
                    brush.dab(edit, {double(rng() % 512), double(rng() % 512), 0.0});
                deltaBytes += edit.finish().memoryBytes();
            }
        });
        row("brush dab r=10 (2D, 317 voxels), incl. snapshot + finish", t / dabs * 1e6, "us/dab");
        LabelEdit edit(map, LabelPolicy{});
        const double again = seconds([&] {
            for (int n = 0; n < dabs; ++n)
                brush.dab(edit, {256.0, 256.0, 0.0});
        });
        row("brush dab r=10 on voxels already painted", again / dabs * 1e6, "us/dab");
        (void)deltaBytes;
    }

    // 2. Slice extraction from a painted 512x512x400 map.
    {
        LabelMap map(512, 512, 400);
        {
            const PaintBrush ball({BrushShape::Round, 40.0, false, true, SliceAxis::Axial}, {});
            LabelEdit edit(map, LabelPolicy{});
            for (int n = 0; n < 40; ++n)
                ball.dab(edit, {double(60 + n * 10), double(100 + (n * 37) % 300), double(n * 10)});
        }
        std::vector<std::uint8_t> bytes(512 * 512);
        std::vector<std::uint16_t> words(512 * 512);
        const int count = 2000;
        auto rate = [&](SliceAxis axis, auto *out) {
            const double t = seconds([&] {
                for (int n = 0; n < count; ++n)
                    map.extractSlice(axis, (n * 7) % map.sliceCount(axis), out);
            });
            return count / t;
        };
        row("axial slice 512x512 -> uint8", rate(SliceAxis::Axial, bytes.data()), "slices/s");
        row("axial slice 512x512 -> uint16", rate(SliceAxis::Axial, words.data()), "slices/s");
        row("coronal slice 512x400 -> uint8", rate(SliceAxis::Coronal, bytes.data()), "slices/s");
        row("sagittal slice 512x400 -> uint8", rate(SliceAxis::Sagittal, bytes.data()), "slices/s");
        row("painted map memory (40 balls r=40)", map.memoryBytes() / 1048576.0, "MiB");
    }

    // 3. Undo memory of random strokes.
    for (bool threeD : {false, true}) {
        const StrokeResult r = randomStrokes(strokes, threeD, seed);
        const std::string name = std::to_string(strokes) + " strokes x 30 moves, r=8 " +
                                 (threeD ? "3D ball" : "2D disc");
        std::printf("| %-58s | %12s | %-10s |\n", name.c_str(), "", "");
        row("  dab positions along the strokes (approx.)", double(r.dabs), "dabs");
        row("  undo memory, all deltas", r.deltaBytes / 1048576.0, "MiB");
        row("  label map memory", r.mapBytes / 1048576.0, "MiB");
        row("  painting time", r.paintSeconds * 1e3, "ms");
        row("  undo all / redo all", (r.undoSeconds + r.redoSeconds) * 1e3 / 2, "ms each");
        row("  undo then redo exact (1 = yes)", r.exact ? 1.0 : 0.0, "");
    }
    return 0;
}
