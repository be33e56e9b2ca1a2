#include "core/train/Checkpoint.h"

#include "core/common/AtomicFile.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace medseg::core {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr char kMagic[8] = {'M', 'E', 'D', 'S', 'E', 'G', 'C', 'K'};
constexpr std::uint32_t kVersion = 1;

std::uint64_t fnv1a(const std::string &bytes)
{
    std::uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

template <typename T>
void append(std::string &out, T value)
{
    out.append(reinterpret_cast<const char *>(&value), sizeof value);
}

template <typename T>
T readValue(const std::string &in, std::size_t &offset)
{
    if (offset + sizeof(T) > in.size())
        throw std::runtime_error("truncated");
    T value;
    std::memcpy(&value, in.data() + offset, sizeof value);
    offset += sizeof value;
    return value;
}

void addTensors(const char *group, const TensorMap &tensors, json &header, std::string &data)
{
    json &list = header[group];
    list = json::array();
    for (const auto &[name, tensor] : tensors) {
        const at::Tensor cpu = tensor.detach().to(at::kCPU).contiguous();
        const std::size_t bytes = cpu.numel() * cpu.element_size();
        list.push_back({{"name", name},
                        {"dtype", int(cpu.scalar_type())},
                        {"sizes", cpu.sizes().vec()},
                        {"offset", data.size()},
                        {"bytes", bytes}});
        data.append(static_cast<const char *>(cpu.data_ptr()), bytes);
    }
}

TensorMap readTensors(const json &list, const std::string &data)
{
    TensorMap tensors;
    for (const json &entry : list) {
        const std::string name = entry.at("name").get<std::string>();
        const int dtype = entry.at("dtype").get<int>();
        const auto sizes = entry.at("sizes").get<std::vector<std::int64_t>>();
        const auto offset = entry.at("offset").get<std::size_t>();
        const auto bytes = entry.at("bytes").get<std::size_t>();
        // Checked before anything is allocated: the sizes must describe exactly the bytes
        // recorded, and those bytes must be in the file.
        if (dtype < 0 || dtype >= int(at::ScalarType::NumOptions))
            throw std::runtime_error("tensor '" + name + "' has an unknown type");
        const auto type = at::ScalarType(dtype);
        std::size_t expected = c10::elementSize(type);
        for (const std::int64_t size : sizes) {
            if (size < 0 || (size > 0 && expected > data.size() / std::size_t(size)))
                throw std::runtime_error("tensor '" + name + "' claims more bytes than the file");
            expected *= std::size_t(size);
        }
        if (expected != bytes || offset > data.size() || bytes > data.size() - offset)
            throw std::runtime_error("tensor '" + name + "' does not fit its record");
        at::Tensor tensor = at::empty(sizes, at::TensorOptions().dtype(type));
        std::memcpy(tensor.data_ptr(), data.data() + offset, bytes);
        tensors[name] = tensor;
    }
    return tensors;
}

} // namespace

void saveCheckpoint(const std::string &path, const CheckpointState &state)
{
    json header{{"augmenter_state", state.augmenterState},
                {"stage", state.stage},
                {"epoch", state.epoch},
                {"step_in_epoch", state.stepInEpoch},
                {"global_step", state.globalStep},
                {"best_score", state.bestScore},
                {"stage_best_score", state.stageBestScore},
                {"epochs_without_improvement", state.epochsWithoutImprovement},
                {"epoch_loss_sum", state.epochLossSum},
                {"epoch_loss_count", state.epochLossCount},
                {"loss_scale", state.lossScale},
                {"loss_scale_finite_steps", state.lossScaleFiniteSteps},
                {"metrics_bytes", state.metricsBytes},
                {"elapsed_seconds", state.elapsedSeconds}};
    std::string data;
    addTensors("model", state.model, header, data);
    addTensors("optimizer", state.optimizer, header, data);
    addTensors("rng", state.rng, header, data);
    // The augmenter's state is opaque bytes; JSON strings must be UTF-8, so it goes as hex.
    static const char *digits = "0123456789abcdef";
    std::string hex;
    hex.reserve(state.augmenterState.size() * 2);
    for (unsigned char c : state.augmenterState) {
        hex.push_back(digits[c >> 4]);
        hex.push_back(digits[c & 15]);
    }
    header["augmenter_state"] = hex;

    const std::string headerText = header.dump();
    std::string payload;
    append(payload, std::uint64_t(headerText.size()));
    payload += headerText;
    payload += data;

    std::string file(kMagic, sizeof kMagic);
    append(file, kVersion);
    append(file, std::uint64_t(payload.size()));
    append(file, fnv1a(payload));
    file += payload;

    std::error_code error;
    fs::create_directories(fs::path(path).parent_path(), error);
    AtomicFile::writeAll(path, file);
}

