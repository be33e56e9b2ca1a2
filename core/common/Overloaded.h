#pragma once

// std::visit over a variant with one lambda per alternative:
//     std::visit(Overloaded{[](const A &) { ... }, [](const B &) { ... }}, value);

namespace medseg::core {

template <class... Ts>
struct Overloaded : Ts...
{
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

} // namespace medseg::core
