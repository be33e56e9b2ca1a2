#pragma once

#include "app/cli/CliCommand.h"

#include <memory>
#include <vector>

namespace medseg::cli {

// Every subcommand, in the order `medseg --help` lists them. A new command is a new file with
// its factory, declared here and added to allCommands().
std::vector<std::unique_ptr<CliCommand>> allCommands();

std::unique_ptr<CliCommand> makeAugmentPreviewCommand();
std::unique_ptr<CliCommand> makeConvertCommand();
std::unique_ptr<CliCommand> makeEvaluateCommand();
std::unique_ptr<CliCommand> makeExportCommand();
std::unique_ptr<CliCommand> makeImportWeightsCommand();
std::unique_ptr<CliCommand> makeVersionsCommand();
std::unique_ptr<CliCommand> makeInfoCommand();
std::unique_ptr<CliCommand> makeMakeDemoCommand();
std::unique_ptr<CliCommand> makeMeshCommand();
std::unique_ptr<CliCommand> makeModelsCommand();
std::unique_ptr<CliCommand> makePredictCommand();
std::unique_ptr<CliCommand> makeRenderCommand();
std::unique_ptr<CliCommand> makeStatsCommand();
std::unique_ptr<CliCommand> makeTrainCommand();

} // namespace medseg::cli
