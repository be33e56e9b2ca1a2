#include "core/train/Augmentation.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace medseg::core {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Columns of the per-sample uniform draws; always drawn, so a sample's parameters do not depend
// on the options of the others.
enum Draw : int {
    DrawBrightnessContrast,
    DrawBrightness,
    DrawContrast,
    DrawRotate,
    DrawAngle,
    DrawElastic,
    DrawGrid,
    DrawFlip,
    DrawCount
};

at::Tensor indexTensor(const std::vector<std::int64_t> &indexes, const at::Device &device)
{
    return at::tensor(indexes, at::TensorOptions().dtype(at::kLong)).to(device);
}

// Separable Gaussian smoothing of [M, 1, H, W] with scipy's truncation (4 sigma); edges are
// replicated, which works for any image size (reflection needs a pad below the size).
at::Tensor gaussianBlur(const at::Tensor &field, double sigma)
{
    if (sigma <= 0)
        return field;
    const int radius = std::max(1, int(4.0 * sigma + 0.5));
    at::Tensor x = at::arange(-radius, radius + 1, field.options());
    at::Tensor kernel = at::exp(-(x * x) / (2.0 * sigma * sigma));
    kernel = kernel / kernel.sum();
    at::Tensor out = at::replication_pad2d(field, {radius, radius, 0, 0});
    out = at::conv2d(out, kernel.view({1, 1, 1, -1}));
    out = at::replication_pad2d(out, {0, 0, radius, radius});
    return at::conv2d(out, kernel.view({1, 1, -1, 1}));
}

// Evaluates the piecewise-linear maps of albumentations' GridDistortion at continuous
// coordinates `u` [M, P] (pixel units, 0..size): knots every size/S pixels, cell k stretched by
// steps[m, k]; the knots are rescaled so that the map still spans 0..size (albumentations'
// `normalized` form: nothing is pushed out of the image). Linear extrapolation outside.
at::Tensor gridDistortionMap(const at::Tensor &u, const at::Tensor &steps, double size)
{
    const std::int64_t cells = steps.size(1);
    const double cell = size / double(cells);
    at::Tensor knots =
        at::cat({at::zeros({steps.size(0), 1}, steps.options()), at::cumsum(steps, 1)}, 1);
    knots = knots * (size / knots.narrow(1, cells, 1));
    const at::Tensor t = u / cell;
    const at::Tensor k = at::clamp(at::floor(t), 0, double(cells - 1));
    const at::Tensor kl = k.to(at::kLong);
    const at::Tensor lo = knots.gather(1, kl);
    const at::Tensor hi = knots.gather(1, kl + 1);
    return lo + (t - k) * (hi - lo);
}

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

// What each sample of a batch gets, from its row of draws.
struct BatchPlan
{
    std::vector<std::int64_t> intensity, warped, flipped; // sample indexes
    std::vector<double> alpha, beta;                      // per `intensity` sample
    std::vector<double> angles;                           // per `warped` sample (radians)
    std::vector<float> elasticOn, gridOn;                 // per `warped` sample: 1 or 0
    bool anyElastic = false;
    bool anyGrid = false;
};

BatchPlan planBatch(const at::Tensor &draws, const AugmentationOptions &o)
{
    const auto d = draws.accessor<double, 2>();
    auto uniform = [](double u, double limit) {
        return (2.0 * u - 1.0) * limit;
    };
    BatchPlan plan;
    for (std::int64_t i = 0; i < draws.size(0); ++i) {
        if (d[i][DrawBrightnessContrast] < o.brightnessContrastProbability) {
            plan.intensity.push_back(i);
            plan.alpha.push_back(1.0 + uniform(d[i][DrawContrast], o.contrastLimit));
            plan.beta.push_back(uniform(d[i][DrawBrightness], o.brightnessLimit));
        }
        const bool rotate = d[i][DrawRotate] < o.rotateProbability;
        const bool elastic = d[i][DrawElastic] < o.elasticProbability;
        const bool grid = d[i][DrawGrid] < o.gridProbability;
        if (rotate || elastic || grid) {
            plan.warped.push_back(i);
            plan.angles.push_back(rotate ? uniform(d[i][DrawAngle], o.rotateDegrees) * kPi / 180.0
                                         : 0.0);
            plan.elasticOn.push_back(elastic ? 1.0f : 0.0f);
            plan.gridOn.push_back(grid ? 1.0f : 0.0f);
            plan.anyElastic = plan.anyElastic || elastic;
            plan.anyGrid = plan.anyGrid || grid;
        }
        if (d[i][DrawFlip] < o.flipProbability)
            plan.flipped.push_back(i);
    }
    return plan;
}

