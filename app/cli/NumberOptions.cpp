#include "app/cli/NumberOptions.h"

#include "app/cli/CliCommand.h"

#include <QCoreApplication>

#include <cmath>

namespace medseg::cli {
namespace {

// The words' translation context.
struct NumberOptions
{
    Q_DECLARE_TR_FUNCTIONS(NumberOptions)
};

QString number(double value)
{
    return QString::number(value, 'g', 10);
}

// "from 1 to 4096", "above 0 and below 1", "above 0 and at most 60", "of at least 1"
QString rangeText(const Range &r)
{
    const bool low = std::isfinite(r.low), high = std::isfinite(r.high);
    if (low && high) {
        const QString from =
            (r.lowOpen ? NumberOptions::tr("above %1") : NumberOptions::tr("from %1"))
                .arg(number(r.low));
        if (r.lowOpen)
            return from + (r.highOpen ? NumberOptions::tr(" and below %1")
                                      : NumberOptions::tr(" and at most %1"))
                              .arg(number(r.high));
        return from + (r.highOpen ? NumberOptions::tr(" to below %1") : NumberOptions::tr(" to %1"))
                          .arg(number(r.high));
    }
    if (low)
        return (r.lowOpen ? NumberOptions::tr("above %1") : NumberOptions::tr("of at least %1"))
            .arg(number(r.low));
    if (high)
        return (r.highOpen ? NumberOptions::tr("below %1") : NumberOptions::tr("of at most %1"))
            .arg(number(r.high));
    return {};
}

void complain(const QCommandLineParser &parser, const QCommandLineOption &option,
              const QString &what)
{
    printError(NumberOptions::tr("--%1 must be %2, not '%3'.")
                   .arg(option.names().last(), what, parser.value(option)));
}

} // namespace

std::optional<long long> wholeOption(const QCommandLineParser &parser,
                                     const QCommandLineOption &option, long long low,
                                     long long high)
{
    bool ok = false;
    const long long value = parser.value(option).trimmed().toLongLong(&ok);
    if (ok && value >= low && value <= high)
        return value;
    // A bound as large as an int's is no bound a user needs to read.
    const Range range{double(low), high >= std::numeric_limits<int>::max()
                                       ? std::numeric_limits<double>::infinity()
                                       : double(high)};
    complain(parser, option, NumberOptions::tr("a whole number %1").arg(rangeText(range)));
    return std::nullopt;
}

std::optional<double> numberOption(const QCommandLineParser &parser,
                                   const QCommandLineOption &option, const Range &range)
{
    bool ok = false;
    const double value = parser.value(option).trimmed().toDouble(&ok);
    const bool aboveLow = range.lowOpen ? value > range.low : value >= range.low;
    const bool belowHigh = range.highOpen ? value < range.high : value <= range.high;
    if (ok && std::isfinite(value) && aboveLow && belowHigh)
        return value;
    complain(parser, option, NumberOptions::tr("a number %1").arg(rangeText(range)));
    return std::nullopt;
}

} // namespace medseg::cli
