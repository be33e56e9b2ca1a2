// medseg-bench: images per second of PSPNet on each backbone, inference and one training step,
// with LibTorch only. Run by hand (see bench/README.md); never part of ctest.

#include "models/Registry.h"

#include <torch/cuda.h>
#include <torch/nn.h>
#include <torch/optim.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
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
    bool forward = true;
    bool train = true;
    std::string device = "cpu";
    std::vector<std::string> backbones = availableBackbones();
};

void usage()
{
    std::cout << "usage: medseg-bench [options]\n"
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
    const auto images = torch::randn({o.batch, o.in_channels, o.size, o.size}, options);
    const auto labels =
        torch::randint(o.classes, {o.batch, o.size, o.size}, options.dtype(torch::kLong));
    Timer timer(device);

    if (o.forward) {
        model->eval();
        torch::NoGradGuard no_grad;
        for (int i = 0; i < o.warmup; ++i)
            model->forward(images);
        timer.start();
        for (int i = 0; i < o.iterations; ++i)
            model->forward(images);
        const double s = timer.seconds();
        row.forward_ms = 1000.0 * s / o.iterations;
        row.forward_ips = o.batch * o.iterations / s;
    }
    if (o.train) {
        model->train();
        torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-4));
        const auto step = [&] {
            optimizer.zero_grad();
            const auto output = model->forward(images);
            auto loss = torch::nn::functional::cross_entropy(output.logits, labels);
            if (output.aux_logits.defined())
                loss = loss + config.aux_weight *
                                  torch::nn::functional::cross_entropy(output.aux_logits, labels);
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
    std::printf("%-20s %9s %14s %12s %14s %12s\n", "backbone", "params M", "forward img/s",
                "forward ms", "train img/s", "train ms");
    int status = 0;
    for (const auto &backbone : o.backbones) {
        try {
            const Row r = measure(backbone, o, device);
            std::printf("%-20s %9.2f %14.2f %12.1f %14.2f %12.1f\n", r.backbone.c_str(),
                        r.parameters_m, r.forward_ips, r.forward_ms, r.train_ips, r.train_ms);
        } catch (const std::exception &e) {
            std::printf("%-20s failed: %s\n", backbone.c_str(), e.what());
            status = 1;
        }
        std::fflush(stdout);
    }
    return status;
}
