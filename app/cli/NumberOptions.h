#pragma once

// Numbers from command-line options, one rule for every command: the value must parse as a
// whole number (or a number) and lie in its range; otherwise the one-line usage error says what
// is allowed ("--batch must be a whole number from 1 to 4096, not 'eight'.") and the command
// exits with ExitUsage.

#include <QCommandLineOption>
#include <QCommandLineParser>

#include <limits>
#include <optional>

namespace medseg::cli {

// The option's value (its default when not given) as a whole number in [low, high]; nothing,
// after printing the error, when it is not one.
std::optional<long long> wholeOption(const QCommandLineParser &parser,
                                     const QCommandLineOption &option, long long low,
                                     long long high);

// The same for a number; an open bound excludes its value ("above 0", "below 1").
struct Range
{
    double low = -std::numeric_limits<double>::infinity();
    double high = std::numeric_limits<double>::infinity();
    bool lowOpen = false;
    bool highOpen = false;
};
std::optional<double> numberOption(const QCommandLineParser &parser,
                                   const QCommandLineOption &option, const Range &range);

} // namespace medseg::cli
