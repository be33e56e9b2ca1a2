#pragma once

#include "core/train/TrainingEvent.h"

#include <QCoreApplication>
#include <QString>

namespace medseg::ui {

// The trainer's events in the user's language, for the Training dock's log and status line
// (core::describe words them in English for the CLI).
class TrainingEventText
{
    Q_DECLARE_TR_FUNCTIONS(TrainingEventText)

public:
    static QString describe(const core::TrainingEvent &event);
    // The default plan's stage names (core names them in English); a stage the user named
    // otherwise keeps its name.
    static QString stageName(const std::string &name);
};

} // namespace medseg::ui
