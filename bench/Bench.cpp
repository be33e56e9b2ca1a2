// medseg-bench: images per second of PSPNet on each backbone, inference and one training step,
// with LibTorch only. Run by hand (see bench/README.md); never part of ctest.

#include "core/train/Autocast.h"
#include "core/train/CudaGraphStep.h"
#include "core/train/FusedAdamW.h"
#include "core/train/Losses.h"
#include "core/train/Trainer.h"
#include "models/Registry.h"
#include "tests/train/SyntheticTrainingData.h"

#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/cuda.h>
#include <torch/nn.h>
#include <torch/optim.h>
#include <torch/version.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using medseg::models::availableBackbones;
using medseg::models::createModel;
using medseg::models::ModelConfig;
using medseg::models::parameterCount;

struct Options
{
    int size = 256;
    int batch = 2;
    int iterations = 5;
    int warmup = 1;
    int rounds = 1; // with --reference: ours and the reference alternately, this many times
    int threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    int output_stride = 8;
    int classes = 2;
    int in_channels = 3;
    bool aux = false;
    std::string amp = "off"; // off, bf16, fp16 (CUDA only; CPU bf16 is ~50x slower on AVX2)
    bool channels_last = false;
    std::string pyramid_head = "auto"; // auto, upsampled, factored (models/PyramidConv.h)
    bool cuda_graph = false;           // capture the whole training step (CUDA)
    bool cudnn_benchmark = false;      // let cuDNN time its algorithms (both sides)
    bool check_graph = false;          // compare graphed and eager training steps, then exit
    bool trainer_check = false;     // train the synthetic task with core/train's Trainer, then exit
    bool reference_compile = false; // also time torch.compile in the reference
    std::string reference; // a Python with torch + torchvision: run pspnet_reference.py too
    std::string reference_script;
    std::string profile; // chrome trace of the timed iterations (autograd profiler)
    bool forward = true;
    bool train = true;
    std::string device = "cpu";
    std::vector<std::string> backbones = availableBackbones();
};

void usage()
{
    std::cout
        << "usage: medseg-bench [options]\n"
           "  --size N           input height and width (default 256)\n"
           "  --batch N          images per batch (default 2)\n"
           "  --iterations N     timed iterations (default 5)\n"
           "  --warmup N         untimed iterations first (default 1)\n"
           "  --rounds N         with --reference: time ours and PyTorch alternately N times and\n"
           "                     print medians (ratio: the median of the per-round ratios), so\n"
           "                     that a change of clock or load moves both columns (default 1)\n"
           "  --device cpu|cuda  (default cpu)\n"
           "  --threads N        intra-op threads (default: hardware concurrency)\n"
           "  --output-stride N  8, 16 or 32 (default 8)\n"
           "  --classes N        (default 2)\n"
           "  --in-channels N    (default 3)\n"
           "  --aux              train with the auxiliary head (loss weight 0.4)\n"
           "  --amp off|bf16|fp16  autocast on CUDA (default off)\n"
           "  --channels-last    channels_last memory format\n"
           "  --pyramid-head auto|upsampled|factored  how the bottleneck convolves the pyramid\n"
           "                     branches (models/PyramidConv.h; auto: factored on the CPU,\n"
           "                     upsampled on CUDA; the reference always upsamples)\n"
           "  --cuda-graph       capture the whole training step in a CUDA graph (CUDA)\n"
           "  --cudnn-benchmark  let cuDNN time its algorithms (here and in the reference)\n"
           "  --check-graph      train 8 steps eagerly and 8 as a CUDA graph from the same\n"
           "                     weights, compare losses and weights, and exit\n"
           "  --trainer-check    train the synthetic discs-and-squares task with the Trainer\n"
           "                     (3 stages) on --device with --amp, print Dice and time, exit\n"
           "  --reference-compile  time torch.compile in the reference too\n"
           "  --reference PYTHON also run bench/pspnet_reference.py with PYTHON (same model,\n"
           "                     loss and optimizer) and print both side by side\n"
           "  --reference-script FILE  (default: the source tree's copy)\n"
           "  --profile FILE     write the operators of the timed iterations as a chrome trace\n"
           "                     (one backbone, --forward-only or --train-only; compare two\n"
           "                     traces with bench/profile_compare.py)\n"
           "  --backbones A,B    (default: all)\n"
           "  --forward-only | --train-only\n";
}

