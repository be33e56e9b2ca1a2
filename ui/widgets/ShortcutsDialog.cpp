#include "ui/widgets/ShortcutsDialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <utility>

namespace medseg::ui {

ShortcutsDialog::ShortcutsDialog(const QList<QAction *> &actions, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("shortcutsDialog"));
    setWindowTitle(tr("Keyboard Shortcuts"));

    QList<std::pair<QString, QString>> rows;
    for (const QAction *action : actions) {
        const QList<QKeySequence> shortcuts = action->shortcuts();
        if (shortcuts.isEmpty())
            continue;
        QStringList keys;
        for (const QKeySequence &key : shortcuts)
            keys << key.toString(QKeySequence::NativeText);
        QString text = action->text();
        text.remove(QLatin1Char('&'));
        text.remove(QStringLiteral("…"));
        rows.append({text, keys.join(tr(" or "))});
    }
    const std::pair<QString, QString> viewRows[] = {
        {tr("Next / previous slice"), tr("Up / Down, Page Up / Page Down, mouse wheel")},
        {tr("First / last slice"), tr("Home / End")},
        {tr("Zoom in / out"), tr("+ / -, Ctrl+mouse wheel")},
        {tr("Reset zoom and pan"), tr("0")},
        {tr("Pan"), tr("Middle mouse drag")},
        {tr("Window / level"), tr("Right mouse drag")},
        {tr("Apply the label tool"), tr("Left mouse button")},
        {tr("Move the crosshair in a label tool"), tr("Shift+left mouse button")},
        {tr("Brush size"), tr("Shift+mouse wheel")},
        {tr("Close the polygon"), tr("Double-click, Enter")},
        {tr("Remove the last polygon vertex"), tr("Backspace")},
        {tr("Cancel the polygon or stroke"), tr("Esc")},
    };
    for (const auto &row : viewRows)
        rows.append(row);

    m_table = new QTableWidget(int(rows.size()), 2, this);
    m_table->setObjectName(QStringLiteral("shortcutTable"));
    m_table->setHorizontalHeaderLabels({tr("Command"), tr("Shortcut")});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    for (int i = 0; i < rows.size(); ++i) {
        m_table->setItem(i, 0, new QTableWidgetItem(rows[i].first));
        m_table->setItem(i, 1, new QTableWidgetItem(rows[i].second));
    }
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table);
    layout->addWidget(buttons);
    resize(560, 520);
}

} // namespace medseg::ui
