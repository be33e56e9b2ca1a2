#include "ui/widgets/SurfaceView.h"

#include "core/common/Progress.h"
#include "core/mesh/VtkPolyData.h"
#include "ui/session/ErrorText.h"

#include <QEvent>
#include <QGuiApplication>
#include <QLabel>
#include <QMouseEvent>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QPainter>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <QtConcurrent/QtConcurrentRun>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkImageData.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowToImageFilter.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>

namespace medseg::ui {
namespace {

// Whether VTK may open an OpenGL window here. VTK's X render window calls abort() when there is
// no display and fails badly without GLX, so Qt is asked first: the xcb platform, a DISPLAY,
// and an OpenGL context that can be made current. Decided once per process.
bool openGlDisplayAvailable()
{
    static const bool available = [] {
        if (QGuiApplication::platformName() != QLatin1String("xcb") ||
            qEnvironmentVariableIsEmpty("DISPLAY"))
            return false;
        QOffscreenSurface surface;
        surface.create();
        QOpenGLContext context;
        if (!surface.isValid() || !context.create() || !context.makeCurrent(&surface))
            return false;
        context.doneCurrent();
        return true;
    }();
    return available;
}

// ITK-SNAP's first label colours, for labels the table does not colour.
QColor paletteColour(int index)
{
    static const QColor palette[] = {{255, 0, 0},     {0, 255, 0},     {0, 0, 255},
                                     {255, 255, 0},   {0, 255, 255},   {255, 0, 255},
                                     {255, 239, 213}, {0, 0, 205},     {205, 133, 63},
                                     {210, 180, 140}, {102, 205, 170}, {0, 0, 128}};
    const int count = int(sizeof(palette) / sizeof(palette[0]));
    return palette[(std::max(index, 1) - 1) % count];
}

} // namespace

namespace detail {

// The VTK side of SurfaceView: an offscreen render window, one actor per label, the camera.
// Lives on the GUI thread only.
class SurfaceRenderer
{
public:
    SurfaceRenderer()
    {
        m_window = vtkSmartPointer<vtkRenderWindow>::New();
        m_window->SetOffScreenRendering(1);
        m_window->SetMultiSamples(0);
        m_renderer = vtkSmartPointer<vtkRenderer>::New();
        m_renderer->SetBackground(0.08, 0.09, 0.11);
        m_window->AddRenderer(m_renderer);
    }

    void setSurfaces(const std::vector<core::LabelSurface> &surfaces)
    {
        for (auto &[label, actor] : m_actors)
            m_renderer->RemoveActor(actor);
        m_actors.clear();
        for (const core::LabelSurface &surface : surfaces) {
            if (surface.mesh.isEmpty())
                continue;
            auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
            mapper->SetInputData(core::toVtkPolyData(surface.mesh));
            mapper->ScalarVisibilityOff();
            auto actor = vtkSmartPointer<vtkActor>::New();
            actor->SetMapper(mapper);
            actor->GetProperty()->SetInterpolationToGouraud();
            actor->GetProperty()->SetSpecular(0.2);
            actor->GetProperty()->SetSpecularPower(20.0);
            m_renderer->AddActor(actor);
            m_actors[surface.label] = actor;
        }
    }

    void setAppearance(int label, const QColor &colour, bool visible)
    {
        const auto it = m_actors.find(label);
        if (it == m_actors.end())
            return;
        it->second->GetProperty()->SetColor(colour.redF(), colour.greenF(), colour.blueF());
        it->second->SetVisibility(visible ? 1 : 0);
    }

    void resetCamera()
    {
        vtkCamera *camera = m_renderer->GetActiveCamera();
        // LPS: the patient's front is -y and the head +z, so this looks at the face with the
        // patient's left on the right of the screen, as radiologists read an anterior view.
        camera->SetFocalPoint(0.0, 0.0, 0.0);
        camera->SetPosition(0.0, -1.0, 0.0);
        camera->SetViewUp(0.0, 0.0, 1.0);
        m_renderer->ResetCamera();
        m_renderer->ResetCameraClippingRange();
    }