// Random numbers drawn for the whole batch: grid distortion steps [N, 2, steps] and elastic
// noise [N, 2, H, W], on the CPU; undefined when no sample needs them.
struct RandomFields
{
    at::Tensor gridSteps;
    at::Tensor noise;
};

// Brightness/contrast (albumentations, brightness_by_max): x * alpha + beta, clamped.
void adjustIntensity(at::Tensor &images, const BatchPlan &plan, const AugmentationOptions &o)
{
    if (plan.intensity.empty())
        return;
    const auto cpuDouble = at::TensorOptions().dtype(at::kDouble);
    const at::Tensor index = indexTensor(plan.intensity, images.device());
    const at::Tensor a =
        at::tensor(plan.alpha, cpuDouble).to(images.device(), images.scalar_type());
    const at::Tensor b = at::tensor(plan.beta, cpuDouble).to(images.device(), images.scalar_type());
    at::Tensor changed =
        images.index_select(0, index) * a.view({-1, 1, 1, 1}) + b.view({-1, 1, 1, 1});
    if (o.unitRange)
        changed = changed.clamp(0.0, 1.0);
    images = images.index_copy(0, index, changed);
}

// One sampling grid per warped sample ([M, H, W, 2] in grid_sample's [-1, 1]): output pixel ->
// grid distortion -> elastic -> inverse rotation -> source pixel (the forward order is rotate,
// elastic, grid). Continuous pixel coordinates with pixel centres at i + 0.5, as grid_sample's
// align_corners=false.
at::Tensor warpGrid(const BatchPlan &plan, const RandomFields &fields, const AugmentationOptions &o,
                    std::int64_t h, std::int64_t w, const at::Device &device)
{
    const std::int64_t m = std::int64_t(plan.warped.size());
    const at::Tensor index = indexTensor(plan.warped, device);
    const auto cpuFloat = at::TensorOptions().dtype(at::kFloat);
    const auto fopts = cpuFloat.device(device);
    at::Tensor x = (at::arange(w, fopts) + 0.5).view({1, 1, w}).expand({m, h, w});
    at::Tensor y = (at::arange(h, fopts) + 0.5).view({1, h, 1}).expand({m, h, w});
    if (plan.anyGrid) {
        const at::Tensor on = at::tensor(plan.gridOn, cpuFloat).to(device).view({m, 1});
        at::Tensor steps = fields.gridSteps.to(device).index_select(0, index);
        steps = 1.0f + (2.0f * steps - 1.0f) * float(o.gridDistortLimit);
        // Samples without grid distortion get unit steps: the identity map.
        const at::Tensor sx = 1.0f + (steps.select(1, 0) - 1.0f) * on;
        const at::Tensor sy = 1.0f + (steps.select(1, 1) - 1.0f) * on;
        x = gridDistortionMap(x.reshape({m, h * w}), sx, double(w)).view({m, h, w});
        y = gridDistortionMap(y.reshape({m, h * w}), sy, double(h)).view({m, h, w});
    }
    if (plan.anyElastic) {
        // albumentations' ElasticTransform: U(-1, 1) field, Gaussian of sigma px, times alpha
        // px; sampled (bilinearly) where the grid stage looks.
        const at::Tensor on = at::tensor(plan.elasticOn, cpuFloat).to(device).view({m, 1, 1, 1});
        at::Tensor field = fields.noise.to(device).index_select(0, index) * 2.0f - 1.0f;
        field = gaussianBlur(field.view({m * 2, 1, h, w}), o.elasticSigma).view({m, 2, h, w});
        field = field * float(o.elasticAlpha) * on;
        const at::Tensor where =
            at::stack({x * (2.0f / float(w)) - 1.0f, y * (2.0f / float(h)) - 1.0f}, -1);
        const at::Tensor shift = at::grid_sampler(field, where, 0, 1, false);
        x = x + shift.select(1, 0);
        y = y + shift.select(1, 1);
    }
    // Inverse of cv2.getRotationMatrix2D about the image centre.
    const at::Tensor theta =
        at::tensor(plan.angles, at::TensorOptions().dtype(at::kDouble)).to(device, at::kFloat);
    const at::Tensor c = at::cos(theta).view({m, 1, 1});
    const at::Tensor s = at::sin(theta).view({m, 1, 1});
    const float cx = float(w) / 2.0f;
    const float cy = float(h) / 2.0f;
    const at::Tensor dx = x - cx;
    const at::Tensor dy = y - cy;
    x = cx + c * dx - s * dy;
    y = cy + s * dx + c * dy;
    return at::stack({x * (2.0f / float(w)) - 1.0f, y * (2.0f / float(h)) - 1.0f}, -1);
}

