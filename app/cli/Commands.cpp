#include "app/cli/Commands.h"

namespace medseg::cli {

std::vector<std::unique_ptr<CliCommand>> allCommands()
{
    std::vector<std::unique_ptr<CliCommand>> commands;
    commands.push_back(makeAugmentPreviewCommand());
    commands.push_back(makeConvertCommand());
    commands.push_back(makeEvaluateCommand());
    commands.push_back(makeExportCommand());
    commands.push_back(makeImportWeightsCommand());
    commands.push_back(makeInfoCommand());
    commands.push_back(makeMakeDemoCommand());
    commands.push_back(makeMeshCommand());
    commands.push_back(makeModelsCommand());
    commands.push_back(makePredictCommand());
    commands.push_back(makeRenderCommand());
    commands.push_back(makeStatsCommand());
    commands.push_back(makeTrainCommand());
    commands.push_back(makeVersionsCommand());
    return commands;
}

} // namespace medseg::cli
