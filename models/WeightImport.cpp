#include "models/WeightImport.h"

#include "models/Layers.h"

#include <algorithm>
#include <sstream>

namespace medseg::models {

namespace {

std::string shapeString(const std::vector<int64_t> &shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

bool startsWithAny(const std::string &key, const std::vector<std::string> &prefixes)
{
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&key](const std::string &p) { return key.rfind(p, 0) == 0; });
}

} // namespace

std::string ImportReport::summary() const
{
    std::ostringstream out;
    out << source << ": " << loaded.size() << " tensors loaded";
    if (!adapted.empty())
        out << " (" << adapted.size() << " adapted to the input channels)";
    out << ", " << missing.size() << " missing, " << unexpected.size() << " unexpected, "
        << mismatched.size() << " with another shape, " << skipped.size()
        << " classifier tensors skipped\n";
    for (const auto &key : adapted)
        out << "  adapted:    " << key << "\n";
    for (const auto &key : missing)
        out << "  missing:    " << key << "\n";
    for (const auto &key : unexpected)
        out << "  unexpected: " << key << "\n";
    for (const auto &m : mismatched)
        out << "  shape:      " << m.key << " model " << shapeString(m.model_shape) << " file "
            << shapeString(m.file_shape) << "\n";
    return out.str();
}

ImportReport loadStateDict(torch::nn::Module &module, const StateDict &state,
                           const LoadOptions &options)
{
    StateDict targets;
    for (const auto &p : module.named_parameters(/*recurse=*/true))
        targets[p.key()] = p.value();
    for (const auto &b : module.named_buffers(/*recurse=*/true))
        targets[b.key()] = b.value();

    ImportReport report;
    torch::NoGradGuard no_grad;
    for (const auto &[key, value] : state) {
        const auto target = targets.find(key);
        if (target == targets.end()) {
            (startsWithAny(key, options.skipped_prefixes) ? report.skipped : report.unexpected)
                .push_back(key);
            continue;
        }
        auto &destination = target->second;
        auto source = value;
        if (source.sizes() != destination.sizes() && key == options.first_conv_key &&
            source.dim() == 4 && destination.dim() == 4 && source.size(1) == 3 &&
            source.size(0) == destination.size(0) && source.size(2) == destination.size(2) &&
            source.size(3) == destination.size(3)) {
            source = adaptInputConvWeight(source.to(torch::kFloat), destination.size(1));
            report.adapted.push_back(key);
        }
        if (source.sizes() != destination.sizes()) {
            report.mismatched.push_back({key, destination.sizes().vec(), value.sizes().vec()});
            continue;
        }
        destination.copy_(source.to(destination.device(), destination.scalar_type()));
        report.loaded.push_back(key);
    }
    for (const auto &[key, tensor] : targets) {
        if (!state.count(key))
            report.missing.push_back(key);
    }
    // `state` and `targets` are std::maps, so every list is already sorted.
    return report;
}

ImportReport importBackboneWeights(BackboneImpl &backbone, const StateDict &state)
{
    LoadOptions options;
    options.first_conv_key = backbone.firstConvKey();
    if (!backbone.options.classifier)
        options.skipped_prefixes = backbone.classifierPrefixes();
    return loadStateDict(backbone, state, options);
}

ImportReport importBackboneWeights(BackboneImpl &backbone, const std::string &path)
{
    auto report = importBackboneWeights(backbone, readStateDict(path));
    report.source = path;
    return report;
}

ImportReport importBackboneWeights(PSPNetImpl &model, const std::string &path)
{
    return importBackboneWeights(*model.backbone, path);
}

} // namespace medseg::models
