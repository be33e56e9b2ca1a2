#include "models/StateDictFile.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/serialize.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace medseg::models {

namespace {

// A Python object as far as state dicts need one. Shared pointers, because the pickle memo
// refers to objects that later opcodes still fill in (SETITEMS on a memoised dict).
struct PickleObject;
using PickleObjectPtr = std::shared_ptr<PickleObject>;

struct PickleObject
{
    enum class Kind { None, Bool, Int, Float, String, Tuple, List, Dict, Global, Tensor, Other };
    Kind kind = Kind::None;
    int64_t integer = 0; // Bool, Int
    double real = 0.0;
    std::string text; // String, Global ("module.name"), Other (the callable that built it)
    std::vector<PickleObjectPtr> items;                               // Tuple, List
    std::vector<std::pair<PickleObjectPtr, PickleObjectPtr>> entries; // Dict
    at::Tensor tensor;
    int depth = 0; // containers nested inside it
};

// State dicts nest a handful of containers (a dict of tensors, TorchScript's type tags, a
// checkpoint's {"state_dict": ...}). A hostile file nests a hundred thousand, and freeing such a
// chain of shared pointers recurses once per level until the stack overflows.
constexpr int MaxNesting = 100;

PickleObjectPtr make(PickleObject::Kind kind)
{
    auto object = std::make_shared<PickleObject>();
    object->kind = kind;
    return object;
}

[[noreturn]] void fail(const std::string &message)
{
    throw std::runtime_error(message);
}

// Records that `container` now holds `child`, refusing nesting deeper than MaxNesting (and a
// container that holds itself).
void adopt(PickleObject &container, const PickleObjectPtr &child)
{
    if (child.get() == &container)
        fail("malformed pickle: a container that holds itself");
    container.depth = std::max(container.depth, child->depth + 1);
    if (container.depth > MaxNesting)
        fail("the pickle nests containers more than " + std::to_string(MaxNesting) +
             " levels deep, where a state dict needs a few: the file is damaged or was made to "
             "crash readers");
}

at::ScalarType storageScalarType(const std::string &storage_type)
{
    static const std::unordered_map<std::string, at::ScalarType> types{
        {"torch.FloatStorage", at::kFloat},
        {"torch.DoubleStorage", at::kDouble},
        {"torch.HalfStorage", at::kHalf},
        {"torch.BFloat16Storage", at::kBFloat16},
        {"torch.LongStorage", at::kLong},
        {"torch.IntStorage", at::kInt},
        {"torch.ShortStorage", at::kShort},
        {"torch.CharStorage", at::kChar},
        {"torch.ByteStorage", at::kByte},
        {"torch.BoolStorage", at::kBool},
        {"torch.ComplexFloatStorage", at::kComplexFloat},
        {"torch.ComplexDoubleStorage", at::kComplexDouble},
    };
    const auto it = types.find(storage_type);
    if (it == types.end())
        fail("unsupported storage type " + storage_type);
    return it->second;
}

std::vector<int64_t> intTuple(const PickleObjectPtr &object, const char *what)
{
    if (!object ||
        (object->kind != PickleObject::Kind::Tuple && object->kind != PickleObject::Kind::List))
        fail(std::string("tensor ") + what + " is not a tuple");
    std::vector<int64_t> values;
    for (const auto &item : object->items) {
        if (item->kind != PickleObject::Kind::Int)
            fail(std::string("tensor ") + what + " holds a non-integer");
        values.push_back(item->integer);
    }
    return values;
}

// Interprets the pickle opcodes that torch.save (protocols 2-5) and LibTorch's pickler emit.
class Unpickler
{
public:
    using StorageLoader =
        std::function<at::Tensor(const std::string &key, at::ScalarType type, int64_t numel)>;

    Unpickler(const char *data, size_t size, StorageLoader load_storage)
        : data_(data)
        , size_(size)
        , load_storage_(std::move(load_storage))
    {}

