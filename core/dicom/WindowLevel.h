#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core {

// A VOI window in rescaled units (HU for CT), as DICOM's WindowCenter/WindowWidth.
struct Window
{
    double center = 0.0;
    double width = 1.0;
    std::string name; // "CT lung", the file's explanation, "min-max", ...

    bool isValid() const { return width >= 1.0; }
    // Narrower than 16 units: a window for float images (probabilities, normalised MR, SUV).
    // WindowLut evaluates such windows per value without truncating (truncated, the image
    // would show a handful of greys); viewers print them with more digits.
    bool isFine() const { return width < 16.0; }
};

// The DICOM linear VOI function (PS3.3 C.11.2.1.2.1) to 0..255, floored as DCMTK does.
std::uint8_t applyLinearVoi(double value, const Window &window);

// Named presets for a modality: CT brain 40/80, subdural 75/215, stroke 40/40, lung -600/1500,
// mediastinum 50/350, abdomen 40/400, liver 60/160, bone 400/1800; empty for other modalities.
std::vector<Window> windowPresets(const std::string &modality);
// Looks a preset up by name, case-insensitively ("lung", "CT lung"); nullopt-like: width 0.
Window findPreset(const std::string &name);

// Data-derived windows for modalities without presets. As DCMTK's min-max window, both use
// center (lo + hi + 1) / 2 and width hi - lo + 1, so that lo maps to 0 and hi to 255. NaNs are
// skipped; percentileWindow samples at most about a million values.
Window minMaxWindow(const float *values, std::size_t count, std::size_t stride = 1);
Window percentileWindow(const float *values, std::size_t count, double lowPercent,
                        double highPercent, std::size_t stride = 1);

// A modality/VOI LUT from the file's VOI LUT Sequence (0028,3010): values below firstMapped map
// to the first entry, above the last to the last entry; the output is scaled to 8 bits.
struct VoiLut
{
    int firstMapped = 0;
    int bitsPerEntry = 16;
    std::vector<std::uint16_t> entries;
    std::string explanation;
};

// Maps float voxel values to 8-bit grey through a lookup table over the integer range
// [minValue, maxValue] (values are truncated toward zero first, as DCMTK does), so that
// windowing a 512x512 slice costs one table read per pixel. MONOCHROME1 images are inverted.
class WindowLut
{
public:
    WindowLut(const Window &window, int minValue, int maxValue, bool invert = false);
    WindowLut(const VoiLut &lut, int minValue, int maxValue, bool invert = false);

    std::uint8_t map(float value) const;
    // out[n] = map(in[n * inStride]) for n < count.
    void apply(const float *in, std::size_t count, std::uint8_t *out,
               std::size_t inStride = 1) const;

    // The integer range the table covers: values outside it map like its ends. Only the part
    // of [minValue, maxValue] where the window is not flat is tabulated.
    int tableFirst() const { return m_minValue; }
    int tableLast() const { return m_maxValue; }

private:
    int m_minValue = 0;
    int m_maxValue = 0;
    std::vector<std::uint8_t> m_table;
    // Windows wider than any table we would build (32-bit data) are computed per value.
    bool m_direct = false;
    // Fine windows (Window::isFine()) are computed per value without truncating it. Whole
    // numbers get exactly the table's values, and wider windows truncate as DCMTK does.
    bool m_continuous = false;
    Window m_window;
    bool m_invert = false;
};

// The 8-bit grey of `value` under a window, unrounded (0..255, 255..0 when inverted for
// MONOCHROME1); applyLinearVoi and WindowLut floor it.
double linearVoiExact(double value, const Window &window, bool invert = false);

} // namespace medseg::core
