#include "core/export/ExportValidator.h"

#include "core/export/OnnxExporter.h"

#include <nlohmann/json.hpp>
#include <torch/nn.h>

#include <filesystem>
#include <limits>
#include <stdexcept>

namespace medseg::core {

namespace {

// A runtime check that could not run records its status as "not run: <why>".
constexpr const char *NotRunPrefix = "not run: ";

bool startsWith(const std::string &text, const std::string &prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

std::string checkText(const onnx::ModelProto &model)
{
    try {
        checkOnnxModel(model);
        return "passed";
    } catch (const std::exception &error) {
        return error.what();
    }
}

// Mean Dice over the foreground classes present in prediction or reference, pixels of all
// slices pooled.
double meanDice(const at::Tensor &prediction, const at::Tensor &reference, int64_t classes)
{
    double sum = 0.0;
    int counted = 0;
    for (int64_t c = classes > 1 ? 1 : 0; c < classes; ++c) {
        const at::Tensor p = prediction.eq(c);
        const at::Tensor r = reference.eq(c);
        const double denominator = p.sum().item<double>() + r.sum().item<double>();
        if (denominator == 0.0)
            continue;
        sum += 2.0 * p.logical_and(r).sum().item<double>() / denominator;
        ++counted;
    }
    return counted ? sum / counted : 1.0;
}

int64_t fileSize(const std::string &path)
{
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : static_cast<int64_t>(size);
}

} // namespace

bool ExportReport::failed() const
{
    const bool checkers =
        checkerFp32 == "passed" && (checkerInt8.empty() || checkerInt8 == "passed");
    return !checkers || startsWith(fp32Status, "failed") || startsWith(int8Status, "failed") ||
           startsWith(inputStatus, "failed");
}

bool ExportReport::verified() const
{
    const auto ran = [](const std::string &status) {
        return !status.empty() && !startsWith(status, NotRunPrefix);
    };
    return ran(fp32Status) && (checkerInt8.empty() || ran(int8Status));
}

std::string ExportReport::notVerifiedReason() const
{
    for (const std::string *status : {&fp32Status, &int8Status})
        if (startsWith(*status, NotRunPrefix))
            return status->substr(std::string(NotRunPrefix).size());
    if (fp32Status.empty())
        return "the exported file was not run";
    return {};
}

std::string ExportReport::status() const
{
    return failed() ? "failed" : verified() ? "passed" : "not verified";
}

std::string ExportReport::toJson() const
{
    nlohmann::json sizes = nlohmann::json::array();
    for (const auto &s : fp32Sizes)
        sizes.push_back({{"height", s.height}, {"width", s.width}, {"max_abs_diff", s.maxAbsDiff}});
    nlohmann::json j{{"status", status()},
                     {"passed", passed()},
                     {"verified", verified()},
                     {"format", format},
                     {"fp32_vs_libtorch", {{"status", fp32Status}, {"sizes", sizes}}},
                     {"file_sizes", {{"fp32_bytes", fp32Bytes}}},
                     {"input_check",
                      {{"status", inputStatus.empty() ? std::string("not run") : inputStatus},
                       {"source", inputSource},
                       {"slices", inputSlices},
                       {"max_abs_diff", inputMaxAbsDiff}}}};
    if (format == "torchscript")
        j["torch_jit_load"] = checkerFp32;
    else
        j["checker_and_shape_inference"] = {{"fp32", checkerFp32}};
    if (!checkerInt8.empty()) {
        j["checker_and_shape_inference"]["int8"] = checkerInt8;
        j["int8_vs_fp32"] = {{"status", int8Status},      {"argmax_agreement", argmaxAgreement},
                             {"dice_fp32", diceFp32},     {"dice_int8", diceInt8},
                             {"dice_drop", diceDrop},     {"dice_reference", diceReference},
                             {"pixels", validationPixels}};
        j["file_sizes"]["int8_bytes"] = int8Bytes;
        j["file_sizes"]["int8_over_fp32"] =
            fp32Bytes > 0 ? double(int8Bytes) / double(fp32Bytes) : 0.0;
    }
    return j.dump(2) + "\n";
}

ExportValidator::ExportValidator(ExportValidationSettings settings, OnnxRuntimeNode runtime)
    : m_settings(std::move(settings))
    , m_runtime(std::move(runtime))
{}

ExportReport ExportValidator::validate(models::PSPNet &model, const onnx::ModelProto &fp32,
                                       const std::string &fp32Path, const onnx::ModelProto *int8,
                                       const std::string &int8Path) const
{
    torch::NoGradGuard no_grad;
    ExportReport report;
    report.checkerFp32 = checkText(fp32);
    report.fp32Bytes = fileSize(fp32Path);
    if (int8) {
        report.checkerInt8 = checkText(*int8);
        report.int8Bytes = fileSize(int8Path);
    }
    std::string why;
    if (!m_runtime.available(&why)) {
        report.fp32Status = NotRunPrefix + why;
        if (int8)
            report.int8Status = NotRunPrefix + why;
        return report;
    }

    const int64_t channels = model->config.in_channels;
    at::manual_seed(static_cast<uint64_t>(m_settings.seed));
    std::vector<at::Tensor> inputs;
    for (const auto &size : m_settings.sizes)
        inputs.push_back(at::randn({1, channels, size[0], size[1]}));
    const auto outputs = m_runtime.run(fp32Path, inputs, {"logits"}, m_settings.threads);
    bool ok = true;
    for (size_t i = 0; i < inputs.size(); ++i) {
        const at::Tensor reference = model->forward(inputs[i]).logits;
        const at::Tensor got = outputs[i].at("logits");
        SizeCheck check{inputs[i].size(2), inputs[i].size(3), 0.0};
        check.maxAbsDiff = got.sizes() == reference.sizes()
                               ? (got - reference).abs().max().item<double>()
                               : std::numeric_limits<double>::infinity();
        ok = ok && check.maxAbsDiff <= m_settings.maxAbsDiff;
        report.fp32Sizes.push_back(check);
    }
    report.fp32Status = ok ? "passed" : "failed";

    if (int8) {
        std::vector<at::Tensor> slices = m_settings.validationInputs;
        if (slices.empty()) {
            report.int8Status = "failed: no validation slices";
            return report;
        }
        const auto f = m_runtime.run(fp32Path, slices, {"logits"}, m_settings.threads);
        const auto q = m_runtime.run(int8Path, slices, {"logits"}, m_settings.threads);
        std::vector<at::Tensor> pf, pq, labels;
        for (size_t i = 0; i < slices.size(); ++i) {
            pf.push_back(f[i].at("logits").argmax(1).reshape({-1}));
            pq.push_back(q[i].at("logits").argmax(1).reshape({-1}));
            if (i < m_settings.validationLabels.size())
                labels.push_back(m_settings.validationLabels[i].to(at::kLong).reshape({-1}));
        }
        const at::Tensor allF = at::cat(pf);
        const at::Tensor allQ = at::cat(pq);
        const int64_t classes = model->config.num_classes;
        report.validationPixels = allF.numel();
        report.argmaxAgreement = allF.eq(allQ).to(at::kDouble).mean().item<double>();
        const bool withLabels = labels.size() == slices.size();
        const at::Tensor reference = withLabels ? at::cat(labels) : allF;
        report.diceReference = withLabels ? "labels" : "fp32 prediction";
        report.diceFp32 = meanDice(allF, reference, classes);
        report.diceInt8 = meanDice(allQ, reference, classes);
        report.diceDrop = report.diceFp32 - report.diceInt8;
        report.int8Status = report.argmaxAgreement >= m_settings.minArgmaxAgreement &&
                                    report.diceDrop <= m_settings.maxDiceDrop
                                ? "passed"
                                : "failed";
    }
    return report;
}

} // namespace medseg::core
