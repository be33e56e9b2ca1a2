#pragma once

#include <QPointer>
#include <QWidget>

class QPushButton;
class QTableView;

namespace medseg::ui {

class LabelStatisticsModel;
class SurfaceView;

// The label statistics table (volume, surface area, mean and SD per label): follows a SurfaceView's
// results (computed with its surfaces, off the GUI thread) and exports them as CSV.
class LabelStatisticsWidget : public QWidget
{
    Q_OBJECT

public:
    explicit LabelStatisticsWidget(QWidget *parent = nullptr);

    // Shows `view`'s statistics from now on, refreshed whenever its surfaces are.
    void setSurfaceView(SurfaceView *view);
    LabelStatisticsModel *model() const { return m_model; }

    // Writes the table as CSV (core::LabelStatistics::toCsv with the label names); false and
    // `error` set on failure.
    bool exportCsv(const QString &path, QString *error = nullptr) const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void refresh();
    void onExportClicked();
    void retranslate();

    LabelStatisticsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_exportButton = nullptr;
    QPointer<SurfaceView> m_view;
};

} // namespace medseg::ui