    PickleObjectPtr run()
    {
        while (true) {
            const uint8_t op = readByte();
            switch (op) {
            case 0x80: // PROTO
                readByte();
                break;
            case 0x95: // FRAME: framing only groups opcodes; the content follows inline
                read(8);
                break;
            case '.': // STOP
                if (stack_.size() != 1)
                    fail("malformed pickle: stack holds " + std::to_string(stack_.size()) +
                         " objects at STOP");
                return stack_.back();
            case '(': // MARK
                marks_.push_back(stack_.size());
                break;
            case 'N':
                push(make(PickleObject::Kind::None));
                break;
            case 0x88: // NEWTRUE
            case 0x89: // NEWFALSE
            {
                auto b = make(PickleObject::Kind::Bool);
                b->integer = op == 0x88 ? 1 : 0;
                push(b);
                break;
            }
            case 'J': // BININT
                pushInt(static_cast<int32_t>(readUnsigned(4)));
                break;
            case 'K': // BININT1
                pushInt(static_cast<int64_t>(readUnsigned(1)));
                break;
            case 'M': // BININT2
                pushInt(static_cast<int64_t>(readUnsigned(2)));
                break;
            case 0x8a: // LONG1
                pushInt(readLong(readUnsigned(1)));
                break;
            case 0x8b: // LONG4
                pushInt(readLong(readUnsigned(4)));
                break;
            case 'G': // BINFLOAT (big-endian double)
            {
                const char *bytes = read(8);
                uint64_t bits = 0;
                for (int i = 0; i < 8; ++i)
                    bits = (bits << 8) | static_cast<uint8_t>(bytes[i]);
                auto f = make(PickleObject::Kind::Float);
                std::memcpy(&f->real, &bits, sizeof(double));
                push(f);
                break;
            }
            case 'X': // BINUNICODE
            case 'T': // BINSTRING
            case 'B': // BINBYTES
                pushString(readUnsigned(4));
                break;
            case 0x8c: // SHORT_BINUNICODE
            case 'U':  // SHORT_BINSTRING
            case 'C':  // SHORT_BINBYTES
                pushString(readUnsigned(1));
                break;
            case 0x8d: // BINUNICODE8
            case 0x8e: // BINBYTES8
                pushString(readUnsigned(8));
                break;
            case ')': // EMPTY_TUPLE
                push(make(PickleObject::Kind::Tuple));
                break;
            case 't': // TUPLE
            {
                push(container(PickleObject::Kind::Tuple, popToMark()));
                break;
            }
            case 0x85: // TUPLE1
            case 0x86: // TUPLE2
            case 0x87: // TUPLE3
            {
                const size_t n = op - 0x84u;
                push(container(PickleObject::Kind::Tuple, popN(n)));
                break;
            }
            case ']': // EMPTY_LIST
                push(make(PickleObject::Kind::List));
                break;
            case 'l': // LIST
            {
                push(container(PickleObject::Kind::List, popToMark()));
                break;
            }
            case 'a': // APPEND
            {
                auto item = pop();
                appendTo(top(), {item});
                break;
            }
            case 'e': // APPENDS
            {
                auto items = popToMark();
                appendTo(top(), items);
                break;
            }
            case '}': // EMPTY_DICT
                push(make(PickleObject::Kind::Dict));
                break;
            case 'd': // DICT
            {
                auto dict = make(PickleObject::Kind::Dict);
                setItems(dict, popToMark());
                push(dict);
                break;
            }
            case 's': // SETITEM
            {
                auto value = pop();
                auto key = pop();
                setItems(top(), {key, value});
                break;
            }
            case 'u': // SETITEMS
            {
                auto items = popToMark();
                setItems(top(), items);
                break;
            }
            case 'c': // GLOBAL
            {
                const std::string module = readLine();
                const std::string name = readLine();
                pushGlobal(module + "." + name);
                break;
            }
            case 0x93: // STACK_GLOBAL
            {
                auto name = pop();
                auto module = pop();
                pushGlobal(module->text + "." + name->text);
                break;
            }
            case 'R': // REDUCE
            {
                auto args = pop();
                auto callable = pop();
                push(reduce(callable, args));
                break;
            }
            case 0x81: // NEWOBJ
            {
                auto args = pop();
                auto cls = pop();
                push(reduce(cls, args));
                break;
            }
            case 0x92: // NEWOBJ_EX
            {
                pop(); // kwargs
                auto args = pop();
                auto cls = pop();
                push(reduce(cls, args));
                break;
            }
            case 'b': // BUILD: object state (a state dict's `_metadata`), not needed
                pop();
                top();
                break;
            case 'Q': // BINPERSID
                push(persistentLoad(pop()));
                break;
            case 'q': // BINPUT
                memo_[readUnsigned(1)] = top();
                break;
            case 'r': // LONG_BINPUT
                memo_[readUnsigned(4)] = top();
                break;
            case 0x94: // MEMOIZE
                memo_[memo_.size()] = top();
                break;
            case 'h': // BINGET
                push(memoGet(readUnsigned(1)));
                break;
            case 'j': // LONG_BINGET
                push(memoGet(readUnsigned(4)));
                break;
            case '0': // POP
                pop();
                break;
            case '1': // POP_MARK
                popToMark();
                break;
            case '2': // DUP
                push(top());
                break;
            default:
                fail("unsupported pickle opcode 0x" + hex(op) + " at offset " +
                     std::to_string(pos_ - 1));
            }
        }
    }

private:
    static std::string hex(uint8_t value)
    {
        const char digits[] = "0123456789abcdef";
        return {digits[value >> 4], digits[value & 15]};
    }