std::vector<std::string> split(const std::string &list)
{
    std::vector<std::string> items;
    std::stringstream stream(list);
    for (std::string item; std::getline(stream, item, ',');)
        if (!item.empty())
            items.push_back(item);
    return items;
}

Options parse(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "missing value after " << arg << "\n";
                std::exit(2);
            }
            return argv[++i];
        };
        const auto number = [&]() {
            const std::string text = value();
            try {
                size_t used = 0;
                const int n = std::stoi(text, &used);
                if (used == text.size())
                    return n;
            } catch (const std::exception &) {
            }
            std::cerr << "not a number after " << arg << ": " << text << "\n";
            std::exit(2);
        };
        if (arg == "--size")
            o.size = number();
        else if (arg == "--batch")
            o.batch = number();
        else if (arg == "--iterations")
            o.iterations = number();
        else if (arg == "--warmup")
            o.warmup = number();
        else if (arg == "--rounds")
            o.rounds = std::max(1, number());
        else if (arg == "--device")
            o.device = value();
        else if (arg == "--threads")
            o.threads = number();
        else if (arg == "--output-stride")
            o.output_stride = number();
        else if (arg == "--classes")
            o.classes = number();
        else if (arg == "--in-channels")
            o.in_channels = number();
        else if (arg == "--aux")
            o.aux = true;
        else if (arg == "--amp")
            o.amp = value();
        else if (arg == "--channels-last")
            o.channels_last = true;
        else if (arg == "--pyramid-head")
            o.pyramid_head = value();
        else if (arg == "--cuda-graph")
            o.cuda_graph = true;
        else if (arg == "--cudnn-benchmark")
            o.cudnn_benchmark = true;
        else if (arg == "--check-graph")
            o.check_graph = true;
        else if (arg == "--trainer-check")
            o.trainer_check = true;
        else if (arg == "--reference-compile")
            o.reference_compile = true;
        else if (arg == "--reference")
            o.reference = value();
        else if (arg == "--reference-script")
            o.reference_script = value();
        else if (arg == "--profile")
            o.profile = value();
        else if (arg == "--backbones")
            o.backbones = split(value());
        else if (arg == "--forward-only")
            o.train = false;
        else if (arg == "--train-only")
            o.forward = false;
        else if (arg == "-h" || arg == "--help") {
            usage();
            std::exit(0);
        } else {
            std::cerr << "unknown option " << arg << "\n";
            usage();
            std::exit(2);
        }
    }
    if (o.size < 1 || o.batch < 1 || o.iterations < 1 || o.warmup < 0 || o.threads < 1) {
        std::cerr << "size, batch, iterations and threads must be positive\n";
        std::exit(2);
    }
    if (o.amp != "off" && o.amp != "bf16" && o.amp != "fp16") {
        std::cerr << "--amp must be off, bf16 or fp16\n";
        std::exit(2);
    }
    if (o.pyramid_head != "auto" && o.pyramid_head != "upsampled" && o.pyramid_head != "factored") {
        std::cerr << "--pyramid-head must be auto, upsampled or factored\n";
        std::exit(2);
    }
    if (o.amp == "fp16" && o.cuda_graph) {
        // fp16 needs dynamic loss scaling, whose skip decision is a host-side branch.
        std::cerr << "--cuda-graph runs with --amp off or bf16\n";
        std::exit(2);
    }
    return o;
}

class Timer
{
public:
    explicit Timer(const torch::Device &device)
        : device_(device)
    {}
    void start()
    {
        sync();
        begin_ = std::chrono::steady_clock::now();
    }
    double seconds()
    {
        sync();
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin_).count();
    }

private:
    void sync()
    {
        if (device_.is_cuda())
            torch::cuda::synchronize();
    }
    torch::Device device_;
    std::chrono::steady_clock::time_point begin_;
};

struct Row
{
    std::string backbone;
    double parameters_m = 0;
    double forward_ips = 0, forward_ms = 0;
    double train_ips = 0, train_ms = 0;
};

double median(std::vector<double> values)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
}

// Per column, the median over rounds.
Row medianRow(const std::vector<Row> &rows)
{
    Row m = rows.front();
    const auto column = [&](double Row::*field) {
        std::vector<double> values;
        for (const Row &r : rows)
            values.push_back(r.*field);
        m.*field = median(values);
    };
    for (double Row::*field :
         {&Row::forward_ips, &Row::forward_ms, &Row::train_ips, &Row::train_ms})
        column(field);
    return m;
}

