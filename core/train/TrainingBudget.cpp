#include "core/train/TrainingBudget.h"

#include "core/train/Augmentation.h"
#include "core/train/FusedAdamW.h"
#include "core/train/Losses.h"
#include "models/Registry.h"

#include <torch/torch.h>

#ifdef MEDSEG_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <cuda_runtime_api.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace medseg::core {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string gigabytes(std::int64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.2f GB", double(bytes) / 1e9);
    return text;
}

// A line of /proc/meminfo or /proc/self/status ("VmHWM:  123456 kB"), in bytes; -1 if absent.
std::int64_t procKilobytes(const char *file, const std::string &key)
{
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key + ":", 0) == 0) {
            std::istringstream fields(line.substr(key.size() + 1));
            std::int64_t kilobytes = -1;
            fields >> kilobytes;
            return kilobytes < 0 ? -1 : kilobytes * 1024;
        }
    return -1;
}

// The process's peak resident memory since the last reset (Linux: writing 5 to clear_refs
// resets VmHWM to the current resident size). False where the kernel does not allow it.
bool resetPeakResident()
{
    std::ofstream out("/proc/self/clear_refs");
    out << "5";
    out.flush();
    return bool(out);
}

class TrialProbe final : public TrainingProbe
{
public:
    explicit TrialProbe(const TrainingConfig &config)
        : m_config(config)
        , m_cuda(usesCuda(config))
        , m_device(m_cuda ? at::Device(at::kCUDA) : at::Device(at::kCPU))
        , m_augmenter(augmentation(config), 0x9b0be)
    {
        if (config.threads > 0)
            at::set_num_threads(config.threads);
        else
            at::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
        m_restBytes = processBytes();
        torch::manual_seed(config.seed);
        m_model = models::createModel(config.model);
        m_model->to(m_device);
        for (const auto &item : m_model->named_parameters(true))
            m_parameters.emplace_back(item.key(), item.value());
        m_optimizer = std::make_unique<FusedAdamW>(m_parameters);
    }

    StepCost measure(int batchSize) override
    {
        StepCost cost;
        cost.batchSize = batchSize;
        const bool peakKnown = resetPeak();
        step(batchSize); // warm-up: allocations, optimizer state, kernel selection
        const auto started = Clock::now();
        constexpr int timed = 2;
        for (int i = 0; i < timed; ++i)
            step(batchSize);
        synchronize();
        cost.stepSeconds = secondsSince(started) / timed;
        if (peakKnown)
            cost.peakBytes = std::max<std::int64_t>(0, peakBytes() - m_restBytes);
        cost.predictSecondsPerSlice = predictSeconds();
        cost.saveSeconds = saveSeconds();
        return cost;
    }

    std::int64_t memoryBudgetBytes() override
    {
#ifdef MEDSEG_WITH_CUDA
        if (m_cuda) {
            std::size_t free = 0, total = 0;
            if (cudaMemGetInfo(&free, &total) != cudaSuccess)
                return -1;
            // What this process already holds in the caching allocator is ours to use again.
            const auto stats =
                c10::cuda::CUDACachingAllocator::getDeviceStats(c10::cuda::current_device());
            const auto aggregate = std::size_t(c10::CachingAllocator::StatType::AGGREGATE);
            return std::int64_t(0.9 * double(free + stats.reserved_bytes[aggregate].current -
                                             stats.allocated_bytes[aggregate].current));
        }
#endif
        const std::int64_t available = procKilobytes("/proc/meminfo", "MemAvailable");
        return available < 0 ? -1 : available / 2;
    }

    std::string memoryName() const override
    {
        return m_cuda ? "GPU memory" : "RAM";
    }

private:
    static AugmentationOptions augmentation(const TrainingConfig &config)
    {
        return AugmentationOptions::forLevel(config.stages.front().augmentation);
    }

    int inputSize() const
    {
        return m_config.stages.front().inputSize;
    }