CheckpointState loadCheckpoint(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open checkpoint " + path);
    const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto corrupt = [&](const std::string &why) {
        return std::runtime_error("checkpoint " + path +
                                  " is corrupt or not a MedSeg checkpoint (" + why +
                                  "); delete it to start the run again");
    };
    if (file.size() < sizeof kMagic + 20 || std::memcmp(file.data(), kMagic, sizeof kMagic) != 0)
        throw corrupt("bad signature");
    std::size_t offset = sizeof kMagic;
    const auto version = readValue<std::uint32_t>(file, offset);
    if (version != kVersion)
        throw corrupt("format version " + std::to_string(version) + "; this program reads " +
                      std::to_string(kVersion));
    const auto size = readValue<std::uint64_t>(file, offset);
    const auto hash = readValue<std::uint64_t>(file, offset);
    if (file.size() - offset != size)
        throw corrupt("truncated: " + std::to_string(file.size() - offset) + " of " +
                      std::to_string(size) + " bytes");
    const std::string payload = file.substr(offset);
    if (fnv1a(payload) != hash)
        throw corrupt("checksum mismatch");

    CheckpointState state;
    try {
        std::size_t at = 0;
        const auto headerSize = readValue<std::uint64_t>(payload, at);
        if (at + headerSize > payload.size())
            throw std::runtime_error("header truncated");
        const json header = json::parse(payload.substr(at, headerSize));
        const std::string data = payload.substr(at + headerSize);
        state.model = readTensors(header.at("model"), data);
        state.optimizer = readTensors(header.at("optimizer"), data);
        state.rng = readTensors(header.at("rng"), data);
        const std::string hex = header.at("augmenter_state").get<std::string>();
        for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
            state.augmenterState.push_back(char(std::stoi(hex.substr(i, 2), nullptr, 16)));
        state.stage = header.at("stage").get<int>();
        state.epoch = header.at("epoch").get<int>();
        state.stepInEpoch = header.at("step_in_epoch").get<std::int64_t>();
        state.globalStep = header.at("global_step").get<std::int64_t>();
        state.bestScore = header.at("best_score").get<double>();
        state.stageBestScore = header.at("stage_best_score").get<double>();
        state.epochsWithoutImprovement = header.at("epochs_without_improvement").get<int>();
        state.epochLossSum = header.at("epoch_loss_sum").get<double>();
        state.epochLossCount = header.at("epoch_loss_count").get<std::int64_t>();
        state.lossScale = header.at("loss_scale").get<double>();
        // Absent in checkpoints written before the scale could grow back.
        state.lossScaleFiniteSteps = header.value("loss_scale_finite_steps", std::int64_t(0));
        state.metricsBytes = header.at("metrics_bytes").get<std::int64_t>();
        // Absent in checkpoints written before runs had time budgets.
        state.elapsedSeconds = header.value("elapsed_seconds", 0.0);
    } catch (const std::exception &error) {
        throw corrupt(error.what());
    }
    return state;
}

} // namespace medseg::core