at::ScalarType autocastType(const Options &o)
{
    return o.amp == "fp16" ? at::kHalf : at::kBFloat16;
}

medseg::models::PSPNet makeModel(const ModelConfig &config, const torch::Device &device,
                                 const Options &o)
{
    using medseg::models::PyramidHead;
    auto model = createModel(config);
    model->to(device);
    if (o.channels_last)
        medseg::models::toChannelsLast(*model);
    model->setPyramidHead(o.pyramid_head == "factored"    ? PyramidHead::Factored
                          : o.pyramid_head == "upsampled" ? PyramidHead::Upsampled
                                                          : PyramidHead::Automatic);
    return model;
}

ModelConfig modelConfig(const std::string &backbone, const Options &o)
{
    ModelConfig config;
    config.backbone = backbone;
    config.num_classes = o.classes;
    config.in_channels = o.in_channels;
    config.output_stride = o.output_stride;
    config.aux = o.aux;
    return config;
}

// One training step as core/train's Trainer runs it: MedicalLoss (0.7 Dice + 0.3 focal) under
// autocast and the multi-tensor AdamW (fused on CUDA with LibTorch 2.x). Returns the loss.
struct TrainStep
{
    medseg::models::PSPNet model;
    medseg::core::FusedAdamW optimizer;
    torch::Tensor images, labels;
    bool autocast = false;
    at::ScalarType type = at::kBFloat16;
    double auxWeight = 0.4;

    torch::Tensor operator()()
    {
        optimizer.zeroGrad();
        torch::Tensor loss;
        {
            const medseg::core::AutocastScope scope(autocast, type);
            const auto output = model->forward(images);
            loss = medseg::core::medicalLoss(output.logits, labels);
            if (output.aux_logits.defined())
                loss = loss + auxWeight * medseg::core::medicalLoss(output.aux_logits, labels);
        }
        loss.backward();
        optimizer.step();
        return loss;
    }
};

medseg::core::FusedAdamW makeOptimizer(medseg::models::PSPNet &model)
{
    medseg::core::FusedAdamW::NamedParameters parameters;
    for (const auto &parameter : model->named_parameters())
        parameters.emplace_back(parameter.key(), parameter.value());
    medseg::core::AdamWOptions adamw;
    adamw.learningRate = 1e-4;
    return medseg::core::FusedAdamW(parameters, adamw);
}

// --profile: the autograd profiler records the timed iterations and writes its chrome trace when
// the returned guard goes.
std::unique_ptr<torch::autograd::profiler::RecordProfile> startProfile(const Options &o)
{
    if (o.profile.empty())
        return nullptr;
    return std::make_unique<torch::autograd::profiler::RecordProfile>(o.profile);
}

// Eager steps to warm a CudaGraphStep up with before it captures.
constexpr int kGraphEagerSteps = 3;

Row measure(const std::string &backbone, const Options &o, const torch::Device &device)
{
    const ModelConfig config = modelConfig(backbone, o);
    auto model = makeModel(config, device, o);
    Row row;
    row.backbone = backbone;
    row.parameters_m = static_cast<double>(parameterCount(*model)) / 1e6;

    const auto options = torch::TensorOptions().device(device);
    auto images = torch::randn({o.batch, o.in_channels, o.size, o.size}, options);
    if (o.channels_last)
        images = images.contiguous(at::MemoryFormat::ChannelsLast);
    const auto labels =
        torch::randint(o.classes, {o.batch, o.size, o.size}, options.dtype(torch::kLong));
    const bool autocast = device.is_cuda() && o.amp != "off";
    Timer timer(device);

    if (o.forward) {
        model->eval();
        torch::NoGradGuard no_grad;
        const medseg::core::AutocastScope scope(autocast, autocastType(o));
        for (int i = 0; i < o.warmup; ++i)
            model->forward(images);
        const auto profile = startProfile(o);
        timer.start();
        for (int i = 0; i < o.iterations; ++i)
            model->forward(images);
        const double s = timer.seconds();
        row.forward_ms = 1000.0 * s / o.iterations;
        row.forward_ips = o.batch * o.iterations / s;
    }
    if (o.train) {
        model->train();
        TrainStep step{model,    makeOptimizer(model), images,           labels,
                       autocast, autocastType(o),      config.aux_weight};
        std::function<void()> run = [&] {
            step();
        };
        std::unique_ptr<medseg::core::CudaGraphStep> graph;
        int warmup = o.warmup;
        if (o.cuda_graph) {
            graph = std::make_unique<medseg::core::CudaGraphStep>(std::ref(step), kGraphEagerSteps);
            run = [&] {
                graph->run();
            };
            warmup = std::max(warmup, kGraphEagerSteps + 2); // the capture, then a replay
        }
        for (int i = 0; i < warmup; ++i)
            run();
        const auto profile = startProfile(o);
        timer.start();
        for (int i = 0; i < o.iterations; ++i)
            run();
        const double s = timer.seconds();
        row.train_ms = 1000.0 * s / o.iterations;
        row.train_ips = o.batch * o.iterations / s;
    }
    return row;
}