    void step(int batchSize)
    {
        const auto size = std::int64_t(inputSize());
        const auto options = at::TensorOptions().device(m_device);
        const at::Tensor images =
            at::rand({batchSize, m_config.model.in_channels, size, size}, options);
        const at::Tensor masks = at::randint(m_config.model.num_classes, {batchSize, size, size},
                                             options.dtype(at::kLong));
        const AugmentedBatch batch = m_augmenter(images, masks);
        m_model->train();
        m_optimizer->zeroGrad();
        const models::PSPNetOutput output = m_model->forward(batch.images);
        at::Tensor loss = medicalLoss(output.logits, batch.masks, m_config.loss);
        if (output.aux_logits.defined())
            loss = loss + m_config.model.aux_weight *
                              medicalLoss(output.aux_logits, batch.masks, m_config.loss);
        loss.backward();
        m_optimizer->step();
        (void)loss.item<double>(); // the trainer reads every step's loss
    }

    double predictSeconds()
    {
        c10::NoGradGuard noGrad;
        m_model->eval();
        const auto size = std::int64_t(inputSize());
        const at::Tensor slice = at::rand({1, m_config.model.in_channels, size, size},
                                          at::TensorOptions().device(m_device));
        (void)m_model->forward(slice).logits.argmax(1).cpu();
        const auto started = Clock::now();
        constexpr int timed = 2;
        for (int i = 0; i < timed; ++i)
            (void)m_model->forward(slice).logits.argmax(1).cpu();
        return secondsSince(started) / timed;
    }

    double saveSeconds()
    {
        const fs::path path =
            fs::temp_directory_path() /
            ("medseg-trial-" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".pt");
        const auto started = Clock::now();
        torch::save(m_model, path.string());
        const double seconds = secondsSince(started);
        std::error_code ignored;
        fs::remove(path, ignored);
        return seconds;
    }

    void synchronize() const
    {
#ifdef MEDSEG_WITH_CUDA
        if (m_cuda)
            c10::cuda::device_synchronize();
#endif
    }

    bool resetPeak() const
    {
#ifdef MEDSEG_WITH_CUDA
        if (m_cuda) {
            c10::cuda::CUDACachingAllocator::resetPeakStats(c10::cuda::current_device());
            return true;
        }
#endif
        return resetPeakResident();
    }

    std::int64_t peakBytes() const
    {
#ifdef MEDSEG_WITH_CUDA
        if (m_cuda) {
            const auto stats =
                c10::cuda::CUDACachingAllocator::getDeviceStats(c10::cuda::current_device());
            return stats.allocated_bytes[std::size_t(c10::CachingAllocator::StatType::AGGREGATE)]
                .peak;
        }
#endif
        return procKilobytes("/proc/self/status", "VmHWM");
    }

    // Before the network exists: on a GPU nothing of ours, on a CPU the resident process.
    std::int64_t processBytes() const
    {
        if (m_cuda)
            return 0;
        return std::max<std::int64_t>(0, procKilobytes("/proc/self/status", "VmRSS"));
    }

    TrainingConfig m_config;
    bool m_cuda = false;
    at::Device m_device;
    Augmenter m_augmenter;
    std::int64_t m_restBytes = 0;
    models::PSPNet m_model{nullptr};
    FusedAdamW::NamedParameters m_parameters;
    std::unique_ptr<FusedAdamW> m_optimizer;
};

} // namespace

std::unique_ptr<TrainingProbe> makeTrialProbe(const TrainingConfig &config)
{
    return std::make_unique<TrialProbe>(config);
}

int largestBatch(bool cuda, std::int64_t trainSlices)
{
    const int cap = cuda ? 32 : 8;
    return int(std::clamp<std::int64_t>(trainSlices, 2, cap));
}