    const char *read(size_t n)
    {
        if (n > size_ - pos_)
            fail("truncated pickle");
        const char *p = data_ + pos_;
        pos_ += n;
        return p;
    }
    uint8_t readByte() { return static_cast<uint8_t>(*read(1)); }
    uint64_t readUnsigned(size_t n)
    {
        const char *bytes = read(n);
        uint64_t value = 0;
        for (size_t i = n; i-- > 0;)
            value = (value << 8) | static_cast<uint8_t>(bytes[i]);
        return value;
    }
    int64_t readLong(uint64_t n)
    {
        if (n > 8)
            fail("pickled integer too large");
        if (n == 0)
            return 0;
        uint64_t value = readUnsigned(n);
        if (n < 8 && (value >> (8 * n - 1)) & 1u) // sign-extend two's complement
            value |= ~uint64_t(0) << (8 * n);
        return static_cast<int64_t>(value);
    }
    std::string readLine()
    {
        std::string line;
        for (char c = static_cast<char>(readByte()); c != '\n'; c = static_cast<char>(readByte()))
            line += c;
        return line;
    }

    void push(PickleObjectPtr object) { stack_.push_back(std::move(object)); }
    void pushInt(int64_t value)
    {
        auto i = make(PickleObject::Kind::Int);
        i->integer = value;
        push(i);
    }
    void pushString(uint64_t length)
    {
        auto s = make(PickleObject::Kind::String);
        s->text.assign(read(length), length);
        push(s);
    }
    void pushGlobal(std::string name)
    {
        auto g = make(PickleObject::Kind::Global);
        g->text = std::move(name);
        push(g);
    }
    PickleObjectPtr pop()
    {
        if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
            fail("malformed pickle: stack underflow");
        auto object = std::move(stack_.back());
        stack_.pop_back();
        return object;
    }
    const PickleObjectPtr &top() const
    {
        if (stack_.empty())
            fail("malformed pickle: empty stack");
        return stack_.back();
    }
    std::vector<PickleObjectPtr> popN(size_t n)
    {
        if (stack_.size() < n)
            fail("malformed pickle: stack underflow");
        std::vector<PickleObjectPtr> items(stack_.end() - static_cast<std::ptrdiff_t>(n),
                                           stack_.end());
        stack_.resize(stack_.size() - n);
        return items;
    }
    std::vector<PickleObjectPtr> popToMark()
    {
        if (marks_.empty())
            fail("malformed pickle: no mark");
        const size_t mark = marks_.back();
        marks_.pop_back();
        return popN(stack_.size() - mark);
    }
    PickleObjectPtr memoGet(uint64_t index) const
    {
        const auto it = memo_.find(index);
        if (it == memo_.end())
            fail("malformed pickle: memo entry " + std::to_string(index) + " missing");
        return it->second;
    }

