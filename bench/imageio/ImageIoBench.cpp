// medseg-imageio-bench: opening a large NIfTI volume (header only, as `medseg info` does, and
// every voxel, as the viewer does) side by side with nibabel in the same run, and, given a
// model, prediction speed over that volume in slices per second. Run by hand; not a test.
//
//   medseg-imageio-bench [--size 512x512x400] [--repeats 3] [--model MODEL.pt] [FILE.nii.gz]
//
// Without FILE a synthetic int16 CT of that size is written to a temporary folder first.

#include "core/dataset/NiftiIo.h"
#include "core/imageio/ImageFile.h"
#include "core/train/Predictor.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double medianMs(int repeats, const std::function<void()> &work)
{
    std::vector<double> times;
    for (int r = 0; r < repeats; ++r) {
        const auto start = Clock::now();
        work();
        times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

void writeSyntheticCt(const std::string &path, int w, int h, int d)
{
    medseg::core::Volume ct(w, h, d);
    medseg::core::ImageGeometry g;
    g.spacing = {0.7, 0.7, 1.25};
    ct.setGeometry(g);
    std::mt19937 random(1);
    std::normal_distribution<float> noise(0.0f, 20.0f);
    for (int k = 0; k < d; ++k)
        for (int j = 0; j < h; ++j)
            for (int i = 0; i < w; ++i) {
                const float x = (i - w / 2.0f) / (w / 2.0f), y = (j - h / 2.0f) / (h / 2.0f);
                const float body = x * x + y * y < 0.8f ? 40.0f : -1000.0f;
                ct.value(i, j, k) = std::round(body + noise(random));
            }
    medseg::core::NiftiIo::writeImage(path, ct);
}

} // namespace

int main(int argc, char **argv)
{
    int w = 512, h = 512, d = 400, repeats = 3;
    std::string model, file;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--size" && i + 1 < argc)
            std::sscanf(argv[++i], "%dx%dx%d", &w, &h, &d);
        else if (arg == "--repeats" && i + 1 < argc)
            repeats = std::max(1, std::atoi(argv[++i]));
        else if (arg == "--model" && i + 1 < argc)
            model = argv[++i];
        else
            file = arg;
    }
    std::filesystem::path temporary;
    if (file.empty()) {
        temporary = std::filesystem::temp_directory_path() /
                    ("medseg-imageio-bench-" + std::to_string(::getpid()));
        std::filesystem::create_directories(temporary);
        file = (temporary / "ct.nii.gz").string();
        std::printf("Writing a %dx%dx%d int16 CT to %s...\n", w, h, d, file.c_str());
        writeSyntheticCt(file, w, h, d);
    }
    std::printf("%s: %.1f MB on disk\n", file.c_str(),
                double(std::filesystem::file_size(file)) / 1e6);

    const double headerMs = medianMs(repeats, [&] { medseg::core::readImageHeader(file); });
    std::shared_ptr<medseg::core::Volume> volume;
    const double readMs = medianMs(repeats, [&] {
        volume = std::make_shared<medseg::core::Volume>(medseg::core::readImageFile(file));
    });

    const std::string command =
        "/usr/bin/python3 " MEDSEG_NIBABEL_REFERENCE " '" + file + "' " + std::to_string(repeats);
    std::string output;
    if (FILE *pipe = popen(command.c_str(), "r")) {
        char buffer[512];
        while (std::fgets(buffer, sizeof buffer, pipe))
            output += buffer;
        pclose(pipe);
    }
    const auto reference = nlohmann::json::parse(output, nullptr, false);
    std::printf("\n%-34s %13s %13s\n", ("median of " + std::to_string(repeats) + " runs").c_str(),
                "MedSeg", "nibabel");
    std::printf("%-34s %10.1f ms %10.1f ms\n", "header (medseg info)", headerMs,
                reference.is_object() ? reference.value("header_ms", -1.0) : -1.0);
    std::printf("%-34s %10.1f ms %10.1f ms\n", "every voxel as float32 (open)", readMs,
                reference.is_object() ? reference.value("read_ms", -1.0) : -1.0);
    if (!reference.is_object())
        std::printf("(nibabel did not run: install python3-nibabel)\n");

    if (!model.empty()) {
        medseg::core::Predictor predictor = medseg::core::Predictor::load(model, torch::kCPU);
        const auto start = Clock::now();
        predictor.predictVolume(volume->data(), volume->width(), volume->height(), volume->depth());
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        std::printf("%-34s %10.1f slices/s (%d slices in %.1f s)\n", "prediction (CPU)",
                    volume->depth() / seconds, volume->depth(), seconds);
    }
    if (!temporary.empty())
        std::filesystem::remove_all(temporary);
    return 0;
}