// Warps the planned samples: images bilinearly, masks by nearest neighbour on index + 1, so that
// 0 marks pixels from outside the image (ignored).
void warp(AugmentedBatch &batch, const BatchPlan &plan, const RandomFields &fields,
          const AugmentationOptions &o)
{
    const at::Device device = batch.images.device();
    const at::Tensor grid =
        warpGrid(plan, fields, o, batch.images.size(2), batch.images.size(3), device);
    const at::Tensor index = indexTensor(plan.warped, device);
    const at::Tensor image = batch.images.index_select(0, index).to(at::kFloat);
    const at::Tensor warpedImage =
        at::grid_sampler(image, grid, /*bilinear*/ 0, /*zeros*/ 0, false);
    batch.images = batch.images.index_copy(0, index, warpedImage.to(batch.images.scalar_type()));

    const at::Tensor mask = batch.masks.index_select(0, index).to(at::kFloat).unsqueeze(1) + 1.0f;
    const at::Tensor sampled =
        at::grid_sampler(mask, grid, /*nearest*/ 1, /*zeros*/ 0, false).squeeze(1);
    const at::Tensor classes = at::round(sampled).to(batch.masks.scalar_type());
    const at::Tensor warpedMask =
        at::where(classes == 0, at::full_like(classes, o.ignoreIndex), classes - 1);
    batch.masks = batch.masks.index_copy(0, index, warpedMask);
}

} // namespace

std::string toString(AugmentationLevel level)
{
    switch (level) {
    case AugmentationLevel::None:
        return "none";
    case AugmentationLevel::Low:
        return "low";
    case AugmentationLevel::Medium:
        return "medium";
    case AugmentationLevel::High:
        return "high";
    }
    return "none";
}

AugmentationLevel augmentationLevelFromString(const std::string &name)
{
    const std::string wanted = lower(name);
    for (AugmentationLevel level : {AugmentationLevel::None, AugmentationLevel::Low,
                                    AugmentationLevel::Medium, AugmentationLevel::High})
        if (toString(level) == wanted)
            return level;
    throw std::runtime_error("unknown augmentation level '" + name +
                             "' (expected none, low, medium or high)");
}

AugmentationOptions AugmentationOptions::forLevel(AugmentationLevel level)
{
    AugmentationOptions options;
    switch (level) {
    case AugmentationLevel::None:
        options.rotateProbability = 0;
        options.elasticProbability = 0;
        options.gridProbability = 0;
        options.brightnessContrastProbability = 0;
        options.flipProbability = 0;
        break;
    case AugmentationLevel::Low:
        options.rotateProbability = 0.3;
        options.elasticProbability = 0;
        options.gridProbability = 0;
        options.brightnessContrastProbability = 0.3;
        options.flipProbability = 0.5;
        break;
    case AugmentationLevel::Medium:
        options.rotateProbability = 0.5;
        options.elasticProbability = 0.2;
        options.gridProbability = 0.2;
        options.brightnessContrastProbability = 0.5;
        options.flipProbability = 0.5;
        break;
    case AugmentationLevel::High:
        options.rotateProbability = 0.7;
        options.elasticProbability = 0.4;
        options.gridProbability = 0.4;
        options.brightnessContrastProbability = 0.7;
        options.flipProbability = 0.5;
        break;
    }
    return options;
}

