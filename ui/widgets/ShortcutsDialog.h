#pragma once

#include <QDialog>
#include <QList>

class QAction;
class QTableWidget;

namespace medseg::ui {

// Help > Keyboard Shortcuts: every action of the window that has a shortcut, then the keys and
// mouse gestures of the slice views (which are not actions), in one table.
class ShortcutsDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ShortcutsDialog(const QList<QAction *> &actions, QWidget *parent = nullptr);

    QTableWidget *table() const { return m_table; }

private:
    QTableWidget *m_table = nullptr;
};

} // namespace medseg::ui
