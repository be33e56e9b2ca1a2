#pragma once

#include "core/dicom/WindowLevel.h"

#include <QCommandLineOption>
#include <QCoreApplication>

#include <optional>

class QCommandLineParser;

namespace medseg::cli {

// The --window C,W and --preset NAME options that every command writing windowed images takes.
class WindowOptions
{
    Q_DECLARE_TR_FUNCTIONS(WindowOptions)

public:
    WindowOptions();
    void addTo(QCommandLineParser &parser) const;

    // The window asked for (nullopt when neither option is given). On bad usage prints the
    // error and returns ExitUsage; otherwise returns -1.
    int parse(const QCommandLineParser &parser, std::optional<core::Window> &window) const;

private:
    QCommandLineOption m_window;
    QCommandLineOption m_preset;
};

} // namespace medseg::cli
