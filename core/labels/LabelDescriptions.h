#pragma once

#include "core/labels/LabelPolicy.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core {

// One row of the label table, as ITK-SNAP's label editor shows it, plus our lock.
struct LabelDescription
{
    int index = 0; // label value, 0..65535; 0 is the clear label
    std::string name;
    std::array<std::uint8_t, 3> colour{0, 0, 0};
    double opacity = 1.0;   // 0..1 (ITK-SNAP's -A- column)
    bool visible = true;    // VIS
    bool showInMesh = true; // MSH
    bool locked = false;    // ours: voxels of a locked label never change (not in ITK-SNAP's file)

    bool operator==(const LabelDescription &other) const;
    bool operator!=(const LabelDescription &other) const { return !(*this == other); }
};

// The label table of a segmentation, sorted by index. Reads and writes ITK-SNAP's label
// description file (Segmentation > Export Label Descriptions), whose lines are
//   IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL
//     1   255    0    0     1   1   1   "Liver left lobe"
// with '#' comments; the workspace keeps the lock in JSON.
class LabelDescriptions
{
public:
    LabelDescriptions() = default;
    explicit LabelDescriptions(std::vector<LabelDescription> labels);
    // ITK-SNAP's default table: 0 "Clear Label" (transparent, hidden), 1..6 "Label 1".."Label 6"
    // in red, green, blue, yellow, cyan, magenta.
    static LabelDescriptions defaults();

    const std::vector<LabelDescription> &labels() const { return m_labels; }
    int size() const { return int(m_labels.size()); }
    bool isEmpty() const { return m_labels.empty(); }
    const LabelDescription *find(int index) const;
    LabelDescription *find(int index);
    // Inserts or replaces the row with label.index (kept sorted).
    void set(const LabelDescription &label);
    bool remove(int index);
    // Largest index (-1 when empty).
    int maxIndex() const;
    // The locked labels as the policy's bitset.
    LabelSet lockedLabels() const;

    bool operator==(const LabelDescriptions &other) const { return m_labels == other.m_labels; }
    bool operator!=(const LabelDescriptions &other) const { return !(*this == other); }

    // ITK-SNAP text format. Parsing accepts any whitespace between fields, opacity as an
    // integer or decimal, names quoted (with spaces) or not; throws std::runtime_error naming
    // `source` and the line for a malformed row or an index outside 0..65535.
    std::string toItkSnap() const;
    static LabelDescriptions fromItkSnap(const std::string &text, const std::string &source = {});
    void saveItkSnap(const std::string &path) const;
    static LabelDescriptions loadItkSnap(const std::string &path);
    // Any label table the program writes, by its content: ITK-SNAP's text file, or JSON (this
    // class's, a project's table, or a dataset's labels.json, whose rows lack opacity and
    // visibility and get the defaults). Throws std::runtime_error naming the file.
    static LabelDescriptions load(const std::string &path);

    // JSON with every field, the lock included:
    //   {"labels": [{"index": 1, "name": "...", "color": [255, 0, 0], "opacity": 1.0,
    //                "visible": true, "mesh": true, "locked": false}, ...]}
    std::string toJson() const;
    static LabelDescriptions fromJson(const std::string &json, const std::string &source = {});

private:
    std::vector<LabelDescription> m_labels; // sorted by index, unique
};

} // namespace medseg::core
