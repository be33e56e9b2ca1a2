// medseg-bench: images per second of PSPNet on each backbone, inference and one training step,
// with LibTorch only. Run by hand (see bench/README.md); never part of ctest.

#include "core/train/FusedAdamW.h"
#include "core/train/Losses.h"
#include "models/Registry.h"

#include <ATen/autocast_mode.h>

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
#include <iostream>
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
    int threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    int output_stride = 8;
    int classes = 2;
    int in_channels = 3;
    bool aux = false;
    std::string amp = "off"; // off, bf16, fp16 (CUDA only; CPU bf16 is ~50x slower on AVX2)
    bool channels_last = false;
    std::string reference; // a Python with torch + torchvision: run pspnet_reference.py too
    std::string reference_script;
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
           "  --device cpu|cuda  (default cpu)\n"
           "  --threads N        intra-op threads (default: hardware concurrency)\n"
           "  --output-stride N  8, 16 or 32 (default 8)\n"
           "  --classes N        (default 2)\n"
           "  --in-channels N    (default 3)\n"
           "  --aux              train with the auxiliary head (loss weight 0.4)\n"
           "  --amp off|bf16|fp16  autocast on CUDA (default off)\n"
           "  --channels-last    channels_last memory format\n"
           "  --reference PYTHON also run bench/pspnet_reference.py with PYTHON (same model,\n"
           "                     loss and optimizer) and print both side by side\n"
           "  --reference-script FILE  (default: the source tree's copy)\n"
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
        else if (arg == "--reference")
            o.reference = value();
        else if (arg == "--reference-script")
            o.reference_script = value();
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

Row measure(const std::string &backbone, const Options &o, const torch::Device &device)
{
    ModelConfig config;
    config.backbone = backbone;
    config.num_classes = o.classes;
    config.in_channels = o.in_channels;
    config.output_stride = o.output_stride;
    config.aux = o.aux;
    auto model = createModel(config);
    model->to(device);
    Row row;
    row.backbone = backbone;
    row.parameters_m = static_cast<double>(parameterCount(*model)) / 1e6;

    const auto options = torch::TensorOptions().device(device);
    auto images = torch::randn({o.batch, o.in_channels, o.size, o.size}, options);
    if (o.channels_last) {
        // LibTorch modules have no to(memory_format): convert the 4D weights in place.
        torch::NoGradGuard no_grad;
        for (auto &parameter : model->parameters()) {
            if (parameter.dim() == 4)
                parameter.set_data(parameter.contiguous(at::MemoryFormat::ChannelsLast));
        }
        images = images.contiguous(at::MemoryFormat::ChannelsLast);
    }
    const auto labels =
        torch::randint(o.classes, {o.batch, o.size, o.size}, options.dtype(torch::kLong));
    Timer timer(device);

    if (o.forward) {
        model->eval();
        torch::NoGradGuard no_grad;
        at::autocast::set_enabled(device.is_cuda() && o.amp != "off");
        for (int i = 0; i < o.warmup; ++i)
            model->forward(images);
        timer.start();
        for (int i = 0; i < o.iterations; ++i)
            model->forward(images);
        const double s = timer.seconds();
        row.forward_ms = 1000.0 * s / o.iterations;
        row.forward_ips = o.batch * o.iterations / s;
        at::autocast::set_enabled(false);
        at::autocast::clear_cache();
    }
    if (o.train) {
        model->train();
        // What core/train's Trainer runs: MedicalLoss (0.7 Dice + 0.3 focal) and the
        // multi-tensor AdamW (fused on CUDA with LibTorch 2.x).
        medseg::core::FusedAdamW::NamedParameters parameters;
        for (const auto &parameter : model->named_parameters())
            parameters.emplace_back(parameter.key(), parameter.value());
        medseg::core::AdamWOptions adamw;
        adamw.learningRate = 1e-4;
        medseg::core::FusedAdamW optimizer(parameters, adamw);
        const bool autocast = device.is_cuda() && o.amp != "off";
        const auto step = [&] {
            optimizer.zeroGrad();
            torch::Tensor loss;
            {
                at::autocast::set_enabled(autocast);
                const auto output = model->forward(images);
                loss = medseg::core::medicalLoss(output.logits, labels);
                if (output.aux_logits.defined())
                    loss = loss +
                           config.aux_weight * medseg::core::medicalLoss(output.aux_logits, labels);
                at::autocast::set_enabled(false);
                at::autocast::clear_cache();
            }
            loss.backward();
            optimizer.step();
        };
        for (int i = 0; i < o.warmup; ++i)
            step();
        timer.start();
        for (int i = 0; i < o.iterations; ++i)
            step();
        const double s = timer.seconds();
        row.train_ms = 1000.0 * s / o.iterations;
        row.train_ips = o.batch * o.iterations / s;
    }
    return row;
}

// The same measurement by bench/pspnet_reference.py (PyTorch eager, or torch.compile with
// MEDSEG_BENCH_COMPILE=1), run after ours so the two never share the cores.
Row measureReference(const std::string &backbone, const Options &o)
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
            << (o.channels_last ? " --channels-last" : "")
            << (std::getenv("MEDSEG_BENCH_COMPILE") ? " --compile" : "")
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

    std::printf("medseg-bench: LibTorch %s, device %s, %d threads, input %dx%dx%dx%d, "
                "output stride %d, %d classes%s, %d warm-up + %d timed iterations\n",
                TORCH_VERSION, o.device.c_str(), at::get_num_threads(), o.batch, o.in_channels,
                o.size, o.size, o.output_stride, o.classes, o.aux ? ", aux head" : "", o.warmup,
                o.iterations);
    const bool compare = !o.reference.empty();
    if (compare)
        std::printf("%-20s %9s %12s %12s %7s %12s %12s %7s\n", "backbone", "params M", "fwd C++",
                    "fwd PyTorch", "ratio", "train C++", "train PyTorch", "ratio");
    else
        std::printf("%-20s %9s %14s %12s %14s %12s\n", "backbone", "params M", "forward img/s",
                    "forward ms", "train img/s", "train ms");
    int status = 0;
    for (const auto &backbone : o.backbones) {
        try {
            const Row r = measure(backbone, o, device);
            if (!compare) {
                std::printf("%-20s %9.2f %14.2f %12.1f %14.2f %12.1f\n", r.backbone.c_str(),
                            r.parameters_m, r.forward_ips, r.forward_ms, r.train_ips, r.train_ms);
            } else {
                const Row p = measureReference(backbone, o);
                if (std::abs(p.parameters_m - r.parameters_m) > 1e-6)
                    std::printf("%-20s parameter counts differ (%.6f M against %.6f M): the two "
                                "networks are not the same\n",
                                backbone.c_str(), r.parameters_m, p.parameters_m);
                const auto ratio = [](double a, double b) {
                    return b > 0 ? a / b : 0.0;
                };
                std::printf("%-20s %9.2f %12.2f %12.2f %6.2fx %12.2f %12.2f %6.2fx\n",
                            r.backbone.c_str(), r.parameters_m, r.forward_ips, p.forward_ips,
                            ratio(r.forward_ips, p.forward_ips), r.train_ips, p.train_ips,
                            ratio(r.train_ips, p.train_ips));
            }
        } catch (const std::exception &e) {
            std::printf("%-20s failed: %s\n", backbone.c_str(), e.what());
            status = 1;
        }
        std::fflush(stdout);
    }
    return status;
}