// The CUDA graph must compute what the eager steps compute: two copies of one network (dropout
// off, so that both see the same function), the same batch, 8 steps each; the losses of each
// step and the weights at the end are compared.
int checkGraph(const std::string &backbone, const Options &o, const torch::Device &device)
{
    ModelConfig config = modelConfig(backbone, o);
    config.dropout = 0.0;
    const auto options = torch::TensorOptions().device(device);
    torch::manual_seed(1);
    auto images = torch::randn({o.batch, o.in_channels, o.size, o.size}, options);
    if (o.channels_last)
        images = images.contiguous(at::MemoryFormat::ChannelsLast);
    const auto labels =
        torch::randint(o.classes, {o.batch, o.size, o.size}, options.dtype(torch::kLong));
    const bool autocast = device.is_cuda() && o.amp != "off";
    constexpr int steps = 8;

    const auto train = [&](bool graphed, std::vector<double> &losses) {
        torch::manual_seed(2);
        auto model = makeModel(config, device, o);
        model->train();
        TrainStep step{model,    makeOptimizer(model), images,           labels,
                       autocast, autocastType(o),      config.aux_weight};
        std::unique_ptr<medseg::core::CudaGraphStep> graph;
        if (graphed)
            graph = std::make_unique<medseg::core::CudaGraphStep>(std::ref(step), kGraphEagerSteps);
        for (int i = 0; i < steps; ++i)
            losses.push_back((graphed ? graph->run() : step()).item<double>());
        if (graphed && !graph->captured())
            throw std::runtime_error("the step was never captured");
        return model;
    };
    std::vector<double> eagerLosses, graphLosses;
    auto eager = train(false, eagerLosses);
    auto graphed = train(true, graphLosses);

    double lossDiff = 0, weightDiff = 0, weightScale = 0;
    for (int i = 0; i < steps; ++i)
        lossDiff = std::max(lossDiff, std::abs(eagerLosses[i] - graphLosses[i]) /
                                          std::max(1e-12, std::abs(eagerLosses[i])));
    const auto a = eager->parameters(), b = graphed->parameters();
    for (std::size_t i = 0; i < a.size(); ++i) {
        weightDiff = std::max(weightDiff, (a[i] - b[i]).abs().max().item<double>());
        weightScale = std::max(weightScale, a[i].abs().max().item<double>());
    }
    std::printf("%-20s step  eager loss    graph loss\n", backbone.c_str());
    for (int i = 0; i < steps; ++i)
        std::printf("%-20s %4d  %.8f  %.8f%s\n", "", i + 1, eagerLosses[i], graphLosses[i],
                    i == kGraphEagerSteps ? "  (captured here)" : "");
    // Same arithmetic, but cuDNN's backward kernels add in a varying order: differences of a few
    // float32 roundings per step, which AdamW's normalised steps carry into the weights.
    const double lossTolerance = autocast ? 1e-2 : 1e-4;
    const bool same = lossDiff <= lossTolerance && weightDiff <= 50 * 1e-4 * steps;
    std::printf("%-20s max relative loss difference %.2e (tolerance %.0e), max weight difference "
                "%.2e (largest weight %.2f): %s\n",
                backbone.c_str(), lossDiff, lossTolerance, weightDiff, weightScale,
                same ? "the graph computes the eager step" : "MISMATCH");
    return same ? 0 : 1;
}

