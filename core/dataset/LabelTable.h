#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core {

struct LabelClass
{
    int index = 0;
    std::string name;
    std::array<std::uint8_t, 3> colour{0, 0, 0};
};

// The classes of a label map or dataset, stored as `labels.json`:
//   {"labels": [{"index": 0, "name": "background", "color": [0, 0, 0]}, ...]}
class LabelTable
{
public:
    LabelTable() = default;
    explicit LabelTable(std::vector<LabelClass> classes);

    const std::vector<LabelClass> &classes() const { return m_classes; }
    int size() const { return int(m_classes.size()); }
    // The largest index of the table (-1 when empty).
    int maxIndex() const;
    const LabelClass *find(int index) const;

    std::string toJson() const;
    static LabelTable fromJson(const std::string &json, const std::string &source = {});
    // Throw std::runtime_error naming the file.
    void save(const std::string &path) const;
    static LabelTable load(const std::string &path);

private:
    std::vector<LabelClass> m_classes; // by index
};

} // namespace medseg::core
