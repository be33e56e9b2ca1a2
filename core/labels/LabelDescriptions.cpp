#include "core/labels/LabelDescriptions.h"

#include "core/common/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace medseg::core {

bool LabelDescription::operator==(const LabelDescription &other) const
{
    return index == other.index && name == other.name && colour == other.colour &&
           std::abs(opacity - other.opacity) < 1e-6 && visible == other.visible &&
           showInMesh == other.showInMesh && locked == other.locked;
}

LabelDescriptions::LabelDescriptions(std::vector<LabelDescription> labels)
{
    for (const LabelDescription &label : labels)
        set(label);
}

LabelDescriptions LabelDescriptions::defaults()
{
    LabelDescriptions table;
    table.set({0, "Clear Label", {0, 0, 0}, 0.0, false, false, false});
    const std::array<std::array<std::uint8_t, 3>, 6> colours{
        {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 0}, {0, 255, 255}, {255, 0, 255}}};
    for (int n = 0; n < 6; ++n)
        table.set({n + 1, "Label " + std::to_string(n + 1), colours[n], 1.0, true, true, false});
    return table;
}

const LabelDescription *LabelDescriptions::find(int index) const
{
    auto it = std::lower_bound(m_labels.begin(), m_labels.end(), index,
                               [](const LabelDescription &l, int i) { return l.index < i; });
    return it != m_labels.end() && it->index == index ? &*it : nullptr;
}

LabelDescription *LabelDescriptions::find(int index)
{
    return const_cast<LabelDescription *>(std::as_const(*this).find(index));
}

void LabelDescriptions::set(const LabelDescription &label)
{
    if (label.index < 0 || label.index > MaxLabelValue)
        throw std::invalid_argument("LabelDescriptions: index " + std::to_string(label.index) +
                                    " outside 0..65535");
    auto it = std::lower_bound(m_labels.begin(), m_labels.end(), label.index,
                               [](const LabelDescription &l, int i) { return l.index < i; });
    if (it != m_labels.end() && it->index == label.index)
        *it = label;
    else
        m_labels.insert(it, label);
}

bool LabelDescriptions::remove(int index)
{
    auto it = std::find_if(m_labels.begin(), m_labels.end(),
                           [index](const LabelDescription &l) { return l.index == index; });
    if (it == m_labels.end())
        return false;
    m_labels.erase(it);
    return true;
}

int LabelDescriptions::maxIndex() const
{
    return m_labels.empty() ? -1 : m_labels.back().index;
}

LabelSet LabelDescriptions::lockedLabels() const
{
    LabelSet set;
    for (const LabelDescription &label : m_labels)
        if (label.locked)
            set.set(std::size_t(label.index));
    return set;
}

std::string LabelDescriptions::toItkSnap() const
{
    std::ostringstream out;
    out << "################################################\n"
           "# ITK-SnAP Label Description File\n"
           "# File format: \n"
           "# IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL\n"
           "# Fields: \n"
           "#    IDX:   Zero-based index \n"
           "#    -R-:   Red color component (0..255)\n"
           "#    -G-:   Green color component (0..255)\n"
           "#    -B-:   Blue color component (0..255)\n"
           "#    -A-:   Label transparency (0.00 .. 1.00)\n"
           "#    VIS:   Label visibility (0 or 1)\n"
           "#    IDX:   Label mesh visibility (0 or 1)\n"
           "#  LABEL:   Label description \n"
           "################################################\n";
    for (const LabelDescription &label : m_labels) {
        std::string name = label.name;
        std::replace(name.begin(), name.end(), '"', '\''); // the format has no escapes
        std::replace(name.begin(), name.end(), '\n', ' ');
        char line[128];
        std::snprintf(line, sizeof line, "%5d %5d %4d %4d %9.6g %2d %2d    \"", label.index,
                      int(label.colour[0]), int(label.colour[1]), int(label.colour[2]),
                      label.opacity, label.visible ? 1 : 0, label.showInMesh ? 1 : 0);
        out << line << name << "\"\n";
    }
    return out.str();
}