// core/train's Trainer end to end on the device: the synthetic discs-and-squares task of
// tst_Trainer, three stages, with --amp and channels_last.
int trainerCheck(const Options &o)
{
    using namespace medseg::core;
    const TrainingData data = medseg::test::makeSyntheticData(32, 8);
    TrainingConfig config = medseg::test::learningConfig();
    config.device = o.device;
    config.amp = o.device == "cuda" ? o.amp : "off";
    config.channelsLast = o.channels_last;
    config.threads = o.threads;
    char pattern[] = "/tmp/medseg-trainer-check-XXXXXX";
    const char *dir = mkdtemp(pattern);
    if (!dir)
        throw std::runtime_error("cannot create a temporary folder");
    TrainerHooks hooks;
    hooks.onEvent = [](const TrainingEvent &event) {
        std::printf("  %s\n", describe(event).c_str());
    };
    const auto started = std::chrono::steady_clock::now();
    const TrainingResult result = Trainer(config, std::string(dir) + "/run").fit(data, hooks);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const bool ok = result.status == TrainingResult::Status::Finished && result.bestMeanDice >= 0.8;
    std::printf("trainer check: device %s, amp %s, channels_last %s: %lld steps in %.1f s, best "
                "mean foreground Dice %.3f: %s\n",
                o.device.c_str(), config.amp.c_str(), o.channels_last ? "on" : "off",
                static_cast<long long>(result.steps), seconds, result.bestMeanDice,
                ok ? "OK (>= 0.8)" : ("FAILED " + result.message).c_str());
    std::filesystem::remove_all(dir);
    return ok ? 0 : 1;
}

// The same measurement by bench/pspnet_reference.py (PyTorch eager, or torch.compile with
// --reference-compile), run after ours so the two never share the cores or the GPU.
Row measureReference(const std::string &backbone, const Options &o, bool compile)
{
    const std::string script = o.reference_script.empty()
                                   ? std::string(MEDSEG_BENCH_SOURCE_DIR) + "/pspnet_reference.py"
                                   : o.reference_script;
    std::ostringstream command;
    command << "'" << o.reference << "' '" << script << "' --json --size " << o.size << " --batch "
            << o.batch << " --iterations " << o.iterations << " --warmup " << o.warmup
            << " --device " << o.device << " --threads " << o.threads << " --output-stride "
            << o.output_stride << " --classes " << o.classes << " --in-channels " << o.in_channels
            << " --backbones " << backbone << " --amp " << o.amp
            << (o.channels_last ? " --channels-last" : "") << (compile ? " --compile" : "")
            << (o.cudnn_benchmark ? " --cudnn-benchmark" : "")
            << (!o.train ? " --forward-only" : "") << (!o.forward ? " --train-only" : "");
    FILE *pipe = popen(command.str().c_str(), "r");
    if (!pipe)
        throw std::runtime_error("cannot run " + o.reference);
    std::string output;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe))
        output += buffer;
    if (pclose(pipe) != 0)
        throw std::runtime_error("the PyTorch reference failed: " + command.str());
    const auto line = nlohmann::json::parse(output.substr(output.rfind('{')));
    Row row;
    row.backbone = backbone;
    row.parameters_m = line.value("params", 0.0);
    row.forward_ips = line.value("fwd_ips", 0.0);
    row.forward_ms = line.value("fwd_ms", 0.0);
    row.train_ips = line.value("train_ips", 0.0);
    row.train_ms = line.value("train_ms", 0.0);
    return row;
}

} // namespace