BatchChoice chooseBatchSize(TrainingProbe &probe, int largest)
{
    BatchChoice choice;
    choice.largest = std::max(2, largest);
    choice.budgetBytes = probe.memoryBudgetBytes();
    choice.memoryName = probe.memoryName();
    const auto fits = [&](std::int64_t bytes) {
        return choice.budgetBytes < 0 || bytes < 0 || bytes <= choice.budgetBytes;
    };
    choice.measured.push_back(probe.measure(2));
    if (!fits(choice.measured.back().peakBytes))
        throw std::runtime_error(
            "a training step with 2 slices takes " + gigabytes(choice.measured.back().peakBytes) +
            " of " + choice.memoryName + ", more than the " + gigabytes(choice.budgetBytes) +
            " available: choose a smaller input size or a lighter backbone");
    while (choice.measured.back().batchSize * 2 <= choice.largest) {
        const StepCost &last = choice.measured.back();
        // Activation memory grows linearly with the batch; weights and optimizer state do not,
        // so doubling the measured peak over-estimates the next one.
        if (last.peakBytes >= 0 && !fits(2 * last.peakBytes))
            break;
        StepCost next = probe.measure(last.batchSize * 2);
        if (!fits(next.peakBytes))
            break;
        choice.measured.push_back(next);
    }
    choice.batchSize = choice.measured.back().batchSize;
    return choice;
}

void apply(const BatchChoice &choice, TrainingConfig &config)
{
    for (StagePlan &stage : config.stages)
        stage.batchSize = choice.batchSize;
}

std::string describe(const BatchChoice &choice)
{
    const StepCost &cost = choice.measured.back();
    std::string text = "batch " + std::to_string(choice.batchSize) + " (";
    if (cost.peakBytes >= 0 && choice.budgetBytes >= 0)
        text += "a step took " + gigabytes(cost.peakBytes) + " of the " +
                gigabytes(choice.budgetBytes) + " of " + choice.memoryName + " it may use";
    else
        text += choice.memoryName + " use not measurable here";
    if (choice.batchSize >= choice.largest)
        text += "; " + std::to_string(choice.largest) + " is the most tried " +
                (choice.memoryName == "RAM" ? "on a CPU" : "on a GPU") + " for these data";
    else
        text += "; twice the batch would not fit";
    char seconds[64];
    std::snprintf(seconds, sizeof seconds, "; %.3f s per step", cost.stepSeconds);
    return text + seconds + ")";
}

TimePlan planEpochs(const TrainingConfig &config, std::int64_t trainSlices, std::int64_t valSlices,
                    const StepCost &cost, double budgetSeconds, double spentSeconds)
{
    if (cost.batchSize < 1 || !(cost.stepSeconds > 0))
        throw std::invalid_argument("planEpochs: no measured step");
    TimePlan plan;
    plan.budgetSeconds = budgetSeconds;
    plan.spentSeconds = spentSeconds;
    const double perSlice = cost.stepSeconds / double(cost.batchSize);
    for (const StagePlan &stage : config.stages) {
        const std::int64_t steps = stepsPerEpoch(stage, trainSlices);
        const std::int64_t batch = stageBatchSize(stage, trainSlices);
        // A step's time grows with its batch; measured at cost.batchSize.
        const double stepSeconds =
            batch == cost.batchSize ? cost.stepSeconds : perSlice * double(batch);
        // The best model is written beside the next epoch (core/train/BackgroundWrite.h).
        plan.epochSeconds +=
            double(steps) * stepSeconds + double(valSlices) * cost.predictSecondsPerSlice;
    }
    // Choosing flip TTA predicts every validation slice plainly and flipped; then the final
    // model and the best one are written.
    plan.finishSeconds =
        2.0 * double(valSlices) * cost.predictSecondsPerSlice + 2.0 * cost.saveSeconds;
    const double left = budgetSeconds - spentSeconds - plan.finishSeconds;
    plan.epochs = int(std::floor(left / plan.epochSeconds));
    if (plan.epochs < 1) {
        char text[256];
        std::snprintf(text, sizeof text,
                      "the time budget of %.0f s is too short: one epoch takes about %.1f s here "
                      "(after %.1f s of reading the data and measuring), and finishing %.1f s",
                      budgetSeconds, plan.epochSeconds, spentSeconds, plan.finishSeconds);
        throw std::runtime_error(text);
    }
    return plan;
}