    void rotate(double dx, double dy)
    {
        vtkCamera *camera = m_renderer->GetActiveCamera();
        camera->Azimuth(-0.4 * dx);
        camera->Elevation(0.4 * dy);
        camera->OrthogonalizeViewUp();
        m_renderer->ResetCameraClippingRange();
    }

    void pan(double dx, double dy, int heightPixels)
    {
        vtkCamera *camera = m_renderer->GetActiveCamera();
        double position[3], focal[3], up[3], direction[3];
        camera->GetPosition(position);
        camera->GetFocalPoint(focal);
        camera->GetViewUp(up);
        camera->GetDirectionOfProjection(direction);
        const double right[3] = {direction[1] * up[2] - direction[2] * up[1],
                                 direction[2] * up[0] - direction[0] * up[2],
                                 direction[0] * up[1] - direction[1] * up[0]};
        // Millimetres per pixel at the focal plane, so the surface follows the mouse.
        const double scale = 2.0 * camera->GetDistance() *
                             std::tan(camera->GetViewAngle() * M_PI / 360.0) /
                             std::max(heightPixels, 1);
        for (int a = 0; a < 3; ++a) {
            const double shift = (-dx * right[a] + dy * up[a]) * scale;
            position[a] += shift;
            focal[a] += shift;
        }
        camera->SetPosition(position);
        camera->SetFocalPoint(focal);
        m_renderer->ResetCameraClippingRange();
    }

    void zoom(double factor)
    {
        m_renderer->GetActiveCamera()->Dolly(factor);
        m_renderer->ResetCameraClippingRange();
    }

