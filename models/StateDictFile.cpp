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

// What a state dict's pickle may name, as PyTorch's torch.load(weights_only=True) allows: the
// containers, the tensor and parameter rebuild functions, the storage types. Anything else
// (os.system, builtins.eval, a class of the author's code) is refused by name before it could
// matter: a pickle can ask for any Python callable, and a weight file never needs one.
bool isAllowedGlobal(const std::string &name)
{
    static const std::unordered_map<std::string, bool> allowed{
        {"collections.OrderedDict", true},
        {"builtins.dict", true},
        {"torch._utils._rebuild_tensor", true},
        {"torch._utils._rebuild_tensor_v2", true},
        {"torch._utils._rebuild_parameter", true},
        {"torch._utils._rebuild_parameter_with_state", true},
        {"torch.jit._pickle.restore_type_tag", true},
    };
    if (allowed.count(name))
        return true;
    try {
        storageScalarType(name);
        return true;
    } catch (const std::runtime_error &) {
        return false;
    }
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
        if (!isAllowedGlobal(name))
            fail("refused: the file asks Python for '" + name +
                 "', which a file of weights never needs (PyTorch's weights_only loading "
                 "refuses it too); it may have been made to run code. Only the tensors and "
                 "containers of a state dict are read; save the weights alone with "
                 "torch.save(model.state_dict(), path)");
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
            const std::vector<int64_t> sizes = intTuple(a[2], "size");
            const std::vector<int64_t> strides = intTuple(a[3], "stride");
            checkView(a[0]->tensor.numel(), a[1]->integer, sizes, strides);
            auto t = make(PickleObject::Kind::Tensor);
            t->tensor = a[0]->tensor.as_strided(sizes, strides, a[1]->integer);
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

    // A tensor's view of its storage must lie inside it.
    static void checkView(int64_t storageNumel, int64_t offset, const std::vector<int64_t> &sizes,
                          const std::vector<int64_t> &strides)
    {
        if (sizes.size() != strides.size() || offset < 0)
            fail("malformed tensor in pickle: its sizes, strides or offset do not fit together");
        for (std::size_t d = 0; d < sizes.size(); ++d)
            if (sizes[d] < 0 || strides[d] < 0)
                fail("malformed tensor in pickle: a negative size or stride");
        if (std::find(sizes.begin(), sizes.end(), 0) != sizes.end())
            return; // no elements: nothing of the storage is read
        const std::string pastTheEnd =
            "a tensor in the file reaches past the end of its storage (" +
            std::to_string(storageNumel) + " elements)";
        int64_t last = offset; // the furthest element the view reaches
        for (std::size_t d = 0; d < sizes.size(); ++d) {
            if (sizes[d] > 1 && strides[d] > (storageNumel - last) / (sizes[d] - 1))
                fail(pastTheEnd);
            last += (sizes[d] - 1) * strides[d];
        }
        if (last >= storageNumel)
            fail(pastTheEnd);
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

// A zip member as its central directory entry describes it.
struct ZipMember
{
    uint16_t method = 0; // 0: stored
    uint64_t compressedSize = 0;
    uint64_t size = 0;
};

uint64_t littleEndian(const unsigned char *bytes, int count)
{
    uint64_t value = 0;
    for (int i = count - 1; i >= 0; --i)
        value = (value << 8) | bytes[i];
    return value;
}

// The members of the zip file `path` by name, the archive's top folder left out
// ("archive/data/0" -> "data/0"), as its central directory lists them (zip64 included). Only
// what torch.save writes is accepted: stored members (a compressed one could inflate to any
// size, a "zip bomb"), none larger than the file, names without a ".." folder, a "\\" or a
// leading "/".
std::unordered_map<std::string, ZipMember> readZipDirectory(const std::string &path)
{
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file)
        fail("cannot open " + path);
    const uint64_t fileSize = uint64_t(file.tellg());
    const auto read = [&](uint64_t offset, uint64_t count) {
        if (offset > fileSize || count > fileSize - offset)
            fail(path + ": damaged zip directory (it points past the end of the file)");
        std::vector<unsigned char> bytes(count);
        file.seekg(std::streamoff(offset));
        file.read(reinterpret_cast<char *>(bytes.data()), std::streamsize(count));
        if (!file)
            fail(path + ": cannot read its zip directory");
        return bytes;
    };
    // The end-of-directory record: in the last 64 KiB + 22 bytes (it may carry a comment).
    const uint64_t tail = std::min<uint64_t>(fileSize, 65557);
    const std::vector<unsigned char> end = read(fileSize - tail, tail);
    std::ptrdiff_t eocd = -1;
    for (std::ptrdiff_t i = std::ptrdiff_t(tail) - 22; i >= 0 && eocd < 0; --i)
        if (littleEndian(&end[std::size_t(i)], 4) == 0x06054b50)
            eocd = i;
    if (eocd < 0)
        fail(path + ": damaged zip file (no end of directory)");
    const unsigned char *e = &end[std::size_t(eocd)];
    uint64_t entries = littleEndian(e + 10, 2);
    uint64_t directorySize = littleEndian(e + 12, 4);
    uint64_t directoryOffset = littleEndian(e + 16, 4);
    if (entries == 0xffff || directorySize == 0xffffffff || directoryOffset == 0xffffffff) {
        // zip64: a locator just before the record points to the zip64 end of directory.
        const uint64_t eocdOffset = fileSize - tail + uint64_t(eocd);
        if (eocdOffset < 20)
            fail(path + ": damaged zip64 directory");
        const std::vector<unsigned char> locator = read(eocdOffset - 20, 20);
        if (littleEndian(locator.data(), 4) != 0x07064b50)
            fail(path + ": damaged zip64 directory");
        const std::vector<unsigned char> record = read(littleEndian(&locator[8], 8), 56);
        if (littleEndian(record.data(), 4) != 0x06064b50)
            fail(path + ": damaged zip64 directory");
        entries = littleEndian(&record[32], 8);
        directorySize = littleEndian(&record[40], 8);
        directoryOffset = littleEndian(&record[48], 8);
    }
    if (entries > directorySize / 46)
        fail(path + ": damaged zip directory (more members than it has room for)");
    const std::vector<unsigned char> directory = read(directoryOffset, directorySize);

    std::unordered_map<std::string, ZipMember> members;
    std::size_t at = 0;
    for (uint64_t n = 0; n < entries; ++n) {
        if (at + 46 > directory.size() || littleEndian(&directory[at], 4) != 0x02014b50)
            fail(path + ": damaged zip directory");
        const unsigned char *h = &directory[at];
        ZipMember member;
        member.method = uint16_t(littleEndian(h + 10, 2));
        member.compressedSize = littleEndian(h + 20, 4);
        member.size = littleEndian(h + 24, 4);
        const std::size_t nameLength = littleEndian(h + 28, 2);
        const std::size_t extraLength = littleEndian(h + 30, 2);
        const std::size_t commentLength = littleEndian(h + 32, 2);
        if (at + 46 + nameLength + extraLength + commentLength > directory.size())
            fail(path + ": damaged zip directory");
        const std::string name(reinterpret_cast<const char *>(h + 46), nameLength);
        // zip64 sizes: in the extra field 0x0001, uncompressed first, for those at 0xffffffff.
        for (std::size_t x = 0; x + 4 <= extraLength;) {
            const unsigned char *field = h + 46 + nameLength + x;
            const std::size_t fieldSize = littleEndian(field + 2, 2);
            if (littleEndian(field, 2) == 0x0001 && x + 4 + fieldSize <= extraLength) {
                std::size_t next = 4;
                for (uint64_t *value : {&member.size, &member.compressedSize})
                    if (*value == 0xffffffff && next + 8 <= 4 + fieldSize) {
                        *value = littleEndian(field + next, 8);
                        next += 8;
                    }
            }
            x += 4 + fieldSize;
        }
        at += 46 + nameLength + extraLength + commentLength;

        if (name.empty() || name.front() == '/' || name.find('\\') != std::string::npos ||
            ("/" + name + "/").find("/../") != std::string::npos)
            fail(path + ": refused: it holds a member named '" + name +
                 "', a path that could point outside a folder; torch.save never writes one");
        if (member.method != 0)
            fail(path + ": refused: member '" + name +
                 "' is compressed; torch.save never compresses, and a compressed member can "
                 "inflate to any size (a \"zip bomb\")");
        if (member.size > fileSize || member.compressedSize != member.size)
            fail(path + ": refused: member '" + name + "' claims " + std::to_string(member.size) +
                 " bytes, more than the file holds");
        const std::size_t slash = name.find('/');
        members[slash == std::string::npos ? name : name.substr(slash + 1)] = member;
    }
    return members;
}

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

// NaN or infinite weights (a training that diverged) would load without a word and predict
// nothing; they are refused, naming the first tensor that holds one.
void checkFinite(const StateDict &state, const std::string &path)
{
    for (const auto &[name, tensor] : state)
        if (tensor.is_floating_point() && tensor.numel() > 0 &&
            !at::isfinite(tensor).all().item<bool>())
            fail(path + ": tensor '" + name +
                 "' holds NaN or infinite values (weights of a training that diverged?)");
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
    const std::unordered_map<std::string, ZipMember> members = readZipDirectory(path);
    if (!members.count("data.pkl"))
        fail(path + " does not hold a pickled state dict (no data.pkl in the archive)");
    try {
        caffe2::serialize::PyTorchStreamReader reader(path);
        if (reader.hasRecord("byteorder")) {
            auto [bytes, size] = reader.getRecord("byteorder");
            const std::string order(static_cast<const char *>(bytes.get()), size);
            if (order != "little")
                fail(path + " stores tensors in " + order + "-endian byte order");
        }
        auto [pickle, pickle_size] = reader.getRecord("data.pkl");
        // A storage's size is checked against its member before anything is allocated: memory
        // stays proportional to the file, whatever the pickle claims.
        auto load_storage = [&](const std::string &key, at::ScalarType type, int64_t numel) {
            const auto member = members.find("data/" + key);
            if (member == members.end() ||
                key.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz"
                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != std::string::npos)
                fail("the pickle names a tensor storage '" + key + "' that the file does not hold");
            const uint64_t itemSize = c10::elementSize(type);
            if (numel < 0 || uint64_t(numel) > member->second.size / itemSize)
                fail("tensor storage '" + key + "' claims " + std::to_string(numel) +
                     " elements, more than the " + std::to_string(member->second.size) +
                     " bytes of its record hold");
            auto [bytes, size] = reader.getRecord("data/" + key);
            auto storage = at::empty({numel}, at::TensorOptions().dtype(type));
            if (size < storage.nbytes())
                fail("storage record " + key + " is shorter than its " + std::to_string(numel) +
                     " elements");
            std::memcpy(storage.data_ptr(), bytes.get(), storage.nbytes());
            return storage;
        };
        Unpickler unpickler(static_cast<const char *>(pickle.get()), pickle_size, load_storage);
        StateDict state = toStateDict(unpickler.run(), path);
        checkFinite(state, path);
        return state;
    } catch (const c10::Error &e) {
        fail("cannot read " + path + ": " + e.what_without_backtrace());
    } catch (const std::runtime_error &e) {
        const std::string what = e.what();
        fail(what.find(path) != std::string::npos ? what : path + ": " + what);
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