double RunPace::median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    const auto middle = values.begin() + std::ptrdiff_t(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

void RunPace::addStep(double seconds)
{
    m_stepsSeconds += seconds;
    ++m_steps;
}

void RunPace::endEpoch(double epochSeconds)
{
    if (m_steps > 0)
        m_window.push_back(
            {m_stepsSeconds / m_steps, std::max(0.0, epochSeconds - m_stepsSeconds), epochSeconds});
    m_stepsSeconds = 0;
    m_steps = 0;
}

void RunPace::restart()
{
    if (!m_window.empty())
        m_previous = {stepSeconds(), overheadSeconds(0), epochSeconds()};
    m_window.clear();
}

double RunPace::stepSeconds() const
{
    std::vector<double> steps;
    for (const Epoch &e : m_window)
        steps.push_back(e.step);
    if (!steps.empty())
        return median(steps);
    if (m_previous.step > 0)
        return m_previous.step;
    return m_steps > 0 ? m_stepsSeconds / m_steps : 0;
}

double RunPace::overheadSeconds(double fallback) const
{
    std::vector<double> overheads;
    for (const Epoch &e : m_window)
        overheads.push_back(e.overhead);
    if (!overheads.empty())
        return median(overheads);
    return m_previous.total > 0 ? m_previous.overhead : fallback;
}

double RunPace::epochSeconds() const
{
    std::vector<double> totals;
    for (const Epoch &e : m_window)
        totals.push_back(e.total);
    return totals.empty() ? m_previous.total : median(totals);
}

int refitEpochs(const std::vector<std::int64_t> &stepsPerEpoch, int stage, int epochsDone,
                double stepSeconds, double validationSeconds, double secondsLeft)
{
    const auto cost = [&](std::size_t s) {
        return double(stepsPerEpoch[s]) * stepSeconds + validationSeconds;
    };
    // (E - done) epochs of this stage and E of each later one in the time left.
    double perEpoch = 0;
    for (std::size_t s = std::size_t(stage); s < stepsPerEpoch.size(); ++s)
        perEpoch += cost(s);
    const double left =
        secondsLeft - 2.0 * validationSeconds + double(epochsDone) * cost(std::size_t(stage));
    if (!(perEpoch > 0))
        return epochsDone;
    return std::max(epochsDone, int(std::floor(left / perEpoch)));
}

void apply(const TimePlan &plan, TrainingConfig &config)
{
    for (StagePlan &stage : config.stages)
        stage.epochs = plan.epochs;
    config.timeBudgetSeconds = plan.budgetSeconds - plan.spentSeconds;
}

std::string describe(const TimePlan &plan)
{
    char text[256];
    std::snprintf(text, sizeof text,
                  "%d epochs (%.1f s each, %.1f s to finish, %.1f s already spent): %.0f s of "
                  "the %.0f s budget",
                  plan.epochs, plan.epochSeconds, plan.finishSeconds, plan.spentSeconds,
                  plan.plannedSeconds(), plan.budgetSeconds);
    return text;
}

MachineFit fitToMachine(TrainingConfig &config, std::int64_t trainSlices, std::int64_t valSlices,
                        bool chooseBatch, double budgetSeconds, Clock::time_point started)
{
    MachineFit fit;
    if (!chooseBatch && !(budgetSeconds > 0))
        return fit;
    const std::unique_ptr<TrainingProbe> probe = makeTrialProbe(config);
    StepCost cost;
    if (chooseBatch) {
        fit.batch = chooseBatchSize(*probe, largestBatch(usesCuda(config), trainSlices));
        apply(*fit.batch, config);
        cost = fit.batch->measured.back();
    } else {
        cost = probe->measure(config.stages.front().batchSize);
    }
    if (budgetSeconds > 0) {
        const double spent = std::chrono::duration<double>(Clock::now() - started).count();
        fit.plan = planEpochs(config, trainSlices, valSlices, cost, budgetSeconds, spent);
        apply(*fit.plan, config);
    }
    return fit;
}

} // namespace medseg::core