    static PickleObjectPtr container(PickleObject::Kind kind, std::vector<PickleObjectPtr> items)
    {
        auto object = make(kind);
        for (const auto &item : items)
            adopt(*object, item);
        object->items = std::move(items);
        return object;
    }
    static void appendTo(const PickleObjectPtr &list, const std::vector<PickleObjectPtr> &items)
    {
        if (list->kind != PickleObject::Kind::List)
            fail("malformed pickle: APPEND to a non-list");
        for (const auto &item : items)
            adopt(*list, item);
        list->items.insert(list->items.end(), items.begin(), items.end());
    }
    static void setItems(const PickleObjectPtr &dict, const std::vector<PickleObjectPtr> &items)
    {
        if (dict->kind != PickleObject::Kind::Dict)
            fail("malformed pickle: SETITEM on a non-dict (" + dict->text + ")");
        if (items.size() % 2 != 0)
            fail("malformed pickle: odd number of dict items");
        for (size_t i = 0; i < items.size(); i += 2) {
            adopt(*dict, items[i]);
            adopt(*dict, items[i + 1]);
            dict->entries.emplace_back(items[i], items[i + 1]);
        }
    }

    PickleObjectPtr reduce(const PickleObjectPtr &callable, const PickleObjectPtr &args)
    {
        const std::string name = callable->kind == PickleObject::Kind::Global ? callable->text : "";
        const auto &a = args->items;
        if (name == "collections.OrderedDict" || name == "builtins.dict") {
            auto dict = make(PickleObject::Kind::Dict);
            if (!a.empty() && (a[0]->kind == PickleObject::Kind::List ||
                               a[0]->kind == PickleObject::Kind::Tuple)) {
                for (const auto &pair : a[0]->items) {
                    if (pair->items.size() != 2)
                        fail("malformed OrderedDict arguments");
                    adopt(*dict, pair->items[0]);
                    adopt(*dict, pair->items[1]);
                    dict->entries.emplace_back(pair->items[0], pair->items[1]);
                }
            }
            return dict;
        }
        if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") {
            if (a.size() < 4 || a[0]->kind != PickleObject::Kind::Tensor ||
                a[1]->kind != PickleObject::Kind::Int)
                fail("malformed tensor in pickle");
            auto t = make(PickleObject::Kind::Tensor);
            t->tensor = a[0]->tensor.as_strided(intTuple(a[2], "size"), intTuple(a[3], "stride"),
                                                a[1]->integer);
            return t;
        }
        if (name == "torch.jit._pickle.restore_type_tag") {
            // LibTorch's pickler wraps typed containers: (object, "Dict[str, Tensor]").
            if (a.empty())
                fail("malformed type tag in pickle");
            return a[0];
        }
        if (name == "torch._utils._rebuild_parameter" ||
            name == "torch._utils._rebuild_parameter_with_state") {
            if (a.empty() || a[0]->kind != PickleObject::Kind::Tensor)
                fail("malformed parameter in pickle");
            return a[0];
        }
        // Anything else (a class instance, a TorchScript object...) is kept opaque: it is only an
        // error if it ends up where a tensor or the state dict is expected.
        auto other = make(PickleObject::Kind::Other);
        other->text = name.empty() ? "<unknown>" : name;
        return other;
    }

    PickleObjectPtr persistentLoad(const PickleObjectPtr &pid)
    {
        // ('storage', torch.<Type>Storage, key, location, numel)
        const auto &f = pid->items;
        if (pid->kind != PickleObject::Kind::Tuple || f.size() < 5 ||
            f[0]->kind != PickleObject::Kind::String || f[0]->text != "storage" ||
            f[1]->kind != PickleObject::Kind::Global || f[2]->kind != PickleObject::Kind::String ||
            f[4]->kind != PickleObject::Kind::Int)
            fail("unsupported persistent id in pickle");
        auto t = make(PickleObject::Kind::Tensor);
        const auto cached = storages_.find(f[2]->text);
        if (cached != storages_.end()) {
            t->tensor = cached->second;
        } else {
            t->tensor = load_storage_(f[2]->text, storageScalarType(f[1]->text), f[4]->integer);
            storages_.emplace(f[2]->text, t->tensor);
        }
        return t;
    }

