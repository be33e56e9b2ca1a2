#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QListWidget;
class QToolButton;

namespace medseg::ui {

class Document;

// Content of the DICOM browser dock: the folders the project reads images from.
class SourcesPanel : public QWidget
{
    Q_OBJECT

public:
    SourcesPanel(Document *document, QAction *openAction, QWidget *parent = nullptr);

protected:
    void changeEvent(QEvent *event) override;

private:
    void onSourcesChanged();
    void retranslate();

    Document *m_document;
    QLabel *m_hint = nullptr;
    QListWidget *m_list = nullptr;
    QToolButton *m_openButton = nullptr;
};

} // namespace medseg::ui
