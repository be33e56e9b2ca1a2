#pragma once

#include <QObject>
#include <QStringList>

namespace medseg::ui {

// Most-recently-used paths, newest first, persisted in QSettings under "recentFiles".
class RecentFiles : public QObject
{
    Q_OBJECT

public:
    static constexpr int DefaultCapacity = 10;

    explicit RecentFiles(QObject *parent = nullptr);

    QStringList paths() const { return m_paths; }
    int capacity() const { return m_capacity; }
    void setCapacity(int capacity);

    // Moves (or inserts) the path to the front and saves the list.
    void add(const QString &path);
    void remove(const QString &path);
    void clear();

Q_SIGNALS:
    void changed();

private:
    void save() const;

    QStringList m_paths;
    int m_capacity = DefaultCapacity;
};

} // namespace medseg::ui