Augmenter::Augmenter(AugmentationOptions options, std::uint64_t seed)
    : m_options(std::move(options))
    , m_generator(at::detail::createCPUGenerator(seed))
{}

Augmenter::Augmenter(const Augmenter &other)
    : m_options(other.m_options)
    , m_generator(other.m_generator.clone())
{}

Augmenter &Augmenter::operator=(const Augmenter &other)
{
    if (this != &other) {
        m_options = other.m_options;
        m_generator = other.m_generator.clone();
    }
    return *this;
}

const AugmentationOptions &Augmenter::options() const
{
    return m_options;
}

void Augmenter::setOptions(const AugmentationOptions &options)
{
    m_options = options;
}

std::string Augmenter::state() const
{
    at::Tensor bytes;
    {
        std::lock_guard<std::mutex> lock(m_generator.mutex());
        bytes = m_generator.get_state().contiguous();
    }
    return std::string(reinterpret_cast<const char *>(bytes.data_ptr<std::uint8_t>()),
                       std::size_t(bytes.numel()));
}

void Augmenter::setState(const std::string &state)
{
    at::Tensor bytes =
        at::empty({std::int64_t(state.size())}, at::TensorOptions().dtype(at::kByte));
    std::copy(state.begin(), state.end(), reinterpret_cast<char *>(bytes.data_ptr<std::uint8_t>()));
    try {
        std::lock_guard<std::mutex> lock(m_generator.mutex());
        m_generator.set_state(bytes);
    } catch (const std::exception &error) {
        throw std::runtime_error("augmentation state of " + std::to_string(state.size()) +
                                 " bytes is not a random generator state: " + error.what());
    }
}

AugmentedBatch Augmenter::operator()(const torch::Tensor &images, const torch::Tensor &masks)
{
    if (images.dim() != 4 || masks.dim() != 3 || images.size(0) != masks.size(0) ||
        images.size(2) != masks.size(1) || images.size(3) != masks.size(2))
        throw std::runtime_error("augmentation needs images [N, C, H, W] and masks [N, H, W] of "
                                 "the same N, H and W");
    if (!images.is_floating_point())
        throw std::runtime_error("augmentation needs floating-point images in [0, 1]");
    if (masks.is_floating_point() || masks.scalar_type() == at::kBool)
        throw std::runtime_error("augmentation needs integer class-index masks");

    const std::int64_t n = images.size(0);
    const std::int64_t h = images.size(2);
    const std::int64_t w = images.size(3);
    AugmentedBatch out{images, masks};
    if (n == 0 || h == 0 || w == 0)
        return out;

    const BatchPlan plan = planBatch(
        at::rand({n, DrawCount}, m_generator, at::TensorOptions().dtype(at::kDouble)), m_options);
    // Drawn for the whole batch (only when some sample needs them), so the stream of numbers
    // depends on the batch's shape and flags only.
    const auto cpuFloat = at::TensorOptions().dtype(at::kFloat);
    RandomFields fields;
    if (plan.anyGrid)
        fields.gridSteps =
            at::rand({n, 2, std::max(1, m_options.gridSteps)}, m_generator, cpuFloat);
    if (plan.anyElastic)
        fields.noise = at::rand({n, 2, h, w}, m_generator, cpuFloat);

    adjustIntensity(out.images, plan, m_options);
    if (!plan.warped.empty())
        warp(out, plan, fields, m_options);
    if (!plan.flipped.empty()) {
        const at::Tensor index = indexTensor(plan.flipped, images.device());
        out.images = out.images.index_copy(0, index, out.images.index_select(0, index).flip({3}));
        out.masks = out.masks.index_copy(0, index, out.masks.index_select(0, index).flip({2}));
    }
    return out;
}

} // namespace medseg::core
