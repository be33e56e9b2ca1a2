#include "core/train/Trainer.h"

#include "core/train/TrainingRun.h"

#include <filesystem>

namespace medseg::core {

namespace fs = std::filesystem;

Trainer::Trainer(TrainingConfig config, std::string runDir)
    : m_config(std::move(config))
    , m_runDir(std::move(runDir))
{}

std::string Trainer::checkpointPath(const std::string &runDir)
{
    return (fs::path(runDir) / "checkpoints" / "last.ckpt").string();
}

bool Trainer::hasCheckpoint(const std::string &runDir)
{
    std::error_code error;
    return fs::is_regular_file(checkpointPath(runDir), error);
}

TrainingResult Trainer::fit(const TrainingData &data, const TrainerHooks &hooks,
                            TrainingControl *control)
{
    return TrainingRun(m_config, m_runDir, data, hooks, control).run();
}

} // namespace medseg::core