    const char *data_;
    size_t size_;
    size_t pos_ = 0;
    StorageLoader load_storage_;
    std::vector<PickleObjectPtr> stack_;
    std::vector<size_t> marks_;
    std::unordered_map<uint64_t, PickleObjectPtr> memo_;
    std::unordered_map<std::string, at::Tensor> storages_;
};

const PickleObjectPtr *findKey(const PickleObject &dict, const std::string &key)
{
    for (const auto &entry : dict.entries) {
        if (entry.first->kind == PickleObject::Kind::String && entry.first->text == key)
            return &entry.second;
    }
    return nullptr;
}

StateDict toStateDict(const PickleObjectPtr &root, const std::string &path)
{
    if (root->kind != PickleObject::Kind::Dict)
        fail(path + " does not hold a state dict (found a " +
             (root->kind == PickleObject::Kind::Other ? root->text : std::string("non-dict")) +
             " object)");
    const PickleObject *dict = root.get();
    for (const char *nested : {"state_dict", "model"}) {
        const auto *value = findKey(*dict, nested);
        if (value && (*value)->kind == PickleObject::Kind::Dict) {
            dict = value->get();
            break;
        }
    }
    StateDict state;
    for (const auto &[key, value] : dict->entries) {
        if (key->kind != PickleObject::Kind::String)
            fail(path + ": a state dict key is not a string");
        if (value->kind != PickleObject::Kind::Tensor)
            fail(path + ": entry '" + key->text + "' is not a tensor");
        state[key->text] = value->tensor;
    }
    return state;
}

} // namespace

StateDict readStateDict(const std::string &path)
{
    {
        std::ifstream file(path, std::ios::binary);
        if (!file)
            fail("cannot open " + path);
        char magic[4] = {};
        file.read(magic, 4);
        if (file.gcount() != 4 || std::memcmp(magic, "PK\x03\x04", 4) != 0)
            fail(path + " is not in PyTorch's zip format (torch.save since PyTorch 1.6); "
                        "re-save it with torch.save(torch.load(path), path)");
    }
    try {
        caffe2::serialize::PyTorchStreamReader reader(path);
        if (reader.hasRecord("byteorder")) {
            auto [bytes, size] = reader.getRecord("byteorder");
            const std::string order(static_cast<const char *>(bytes.get()), size);
            if (order != "little")
                fail(path + " stores tensors in " + order + "-endian byte order");
        }
        auto [pickle, pickle_size] = reader.getRecord("data.pkl");
        auto load_storage = [&reader](const std::string &key, at::ScalarType type, int64_t numel) {
            auto [bytes, size] = reader.getRecord("data/" + key);
            auto storage = at::empty({numel}, at::TensorOptions().dtype(type));
            if (size < storage.nbytes())
                fail("storage record " + key + " is shorter than its " + std::to_string(numel) +
                     " elements");
            std::memcpy(storage.data_ptr(), bytes.get(), storage.nbytes());
            return storage;
        };
        Unpickler unpickler(static_cast<const char *>(pickle.get()), pickle_size, load_storage);
        return toStateDict(unpickler.run(), path);
    } catch (const c10::Error &e) {
        fail("cannot read " + path + ": " + e.what_without_backtrace());
    }
}

void writeStateDict(const StateDict &state, const std::string &path)
{
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto &[key, tensor] : state)
        dict.insert(key, tensor.detach().cpu().contiguous());
    const std::vector<char> bytes = torch::pickle_save(dict);
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file)
        fail("cannot write " + path);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!file)
        fail("error writing " + path);
}

} // namespace medseg::models
