#include "core/dataset/LabelTable.h"

#include "core/common/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace medseg::core {

LabelTable::LabelTable(std::vector<LabelClass> classes)
    : m_classes(std::move(classes))
{
    std::sort(m_classes.begin(), m_classes.end(),
              [](const LabelClass &a, const LabelClass &b) { return a.index < b.index; });
}

int LabelTable::maxIndex() const
{
    return m_classes.empty() ? -1 : m_classes.back().index;
}

const LabelClass *LabelTable::find(int index) const
{
    for (const LabelClass &c : m_classes)
        if (c.index == index)
            return &c;
    return nullptr;
}

std::string LabelTable::toJson() const
{
    nlohmann::json labels = nlohmann::json::array();
    for (const LabelClass &c : m_classes)
        labels.push_back({{"index", c.index},
                          {"name", c.name},
                          {"color", {c.colour[0], c.colour[1], c.colour[2]}}});
    return nlohmann::json{{"labels", labels}}.dump(2) + "\n";
}

LabelTable LabelTable::fromJson(const std::string &json, const std::string &source)
{
    try {
        const nlohmann::json root = nlohmann::json::parse(json);
        std::vector<LabelClass> classes;
        for (const nlohmann::json &item : root.at("labels")) {
            LabelClass c;
            c.index = item.at("index").get<int>();
            c.name = item.at("name").get<std::string>();
            const auto &colour = item.at("color");
            for (std::size_t n = 0; n < 3; ++n)
                c.colour[n] = std::uint8_t(std::clamp(colour.at(n).get<int>(), 0, 255));
            if (c.index < 0 || c.index > 255)
                throw std::runtime_error("class index " + std::to_string(c.index) +
                                         " outside 0..255");
            classes.push_back(std::move(c));
        }
        return LabelTable(std::move(classes));
    } catch (const std::exception &error) {
        throw std::runtime_error((source.empty() ? std::string("labels.json") : source) +
                                 ": not a label table: " + error.what());
    }
}

void LabelTable::save(const std::string &path) const
{
    AtomicFile::writeAll(path, toJson());
}

LabelTable LabelTable::load(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(path + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    return fromJson(text.str(), path);
}

} // namespace medseg::core
