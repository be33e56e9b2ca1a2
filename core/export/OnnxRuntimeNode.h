#pragma once

// ONNX Runtime through Node.js: Debian has no C++ ONNX Runtime, npm's onnxruntime-node runs the
// exported models on CPU. Found at run time: MEDSEG_NODE (default "node"), MEDSEG_NODE_MODULES
// (the node_modules holding onnxruntime-node) and MEDSEG_ONNX_RUNNER (scripts/onnx_run.js),
// each defaulting to the data folder beside the program (bin/../share/medseg-studio, where the
// Debian package installs them), then to the source tree this was built from.

#include <ATen/ATen.h>

#include <map>
#include <string>
#include <vector>

namespace medseg::core {

class OnnxRuntimeNode
{
public:
    // Settings from the environment, else the installed data folder, else the source tree.
    OnnxRuntimeNode();
    OnnxRuntimeNode(std::string node, std::string nodeModules, std::string runnerScript);

    // True when node, onnxruntime-node and the runner script are all there; otherwise `why` says
    // what is missing.
    bool available(std::string *why = nullptr) const;

    // Runs `modelPath` on each input [N, C, H, W] (float) and returns, per input, the requested
    // outputs ("logits", "probabilities" as float; "labels" as int64). Throws std::runtime_error
    // with ONNX Runtime's message on failure.
    std::vector<std::map<std::string, at::Tensor>> run(const std::string &modelPath,
                                                       const std::vector<at::Tensor> &inputs,
                                                       const std::vector<std::string> &outputs,
                                                       int threads = 1) const;

    const std::string &nodeModules() const { return m_nodeModules; }
    // "1.20.1 (FOLDER)" when available, else why not: for `medseg versions` and About.
    std::string describe() const;

private:
    std::string m_node;
    std::string m_nodeModules;
    std::string m_runner;
};

} // namespace medseg::core
