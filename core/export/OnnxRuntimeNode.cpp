#include "core/export/OnnxRuntimeNode.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace medseg::core {

namespace fs = std::filesystem;

namespace {

std::string envOr(const char *name, const std::string &fallback)
{
    const char *value = std::getenv(name);
    return value && *value ? std::string(value) : fallback;
}

std::string quote(const std::string &s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// Runs a shell command, returns its stdout; `status` gets the exit status.
std::string capture(const std::string &command, int *status)
{
    std::string output;
    FILE *pipe = popen(command.c_str(), "r");
    if (!pipe) {
        *status = -1;
        return output;
    }
    std::array<char, 4096> buffer{};
    size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        output.append(buffer.data(), n);
    *status = pclose(pipe);
    return output;
}

void writeRaw(const std::string &path, const at::Tensor &t)
{
    const at::Tensor c = t.contiguous();
    std::ofstream out(path, std::ios::binary);
    out.write(static_cast<const char *>(c.data_ptr()),
              static_cast<std::streamsize>(c.numel() * c.element_size()));
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

at::Tensor readRaw(const std::string &path, const std::vector<int64_t> &shape, at::ScalarType type)
{
    at::Tensor t = at::empty(shape, type);
    std::ifstream in(path, std::ios::binary);
    in.read(static_cast<char *>(t.data_ptr()),
            static_cast<std::streamsize>(t.numel() * t.element_size()));
    if (!in)
        throw std::runtime_error("cannot read ONNX Runtime output " + path);
    return t;
}

// The data folder beside the running program (bin/../share/medseg-studio), where the package
// installs the runtime; empty when the program's path is unknown.
fs::path installedDataFolder()
{
    std::error_code ec;
    const fs::path program = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : program.parent_path().parent_path() / "share" / "medseg-studio";
}

// Where the runtime may lie, in order: `installed` in the installed data folder (empty: the
// folder itself), then `source` in the source tree this was built from (scripts/test.sh
// installs node_modules there). Returns the first holding `relative`, else the source one
// (named in messages).
std::string firstHolding(const std::string &installed, const std::string &source,
                         const std::string &relative)
{
    fs::path folder = installedDataFolder();
    if (!folder.empty() && !installed.empty())
        folder /= installed;
    std::error_code ec;
    if (!folder.empty() && fs::exists(folder / relative, ec))
        return folder.string();
    return (fs::path(MEDSEG_EXPORT_SOURCE_DIR) / source).string();
}

} // namespace

OnnxRuntimeNode::OnnxRuntimeNode()
    : OnnxRuntimeNode(
          envOr("MEDSEG_NODE", "node"),
          envOr("MEDSEG_NODE_MODULES",
                firstHolding("node_modules", "node_modules", "onnxruntime-node/package.json")),
          envOr("MEDSEG_ONNX_RUNNER", firstHolding("", "scripts", "onnx_run.js") + "/onnx_run.js"))
{}

OnnxRuntimeNode::OnnxRuntimeNode(std::string node, std::string nodeModules,
                                 std::string runnerScript)
    : m_node(std::move(node))
    , m_nodeModules(std::move(nodeModules))
    , m_runner(std::move(runnerScript))
{}

bool OnnxRuntimeNode::available(std::string *why) const
{
    auto fail = [&](const std::string &reason) {
        if (why)
            *why = reason;
        return false;
    };
    if (!fs::exists(m_runner))
        return fail("its runner script " + m_runner + " is missing (MEDSEG_ONNX_RUNNER)");
    if (!fs::exists(fs::path(m_nodeModules) / "onnxruntime-node" / "package.json"))
        return fail("ONNX Runtime (onnxruntime-node) is not installed in " + m_nodeModules +
                    " (MEDSEG_NODE_MODULES)");
    int status = 0;
    capture(quote(m_node) + " --version 2>/dev/null", &status);
    if (status != 0)
        return fail("Node.js (" + m_node +
                    "), which runs ONNX Runtime, is not installed "
                    "(MEDSEG_NODE)");
    return true;
}

std::string OnnxRuntimeNode::describe() const
{
    std::string why;
    if (!available(&why))
        return "not available: " + why;
    std::string version = "unknown version";
    try {
        std::ifstream in(fs::path(m_nodeModules) / "onnxruntime-node" / "package.json");
        version = nlohmann::json::parse(in).value("version", version);
    } catch (const std::exception &) {
        // The runtime is there; its version is only for the report.
    }
    return version + " (" + m_nodeModules + ")";
}

std::vector<std::map<std::string, at::Tensor>>
OnnxRuntimeNode::run(const std::string &modelPath, const std::vector<at::Tensor> &inputs,
                     const std::vector<std::string> &outputs, int threads) const
{
    std::random_device rd;
    const fs::path dir =
        fs::temp_directory_path() / ("medseg-ort-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(dir);
    struct Cleanup
    {
        fs::path dir;
        ~Cleanup()
        {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } cleanup{dir};

    nlohmann::json job{{"modules", fs::absolute(m_nodeModules).string()},
                       {"model", fs::absolute(modelPath).string()},
                       {"threads", threads},
                       {"runs", nlohmann::json::array()}};
    for (size_t i = 0; i < inputs.size(); ++i) {
        const std::string in = (dir / ("in" + std::to_string(i) + ".bin")).string();
        writeRaw(in, inputs[i].to(at::kFloat));
        nlohmann::json outs = nlohmann::json::object();
        for (const auto &name : outputs)
            outs[name] = (dir / ("out" + std::to_string(i) + "_" + name + ".bin")).string();
        job["runs"].push_back(
            {{"input", in}, {"shape", inputs[i].sizes().vec()}, {"outputs", outs}});
    }
    const std::string jobPath = (dir / "job.json").string();
    std::ofstream(jobPath) << job.dump();
    int status = 0;
    const std::string text =
        capture(quote(m_node) + " " + quote(m_runner) + " " + quote(jobPath) + " 2>&1", &status);
    nlohmann::json reply;
    try {
        reply = nlohmann::json::parse(text.substr(text.rfind("{\"ok\"")));
    } catch (const std::exception &) {
        throw std::runtime_error("ONNX Runtime failed on " + modelPath + ": " + text);
    }
    if (status != 0 || !reply.value("ok", false))
        throw std::runtime_error("ONNX Runtime failed on " + modelPath + ": " +
                                 reply.value("error", text));
    std::vector<std::map<std::string, at::Tensor>> results;
    for (size_t i = 0; i < inputs.size(); ++i) {
        std::map<std::string, at::Tensor> r;
        for (const auto &name : outputs) {
            const auto shape = reply["shapes"][i][name].get<std::vector<int64_t>>();
            r[name] = readRaw(job["runs"][i]["outputs"][name].get<std::string>(), shape,
                              name == "labels" ? at::kLong : at::kFloat);
        }
        results.push_back(std::move(r));
    }
    return results;
}

} // namespace medseg::core
