#pragma once

#include <QDialog>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>

class QLabel;
class QTableWidget;

namespace medseg::ui {

// (component, version) pairs, e.g. ("LibTorch", "1.13.0"), as loaded by the running program.
using ComponentVersions = QList<QPair<QString, QString>>;
// Reads them when asked (finding ONNX Runtime runs a program): the About dialog asks, start-up
// does not.
using ComponentVersionsSource = std::function<ComponentVersions()>;

class AboutDialog : public QDialog
{
    Q_OBJECT

public:
    explicit AboutDialog(const ComponentVersions &components, QWidget *parent = nullptr);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();

    QLabel *m_title = nullptr;
    QLabel *m_blurb = nullptr;
    QTableWidget *m_table = nullptr;
};

} // namespace medseg::ui
