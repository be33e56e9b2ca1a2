#include "core/labels/SliceInterpolation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <vector>

namespace medseg::core {

namespace {

// Felzenszwalb & Huttenlocher's 1D squared distance transform of f along samples spaced `step`
// apart: out[p] = min_q (step*(p-q))^2 + f[q].
void distance1d(const std::vector<double> &f, double step, std::vector<double> &out,
                std::vector<int> &v, std::vector<double> &z)
{
    const int n = int(f.size());
    const double inf = std::numeric_limits<double>::infinity();
    v.assign(n, 0);
    z.assign(n + 1, 0.0);
    int hull = 0;
    v[0] = 0;
    z[0] = -inf;
    z[1] = inf;
    // Skip leading infinite samples: a parabola at infinity never wins.
    int first = 0;
    while (first < n && f[first] == inf)
        ++first;
    if (first == n) {
        out.assign(n, inf);
        return;
    }
    v[0] = first;
    for (int q = first + 1; q < n; ++q) {
        if (f[q] == inf)
            continue;
        const double xq = q * step;
        double s;
        while (true) {
            const double xv = v[hull] * step;
            s = ((f[q] + xq * xq) - (f[v[hull]] + xv * xv)) / (2.0 * (xq - xv));
            if (s <= z[hull] && hull > 0)
                --hull;
            else
                break;
        }
        ++hull;
        v[hull] = q;
        z[hull] = s;
        z[hull + 1] = inf;
    }
    out.resize(n);
    int h = 0;
    for (int p = 0; p < n; ++p) {
        const double xp = p * step;
        while (z[h + 1] < xp)
            ++h;
        const double d = xp - v[h] * step;
        out[p] = d * d + f[v[h]];
    }
}

// Squared Euclidean distance (mm^2) from every pixel to the nearest pixel with mask == target.
std::vector<double> squaredDistance(const std::vector<std::uint8_t> &mask, int width, int height,
                                    double du, double dv, std::uint8_t target)
{
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> grid(mask.size());
    for (std::size_t n = 0; n < mask.size(); ++n)
        grid[n] = mask[n] == target ? 0.0 : inf;
    std::vector<double> f, out;
    std::vector<int> v;
    std::vector<double> z;
    f.resize(height);
    for (int u = 0; u < width; ++u) {
        for (int y = 0; y < height; ++y)
            f[y] = grid[std::size_t(y) * width + u];
        distance1d(f, dv, out, v, z);
        for (int y = 0; y < height; ++y)
            grid[std::size_t(y) * width + u] = out[y];
    }
    f.resize(width);
    for (int y = 0; y < height; ++y) {
        std::copy(grid.begin() + std::ptrdiff_t(y) * width,
                  grid.begin() + std::ptrdiff_t(y + 1) * width, f.begin());
        distance1d(f, du, out, v, z);
        std::copy(out.begin(), out.end(), grid.begin() + std::ptrdiff_t(y) * width);
    }
    return grid;
}

// Signed distance (mm): negative inside, positive outside, zero half a pixel beyond the
// boundary pixels on either side (so a shape and its complement are symmetric).
std::vector<float> signedDistance(const std::vector<std::uint8_t> &mask, int width, int height,
                                  double du, double dv)
{
    const std::vector<double> toInside = squaredDistance(mask, width, height, du, dv, 1);
    const std::vector<double> toOutside = squaredDistance(mask, width, height, du, dv, 0);
    const double half = 0.5 * std::min(du, dv);
    const double far = 1e6;
    std::vector<float> sd(mask.size());
    for (std::size_t n = 0; n < mask.size(); ++n) {
        if (mask[n])
            sd[n] = float(-(std::min(std::sqrt(toOutside[n]), far) - half));
        else
            sd[n] = float(std::min(std::sqrt(toInside[n]), far) - half);
    }
    return sd;
}

} // namespace

std::size_t SliceInterpolation::interpolate(LabelEdit &edit, SliceAxis axis, LabelValue label)
{
    const LabelMap &map = edit.map();
    const int count = map.sliceCount(axis);
    const int width = map.sliceWidth(axis);
    const int height = map.sliceHeight(axis);
    if (count < 3 || width == 0 || height == 0)
        return 0;
    const auto axes = planeAxes(axis);
    const double du = map.geometry().spacing[axes[0]] > 0 ? map.geometry().spacing[axes[0]] : 1.0;
    const double dv = map.geometry().spacing[axes[1]] > 0 ? map.geometry().spacing[axes[1]] : 1.0;

    // Which labels each slice holds (read before anything is written).
    std::vector<std::set<LabelValue>> present(count);
    for (int s = 0; s < count; ++s) {
        if (!map.sliceHasLabels(axis, s))
            continue;
        for (LabelValue v : map.slice(axis, s))
            if (v != 0 && (label == 0 || v == label))
                present[s].insert(v);
    }
    std::set<LabelValue> labels;
    for (const auto &p : present)
        labels.insert(p.begin(), p.end());

    auto maskOf = [&](int s, LabelValue value) {
        std::vector<LabelValue> values = map.slice(axis, s);
        std::vector<std::uint8_t> mask(values.size());
        for (std::size_t n = 0; n < values.size(); ++n)
            mask[n] = values[n] == value ? 1 : 0;
        return mask;
    };

    struct Gap
    {
        LabelValue value;
        int from;
        int to;
    };
    std::vector<Gap> gaps;
    for (LabelValue value : labels) {
        int previous = -1;
        for (int s = 0; s < count; ++s) {
            if (!present[s].count(value))
                continue;
            if (previous >= 0 && s - previous > 1)
                gaps.push_back({value, previous, s});
            previous = s;
        }
    }

    std::size_t changed = 0;
    for (const Gap &gap : gaps) {
        const std::vector<float> a =
            signedDistance(maskOf(gap.from, gap.value), width, height, du, dv);
        const std::vector<float> b =
            signedDistance(maskOf(gap.to, gap.value), width, height, du, dv);
        for (int s = gap.from + 1; s < gap.to; ++s) {
            const float t = float(s - gap.from) / float(gap.to - gap.from);
            for (int v = 0; v < height; ++v)
                for (int u = 0; u < width; ++u) {
                    const std::size_t n = std::size_t(v) * width + u;
                    if ((1.0f - t) * a[n] + t * b[n] > 0.0f)
                        continue;
                    const auto ijk = sliceToVoxel(axis, u, v, s);
                    changed += edit.write(ijk[0], ijk[1], ijk[2], gap.value) ? 1 : 0;
                }
        }
    }
    return changed;
}

} // namespace medseg::core
