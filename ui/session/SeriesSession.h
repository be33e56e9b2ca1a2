#pragma once

#include "core/dicom/DicomIndex.h"
#include "core/dicom/WindowLevel.h"
#include "core/image/Volume.h"
#include "core/imageio/SeriesReader.h"
#include "ui/session/SliceRendering.h"

#include <QFutureWatcher>
#include <QImage>
#include <QList>
#include <QObject>
#include <QTimer>

#include <array>
#include <atomic>
#include <memory>
#include <vector>

namespace medseg::ui {

// The series on screen: its volume (decoded in the background, slice by slice), the linked
// crosshair shared by the three slice views, and the window/level. Views only read from it and
// send the user's input back to it.
class SeriesSession : public QObject
{
    Q_OBJECT

public:
    explicit SeriesSession(QObject *parent = nullptr);
    ~SeriesSession() override;

    // Starts loading in the background; volumeChanged() comes once the headers are read, then
    // slicesDecoded() as slices arrive and loadingFinished() at the end.
    void loadSeries(const core::DicomSeries &series);
    void loadFile(const QString &path);
    // Shows a volume that is already in memory (fully decoded).
    void setVolume(std::shared_ptr<core::Volume> volume, core::SeriesLayout layout);
    void close();

    bool hasVolume() const { return m_volume != nullptr; }
    std::shared_ptr<const core::Volume> volume() const { return m_volume; }
    const core::SeriesLayout &layout() const { return m_layout; }
    QString title() const { return m_title; }
    // Who and what the series shows, as viewers print it over the images (set by the document,
    // which knows the DICOM index; empty for files without it).
    struct Demographics
    {
        QString patientName;
        QString patientId;
        QString studyDate;
        QString studyDescription;
    };
    const Demographics &demographics() const { return m_demographics; }
    void setDemographics(const Demographics &demographics);
    bool isLoading() const;
    int decodedSliceCount() const;
    bool isSliceDecoded(int k) const;

    // The crosshair: one voxel all three views pass through.
    std::array<int, 3> cursor() const { return m_cursor; }
    void setCursor(const std::array<int, 3> &voxel);
    int sliceIndex(SliceOrientation orientation) const;
    int sliceCount(SliceOrientation orientation) const;
    void setSliceIndex(SliceOrientation orientation, int index);
    void moveSlice(SliceOrientation orientation, int delta);
    // Single images and frame stacks without 3D geometry get one view, not three.
    bool isVolumetric() const;
    // Whether the image axes are known in patient space (false for projections and cine
    // loops), i.e. whether orientation letters mean anything.
    bool hasPatientOrientation() const;

    core::Window window() const { return m_window; }
    void setWindow(const core::Window &window);
    // Shows the file's VOI LUT (0028,3010) instead of a linear window, when it has one; any
    // setWindow() switches back to the linear window.
    bool hasVoiLut() const { return m_layout.voiLut.has_value(); }
    bool isVoiLutActive() const { return m_voiLutActive; }
    void setVoiLutActive(bool active);
    // The file's windows, then the modality's presets, then data-derived windows.
    QList<core::Window> availableWindows() const;
    const core::WindowLut &lut() const { return m_lut; }

    QImage renderSlice(SliceOrientation orientation) const;
    // "(i, j, k)  x, y, z mm  value HU" for the status bar, voxels numbered from 1 as the views
    // number slices; empty outside the volume.
    QString describeVoxel(const std::array<int, 3> &voxel) const;

Q_SIGNALS:
    void volumeChanged();
    void demographicsChanged();
    void slicesDecoded(int decoded, int total);
    void loadingFinished();
    void loadFailed(const QString &message);
    void cursorChanged();
    void windowChanged();

private:
    struct DecodeState;
    void startLoading(std::shared_ptr<core::SeriesReader> loader, const QString &title);
    void adoptVolume(std::shared_ptr<core::Volume> volume, core::SeriesLayout layout,
                     std::shared_ptr<DecodeState> state);
    void onLoadFinished();
    void pollDecoded();

    std::shared_ptr<core::Volume> m_volume;
    core::SeriesLayout m_layout;
    QString m_title;
    Demographics m_demographics;
    std::array<int, 3> m_cursor{0, 0, 0};
    core::Window m_window;
    core::WindowLut m_lut;

    bool m_voiLutActive = false;
    bool m_windowChosen = false; // by the user or from the file: keep it when loading ends
    // Written by the decoder threads of one load, read by the GUI thread.
    std::shared_ptr<DecodeState> m_state;
    int m_reportedCount = -1;
    quint64 m_generation = 0;
    QFutureWatcher<void> m_watcher;
    // The series being read: its warnings grow while slices decode (a damaged slice is left
    // blank with the reason), and are taken into the layout when loading finishes.
    std::shared_ptr<core::SeriesReader> m_reader;
    QTimer m_pollTimer;
};

} // namespace medseg::ui
