#pragma once

#include <QList>
#include <QPair>
#include <QString>

namespace medseg::app {

// Versions of MedSeg Studio and of the libraries this process actually loaded (runtime
// queries where the library offers one), for the About dialog, `medseg versions` and bug reports.
QList<QPair<QString, QString>> componentVersions();

QString applicationVersion();

} // namespace medseg::app