    QImage render(const QSize &size)
    {
        m_window->SetSize(size.width(), size.height());
        m_window->Render();
        auto grabber = vtkSmartPointer<vtkWindowToImageFilter>::New();
        grabber->SetInput(m_window);
        grabber->SetInputBufferTypeToRGB();
        grabber->ReadFrontBufferOff();
        grabber->ShouldRerenderOff();
        grabber->Update();
        vtkImageData *pixels = grabber->GetOutput();
        int dimensions[3];
        pixels->GetDimensions(dimensions);
        QImage image(dimensions[0], dimensions[1], QImage::Format_RGB888);
        const auto *data = static_cast<const unsigned char *>(pixels->GetScalarPointer());
        // VTK's rows run bottom to top.
        for (int y = 0; y < dimensions[1]; ++y)
            std::memcpy(image.scanLine(dimensions[1] - 1 - y),
                        data + std::size_t(y) * dimensions[0] * 3, std::size_t(dimensions[0]) * 3);
        return image;
    }

private:
    vtkSmartPointer<vtkRenderWindow> m_window;
    vtkSmartPointer<vtkRenderer> m_renderer;
    std::map<int, vtkSmartPointer<vtkActor>> m_actors;
};

} // namespace detail

SurfaceView::SurfaceView(QWidget *parent)
    : QWidget(parent)
    , m_canRender(openGlDisplayAvailable())
{
    setObjectName(QStringLiteral("surfaceView"));
    setMinimumSize(64, 64);
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(300);
    connect(&m_debounce, &QTimer::timeout, this, &SurfaceView::startComputation);
    connect(&m_watcher, &QFutureWatcher<Result>::finished, this,
            &SurfaceView::onComputationFinished);
    if (!m_canRender) {
        m_message = new QLabel(this);
        m_message->setObjectName(QStringLiteral("surfaceViewMessage"));
        m_message->setAlignment(Qt::AlignCenter);
        m_message->setWordWrap(true);
        auto *layout = new QVBoxLayout(this);
        layout->addWidget(m_message);
    } else {
        setAttribute(Qt::WA_OpaquePaintEvent);
        setCursor(Qt::OpenHandCursor);
    }
    retranslate();
}

SurfaceView::~SurfaceView()
{
    // The worker holds its own references to the data; only the watcher must not outlive us.
    if (m_cancel)
        m_cancel->cancel();
    m_watcher.waitForFinished();
}

void SurfaceView::setLabels(std::shared_ptr<const core::Volume> labels,
                            const QVector<SurfaceLabel> &table)
{
    m_volume = std::move(labels);
    m_buffer.reset();
    if (!table.isEmpty())
        setLabelTable(table);
    labelsChanged();
}

void SurfaceView::setLabels(std::shared_ptr<const std::vector<std::uint16_t>> labels, int width,
                            int height, int depth, const core::ImageGeometry &geometry,
                            const QVector<SurfaceLabel> &table)
{
    if (labels && labels->size() != std::size_t(width) * height * depth)
        throw std::invalid_argument("SurfaceView::setLabels: buffer size does not match");
    m_buffer = std::move(labels);
    m_volume.reset();
    m_bufferSize[0] = width;
    m_bufferSize[1] = height;
    m_bufferSize[2] = depth;
    m_bufferGeometry = geometry;
    if (!table.isEmpty())
        setLabelTable(table);
    labelsChanged();
}

void SurfaceView::setImage(std::shared_ptr<const core::Volume> image)
{
    m_grey = std::move(image);
    labelsChanged();
}

void SurfaceView::clear()
{
    m_volume.reset();
    m_buffer.reset();
    m_grey.reset();
    m_cameraSet = false;
    labelsChanged();
}

void SurfaceView::setLabelTable(const QVector<SurfaceLabel> &table)
{
    m_table = table;
    applyLabelTable();
}

void SurfaceView::setLabelVisible(int index, bool visible)
{
    auto it = std::find_if(m_table.begin(), m_table.end(),
                           [index](const SurfaceLabel &label) { return label.index == index; });
    if (it == m_table.end()) {
        m_table.push_back({index, QString(), paletteColour(index), visible});
    } else {
        if (it->visible == visible)
            return;
        it->visible = visible;
    }
    applyLabelTable();
}

bool SurfaceView::isLabelVisible(int index) const
{
    for (const SurfaceLabel &label : m_table)
        if (label.index == index)
            return label.visible;
    return true;
}

void SurfaceView::setSurfaceOptions(const core::SurfaceOptions &options)
{
    m_options = options;
    labelsChanged();
}

void SurfaceView::setDebounceInterval(int milliseconds)
{
    m_debounce.setInterval(std::max(0, milliseconds));
}

void SurfaceView::labelsChanged()
{
    m_debounce.start();
}

QColor SurfaceView::colourOf(int index) const
{
    for (const SurfaceLabel &label : m_table)
        if (label.index == index && label.colour.isValid())
            return label.colour;
    return paletteColour(index);
}

void SurfaceView::startComputation()
{
    if (m_watcher.isRunning()) {
        // Latest wins: stop the running one and start again when it has returned.
        m_pending = true;
        if (m_cancel)
            m_cancel->cancel();
        return;
    }
    m_pending = false;
    m_cancel = std::make_shared<core::CancelToken>();
    // Copies of the pointers, not of the data: the worker keeps them alive.
    m_watcher.setFuture(QtConcurrent::run(
        [volume = m_volume, buffer = m_buffer, width = m_bufferSize[0], height = m_bufferSize[1],
         depth = m_bufferSize[2], geometry = m_bufferGeometry, grey = m_grey, options = m_options,
         cancel = m_cancel]() {
            Result result;
            try {
                if (!volume && !buffer)
                    return result;
                const core::LabelGrid grid =
                    volume ? core::LabelGrid(*volume)
                           : core::LabelGrid(buffer->data(), width, height, depth, geometry);
                result.surfaces =
                    core::SurfaceExtractor::extractAll(grid, options, {}, cancel.get());
                const bool sameGrid = grey && grey->width() == grid.width() &&
                                      grey->height() == grid.height() &&
                                      grey->depth() == grid.depth();
                result.statistics = core::LabelStatistics::compute(
                    grid, sameGrid ? grey.get() : nullptr, &result.surfaces);
            } catch (const core::CancelledError &) {
                result.cancelled = true;
            } catch (const std::exception &error) {
                result.error = errorText(error);
            }
            return result;
        }));
}

void SurfaceView::onComputationFinished()
{
    if (m_pending) {
        startComputation();
        return;
    }
    Result result = m_watcher.result();
    if (result.cancelled)
        return;
    if (!result.error.isEmpty()) {
        Q_EMIT computationFailed(result.error);
        return;
    }
    m_surfaces = std::move(result.surfaces);
    m_statistics = std::move(result.statistics);
    if (m_canRender) {
        if (!m_renderer)
            m_renderer = std::make_unique<detail::SurfaceRenderer>();
        showSurfaces();
    }
    Q_EMIT surfacesUpdated();
}

void SurfaceView::showSurfaces()
{
    m_renderer->setSurfaces(m_surfaces);
    if (!m_cameraSet && !m_surfaces.empty()) {
        m_renderer->resetCamera();
        m_cameraSet = true;
    }
    applyLabelTable();
}

void SurfaceView::applyLabelTable()
{
    if (!m_renderer)
        return;
    for (const core::LabelSurface &surface : m_surfaces)
        m_renderer->setAppearance(surface.label, colourOf(surface.label),
                                  isLabelVisible(surface.label));
    render();
}

void SurfaceView::render()
{
    if (!m_canRender || !m_renderer)
        return;
    const qreal ratio = devicePixelRatioF();
    const QSize pixels = (QSizeF(std::max(width(), 64), std::max(height(), 64)) * ratio).toSize();
    m_image = m_renderer->render(pixels);
    m_image.setDevicePixelRatio(ratio);
    update();
}

QImage SurfaceView::grabImage()
{
    if (!m_canRender)
        return grab().toImage();
    if (!m_renderer) {
        m_renderer = std::make_unique<detail::SurfaceRenderer>();
        showSurfaces();
    } else {
        render();
    }
    return m_image;
}

void SurfaceView::resetCamera()
{
    if (!m_renderer)
        return;
    m_renderer->resetCamera();
    m_cameraSet = !m_surfaces.empty();
    render();
}

void SurfaceView::paintEvent(QPaintEvent *)
{
    if (!m_canRender)
        return;
    QPainter painter(this);
    if (m_image.isNull()) {
        painter.fillRect(rect(), QColor(20, 23, 28));
        return;
    }
    painter.drawImage(rect(), m_image);
}

void SurfaceView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    render();
}

