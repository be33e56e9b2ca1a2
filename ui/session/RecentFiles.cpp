#include "ui/session/RecentFiles.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace medseg::ui {
namespace {
const char *const SettingsKey = "recentFiles";

QString normalized(const QString &path)
{
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}
} // namespace

RecentFiles::RecentFiles(QObject *parent)
    : QObject(parent)
{
    const QStringList stored = QSettings().value(SettingsKey).toStringList();
    for (const QString &path : stored) {
        if (!path.isEmpty() && !m_paths.contains(path) && m_paths.size() < m_capacity)
            m_paths.append(path);
    }
}

void RecentFiles::setCapacity(int capacity)
{
    m_capacity = qMax(1, capacity);
    if (m_paths.size() > m_capacity) {
        m_paths = m_paths.mid(0, m_capacity);
        save();
        Q_EMIT changed();
    }
}

void RecentFiles::add(const QString &path)
{
    const QString entry = normalized(path);
    m_paths.removeAll(entry);
    m_paths.prepend(entry);
    while (m_paths.size() > m_capacity)
        m_paths.removeLast();
    save();
    Q_EMIT changed();
}

void RecentFiles::remove(const QString &path)
{
    if (m_paths.removeAll(normalized(path)) > 0) {
        save();
        Q_EMIT changed();
    }
}

void RecentFiles::clear()
{
    if (m_paths.isEmpty())
        return;
    m_paths.clear();
    save();
    Q_EMIT changed();
}

void RecentFiles::save() const
{
    QSettings().setValue(SettingsKey, m_paths);
}

} // namespace medseg::ui