int main(int argc, char **argv)
{
    const Options o = parse(argc, argv);
    if (o.device == "cuda" && !torch::cuda::is_available()) {
        std::cerr << "CUDA requested but this LibTorch has no usable CUDA device\n";
        return 1;
    }
    if (o.device != "cpu" && o.device != "cuda") {
        std::cerr << "device must be cpu or cuda\n";
        return 2;
    }
    const torch::Device device(o.device == "cuda" ? torch::kCUDA : torch::kCPU);
    at::set_num_threads(o.threads);
    torch::manual_seed(0);
    if (o.cudnn_benchmark)
        at::globalContext().setBenchmarkCuDNN(true);
    if (o.cuda_graph && o.device != "cuda") {
        std::cerr << "--cuda-graph needs --device cuda\n";
        return 2;
    }
    if (!o.profile.empty() && (o.backbones.size() != 1 || o.rounds > 1 || o.forward == o.train)) {
        std::cerr << "--profile traces one backbone, one round, with --forward-only or "
                     "--train-only\n";
        return 2;
    }
    if ((o.cuda_graph || o.check_graph) && !medseg::core::CudaGraphStep::available()) {
        std::cerr << "CUDA graphs need a LibTorch built with CUDA; this one is CPU-only\n";
        return 2;
    }
    try {
        if (o.trainer_check)
            return trainerCheck(o);
        if (o.check_graph) {
            int failures = 0;
            for (const auto &backbone : o.backbones)
                failures += checkGraph(backbone, o, device);
            return failures ? 1 : 0;
        }
    } catch (const std::exception &e) {
        std::printf("failed: %s\n", e.what());
        return 1;
    }

    std::printf("medseg-bench: LibTorch %s, device %s, %d threads, input %dx%dx%dx%d, "
                "output stride %d, %d classes%s, pyramid head %s, amp %s%s%s%s, %d warm-up + %d "
                "timed iterations\n",
                TORCH_VERSION, o.device.c_str(), at::get_num_threads(), o.batch, o.in_channels,
                o.size, o.size, o.output_stride, o.classes, o.aux ? ", aux head" : "",
                o.pyramid_head.c_str(), o.amp.c_str(), o.channels_last ? ", channels_last" : "",
                o.cuda_graph ? ", training step as a CUDA graph" : "",
                o.cudnn_benchmark ? ", cuDNN benchmark" : "", o.warmup, o.iterations);
    if (o.rounds > 1 && !o.reference.empty())
        std::printf("medians of %d rounds, ours and PyTorch alternately; ratio: the median of the "
                    "per-round ratios\n",
                    o.rounds);
    const bool compare = !o.reference.empty();
    if (compare) {
        std::printf("%-20s %9s %12s %12s %7s %12s %12s %7s", "backbone", "params M", "fwd C++",
                    "fwd PyTorch", "ratio", "train C++", "train PyTorch", "ratio");
        if (o.reference_compile)
            std::printf(" %12s %7s %12s %7s", "fwd compile", "ratio", "train compile", "ratio");
        std::printf("\n");
    } else {
        std::printf("%-20s %9s %14s %12s %14s %12s\n", "backbone", "params M", "forward img/s",
                    "forward ms", "train img/s", "train ms");
    }
    int status = 0;
    const auto ratio = [](double a, double b) {
        return b > 0 ? a / b : 0.0;
    };
    for (const auto &backbone : o.backbones) {
        try {
            if (compare) {
                // Alternating rounds: ours, then PyTorch, then ours again...
                std::vector<Row> ours, theirs;
                std::vector<double> forwardRatios, trainRatios;
                for (int round = 0; round < o.rounds; ++round) {
                    ours.push_back(measure(backbone, o, device));
                    theirs.push_back(measureReference(backbone, o, false));
                    forwardRatios.push_back(
                        ratio(ours.back().forward_ips, theirs.back().forward_ips));
                    trainRatios.push_back(ratio(ours.back().train_ips, theirs.back().train_ips));
                }
                const Row r = medianRow(ours);
                const Row p = medianRow(theirs);
                if (std::abs(p.parameters_m - r.parameters_m) > 1e-6)
                    std::printf("%-20s parameter counts differ (%.6f M against %.6f M): the two "
                                "networks are not the same\n",
                                backbone.c_str(), r.parameters_m, p.parameters_m);
                std::printf("%-20s %9.2f %12.2f %12.2f %6.2fx %12.2f %12.2f %6.2fx",
                            r.backbone.c_str(), r.parameters_m, r.forward_ips, p.forward_ips,
                            median(forwardRatios), r.train_ips, p.train_ips, median(trainRatios));
                std::fflush(stdout);
                if (o.reference_compile) {
                    const Row c = measureReference(backbone, o, true);
                    std::printf(" %12.2f %6.2fx %12.2f %6.2fx", c.forward_ips,
                                ratio(r.forward_ips, c.forward_ips), c.train_ips,
                                ratio(r.train_ips, c.train_ips));
                }
                std::printf("\n");
            } else {
                const Row r = measure(backbone, o, device);
                std::printf("%-20s %9.2f %14.2f %12.1f %14.2f %12.1f\n", r.backbone.c_str(),
                            r.parameters_m, r.forward_ips, r.forward_ms, r.train_ips, r.train_ms);
            }
        } catch (const std::exception &e) {
            std::printf("%-20s failed: %s\n", backbone.c_str(), e.what());
            status = 1;
        }
        std::fflush(stdout);
    }
    return status;
}