void SurfaceView::mousePressEvent(QMouseEvent *event)
{
    if (!m_renderer) {
        QWidget::mousePressEvent(event);
        return;
    }
    m_dragButton = event->button();
    m_lastPosition = event->position().toPoint();
    setCursor(Qt::ClosedHandCursor);
}

void SurfaceView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_renderer || m_dragButton == Qt::NoButton)
        return;
    const QPoint position = event->position().toPoint();
    const QPoint delta = position - m_lastPosition;
    m_lastPosition = position;
    if (m_dragButton == Qt::LeftButton)
        m_renderer->rotate(delta.x(), delta.y());
    else
        m_renderer->pan(delta.x(), delta.y(), height());
    render();
}

void SurfaceView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == m_dragButton) {
        m_dragButton = Qt::NoButton;
        if (m_canRender)
            setCursor(Qt::OpenHandCursor);
    }
}

void SurfaceView::wheelEvent(QWheelEvent *event)
{
    if (!m_renderer) {
        QWidget::wheelEvent(event);
        return;
    }
    const double steps = event->angleDelta().y() / 120.0;
    m_renderer->zoom(std::pow(1.1, steps));
    render();
    event->accept();
}

void SurfaceView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void SurfaceView::retranslate()
{
    if (m_message)
        m_message->setText(tr("The 3D view needs a display with OpenGL."));
    setToolTip(m_canRender ? tr("Drag to rotate, right or middle drag to pan, wheel to zoom.")
                           : QString());
}

} // namespace medseg::ui