LabelDescriptions LabelDescriptions::fromItkSnap(const std::string &text, const std::string &source)
{
    const std::string where = source.empty() ? std::string("label description text") : source;
    LabelDescriptions table;
    std::istringstream in(text);
    std::string line;
    int lineNumber = 0;
    while (std::getline(in, line)) {
        ++lineNumber;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#')
            continue;
        std::istringstream fields(line);
        long index, r, g, b, visible, mesh;
        double opacity;
        auto fail = [&](const std::string &why) {
            return std::runtime_error(where + ":" + std::to_string(lineNumber) + ": " + why +
                                      ": '" + line + "'");
        };
        if (!(fields >> index >> r >> g >> b >> opacity >> visible >> mesh))
            throw fail("expected IDX R G B A VIS MSH LABEL");
        if (index < 0 || index > MaxLabelValue)
            throw fail("label index outside 0..65535");
        if (r < 0 || r > 255 || g < 0 || g > 255 || b < 0 || b > 255)
            throw fail("colour component outside 0..255");
        if (!(opacity >= 0.0 && opacity <= 1.0))
            throw fail("opacity outside 0..1");
        std::string rest;
        std::getline(fields, rest);
        const auto start = rest.find_first_not_of(" \t");
        std::string name;
        if (start != std::string::npos) {
            if (rest[start] == '"') {
                const auto end = rest.rfind('"');
                if (end == start)
                    throw fail("unterminated quoted label name");
                name = rest.substr(start + 1, end - start - 1);
            } else {
                const auto end = rest.find_last_not_of(" \t");
                name = rest.substr(start, end - start + 1);
            }
        }
        LabelDescription label;
        label.index = int(index);
        label.name = name;
        label.colour = {std::uint8_t(r), std::uint8_t(g), std::uint8_t(b)};
        label.opacity = opacity;
        label.visible = visible != 0;
        label.showInMesh = mesh != 0;
        table.set(label);
    }
    return table;
}

void LabelDescriptions::saveItkSnap(const std::string &path) const
{
    AtomicFile::writeAll(path, toItkSnap());
}

namespace {
std::string readLabelFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(path + ": cannot open the label descriptions");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}
} // namespace

LabelDescriptions LabelDescriptions::loadItkSnap(const std::string &path)
{
    return fromItkSnap(readLabelFile(path), path);
}

LabelDescriptions LabelDescriptions::load(const std::string &path)
{
    const std::string text = readLabelFile(path);
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '{')
        return fromJson(text, path);
    return fromItkSnap(text, path);
}

std::string LabelDescriptions::toJson() const
{
    nlohmann::json labels = nlohmann::json::array();
    for (const LabelDescription &label : m_labels)
        labels.push_back({{"index", label.index},
                          {"name", label.name},
                          {"color", {label.colour[0], label.colour[1], label.colour[2]}},
                          {"opacity", label.opacity},
                          {"visible", label.visible},
                          {"mesh", label.showInMesh},
                          {"locked", label.locked}});
    return nlohmann::json{{"labels", labels}}.dump(2);
}

LabelDescriptions LabelDescriptions::fromJson(const std::string &json, const std::string &source)
{
    const std::string where = source.empty() ? std::string("label JSON") : source;
    try {
        const nlohmann::json root = nlohmann::json::parse(json);
        LabelDescriptions table;
        for (const auto &item : root.at("labels")) {
            LabelDescription label;
            label.index = item.at("index").get<int>();
            label.name = item.value("name", std::string());
            const auto &colour = item.at("color");
            if (!colour.is_array() || colour.size() != 3)
                throw std::runtime_error("\"color\" is not [r, g, b]");
            for (int c = 0; c < 3; ++c) {
                const int value = colour[c].get<int>();
                if (value < 0 || value > 255)
                    throw std::runtime_error("colour component outside 0..255");
                label.colour[c] = std::uint8_t(value);
            }
            label.opacity = std::clamp(item.value("opacity", 1.0), 0.0, 1.0);
            label.visible = item.value("visible", true);
            label.showInMesh = item.value("mesh", true);
            label.locked = item.value("locked", false);
            table.set(label);
        }
        return table;
    } catch (const std::exception &error) {
        throw std::runtime_error(where + ": invalid label table: " + error.what());
    }
}

} // namespace medseg::core
