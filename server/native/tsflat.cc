// tree-sitter's C runtime (vendored by the `tree-sitter` npm package, compiled here from source)
// driven directly, so that syntax trees cross into JavaScript many nodes per call.
//
// The `tree-sitter` binding hands out nodes one at a time: every node, cursor step or position
// read is an N-API call, and the analysis reads hundreds of thousands of them (measured: reading
// a corpus's trees through cursors cost more than parsing it). Here `expand` walks the tree in
// C and writes the nodes into one Int32Array, in preorder, NODE_INTS ints per node:
//
//   0 symbol    ts_node_symbol (the grammar's id; the name table comes from `language`)
//   1 field     the field id this node fills in its parent (0: none)
//   2 flags     FLAG_* below
//   3 start     start index in UTF-16 code units (we parse UTF-16, so bytes / 2)
//   4 end       end index
//   5 startRow  6 startColumn (UTF-16 units)
//   7 endRow    8 endColumn
//   9 next      the preorder index just past this node's subtree (its next sibling, if any)
//  10 parent    the parent's preorder index (-1 for the root)
//
// A whole subtree is written by tsflat_walk.c, which walks tree-sitter's subtrees directly (the
// cursor walk below is its fallback for trees nested too deeply to recurse).
//
// Preorder indices are tree-sitter's descendant indices, so records are filled lazily: `init`
// sizes the array for every node and fills the root's record, `expand` fills the records of one
// node's children (or of its whole subtree) when JavaScript first asks for them. The analysis
// of a long file reads about one node in twenty; the others are never written.
//
// The grammar is tree-sitter-python's own compiled language, taken from that package's type-tagged
// `language` External, exactly as the `tree-sitter` binding takes it.
#include <napi.h>
#include <tree_sitter/api.h>

#include "tsflat_walk.h"

#include <cstdint>
#include <string>
#include <vector>

namespace {

constexpr int NODE_INTS = 11;
constexpr int32_t FLAG_NAMED = 1;
constexpr int32_t FLAG_MISSING = 2;
constexpr int32_t FLAG_EXTRA = 4;
constexpr int32_t FLAG_HAS_ERROR = 8;
// The records of this node's children are filled.
constexpr int32_t FLAG_EXPANDED = 16;
// The records of this node's whole subtree are filled.
constexpr int32_t FLAG_WHOLE = 32;

// "tree-sitter", "language" hashed with BLAKE2: the tag every tree-sitter grammar binding uses.
const napi_type_tag LANGUAGE_TYPE_TAG = {0x8AF2E5212AD58ABF, 0xD5006CAD83ABBA16};
// Our own objects, so that a tree is never mistaken for a parser or a query.
const napi_type_tag PARSER_TAG = {0x6f70746c696e7401, 0x7473666c61740001};
const napi_type_tag TREE_TAG = {0x6f70746c696e7401, 0x7473666c61740002};
const napi_type_tag QUERY_TAG = {0x6f70746c696e7401, 0x7473666c61740003};

struct ParserBox {
  TSParser* parser;
  const TSLanguage* language;
};

// A tree is freed by the garbage collector (JavaScript nodes read it lazily). `cursor`
// stays on the tree between `expand` calls (goto_descendant moves it from where it is).
struct TreeBox {
  TSTree* tree;
  TSTreeCursor cursor;
  bool hasCursor;
  // What the tree was reported to V8 as (an estimate), so that garbage collection, which frees
  // trees, knows they are there.
  int64_t reported;
};

struct QueryBox {
  TSQuery* query;
};

template <typename T>
T* Unwrap(const Napi::CallbackInfo& info, size_t i, const napi_type_tag& tag, const char* what) {
  Napi::Env env = info.Env();
  if (info.Length() <= i || !info[i].IsExternal() || !info[i].As<Napi::External<T>>().CheckTypeTag(&tag)) {
    Napi::TypeError::New(env, std::string("expected ") + what).ThrowAsJavaScriptException();
    return nullptr;
  }
  return info[i].As<Napi::External<T>>().Data();
}

const TSLanguage* UnwrapLanguage(const Napi::CallbackInfo& info, size_t i) {
  Napi::Env env = info.Env();
  Napi::Value v = info.Length() > i ? info[i] : env.Undefined();
  if (v.IsObject() && !v.IsExternal()) v = v.As<Napi::Object>().Get("language");
  if (!v.IsExternal() || !v.As<Napi::External<TSLanguage>>().CheckTypeTag(&LANGUAGE_TYPE_TAG)) {
    Napi::TypeError::New(env, "expected a tree-sitter language (require('tree-sitter-python'))").ThrowAsJavaScriptException();
    return nullptr;
  }
  const TSLanguage* language = v.As<Napi::External<TSLanguage>>().Data();
  uint32_t abi = ts_language_abi_version(language);
  if (abi < TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION || abi > TREE_SITTER_LANGUAGE_VERSION) {
    Napi::Error::New(env, "incompatible grammar ABI " + std::to_string(abi) + " (runtime supports " +
                              std::to_string(TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION) + ".." +
                              std::to_string(TREE_SITTER_LANGUAGE_VERSION) + ")")
        .ThrowAsJavaScriptException();
    return nullptr;
  }
  return language;
}

// newParser(language) -> parser
Napi::Value NewParser(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const TSLanguage* language = UnwrapLanguage(info, 0);
  if (!language) return env.Null();
  TSParser* parser = ts_parser_new();
  if (!ts_parser_set_language(parser, language)) {
    ts_parser_delete(parser);
    Napi::Error::New(env, "ts_parser_set_language failed").ThrowAsJavaScriptException();
    return env.Null();
  }
  auto ext = Napi::External<ParserBox>::New(env, new ParserBox{parser, language}, [](Napi::Env, ParserBox* box) {
    ts_parser_delete(box->parser);
    delete box;
  });
  ext.TypeTag(&PARSER_TAG);
  return ext;
}

// language(parser) -> { symbols: string[], fields: string[] } (index = id)
Napi::Value LanguageInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ParserBox* box = Unwrap<ParserBox>(info, 0, PARSER_TAG, "a parser");
  if (!box) return env.Null();
  const TSLanguage* lang = box->language;
  uint32_t nsym = ts_language_symbol_count(lang);
  Napi::Array symbols = Napi::Array::New(env, nsym);
  for (uint32_t i = 0; i < nsym; i++) {
    const char* name = ts_language_symbol_name(lang, static_cast<TSSymbol>(i));
    symbols.Set(i, Napi::String::New(env, name ? name : ""));
  }
  uint32_t nfield = ts_language_field_count(lang);
  Napi::Array fields = Napi::Array::New(env, nfield + 1);
  fields.Set(0u, env.Null());
  for (uint32_t i = 1; i <= nfield; i++) {
    const char* name = ts_language_field_name_for_id(lang, static_cast<TSFieldId>(i));
    fields.Set(i, name ? Napi::Value(Napi::String::New(env, name)) : env.Null());
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("symbols", symbols);
  out.Set("fields", fields);
  return out;
}

Napi::Value WrapTree(Napi::Env env, TSTree* tree) {
  int64_t bytes = static_cast<int64_t>(ts_node_descendant_count(ts_tree_root_node(tree))) * 48;
  Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
  auto ext = Napi::External<TreeBox>::New(env, new TreeBox{tree, {}, false, bytes}, [](Napi::Env env, TreeBox* box) {
    if (box->hasCursor) ts_tree_cursor_delete(&box->cursor);
    ts_tree_delete(box->tree);
    Napi::MemoryManagement::AdjustExternalMemory(env, -box->reported);
    delete box;
  });
  ext.TypeTag(&TREE_TAG);
  return ext;
}

uint32_t U32(const Napi::Value& v) { return v.As<Napi::Number>().Uint32Value(); }

// parse(parser, text, oldTree?, range?) -> tree. The whole string is handed over at once, as
// UTF-16. `range` ([startIndex, endIndex, startRow, startColumn, endRow, endColumn], UTF-16 units)
// parses only that part of the text; positions stay those of the whole text.
Napi::Value Parse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ParserBox* box = Unwrap<ParserBox>(info, 0, PARSER_TAG, "a parser");
  if (!box) return env.Null();
  if (info.Length() < 2 || !info[1].IsString()) {
    Napi::TypeError::New(env, "expected the source text").ThrowAsJavaScriptException();
    return env.Null();
  }
  TSTree* old = nullptr;
  if (info.Length() > 2 && !info[2].IsNull() && !info[2].IsUndefined()) {
    TreeBox* t = Unwrap<TreeBox>(info, 2, TREE_TAG, "a tree");
    if (!t) return env.Null();
    old = t->tree;
  }
  bool ranged = info.Length() > 3 && info[3].IsArray();
  if (ranged) {
    Napi::Array r = info[3].As<Napi::Array>();
    if (r.Length() != 6) {
      Napi::TypeError::New(env, "parse: a range is 6 numbers").ThrowAsJavaScriptException();
      return env.Null();
    }
    uint32_t v[6];
    for (uint32_t i = 0; i < 6; i++) v[i] = U32(r.Get(i));
    TSRange range = {{v[2], v[3] * 2}, {v[4], v[5] * 2}, v[0] * 2, v[1] * 2};
    ts_parser_set_included_ranges(box->parser, &range, 1);
  }
  size_t len = 0;
  napi_get_value_string_utf16(env, info[1], nullptr, 0, &len);
  std::u16string text(len, u'\0');
  napi_get_value_string_utf16(env, info[1], reinterpret_cast<char16_t*>(&text[0]), len + 1, &len);
  TSTree* tree = ts_parser_parse_string_encoding(box->parser, old, reinterpret_cast<const char*>(text.data()),
                                                 static_cast<uint32_t>(len * 2), TSInputEncodingUTF16LE);
  if (ranged) ts_parser_set_included_ranges(box->parser, nullptr, 0);
  if (!tree) {
    Napi::Error::New(env, "tree-sitter returned no tree").ThrowAsJavaScriptException();
    return env.Null();
  }
  return WrapTree(env, tree);
}

// edit(tree, startIndex, oldEndIndex, newEndIndex, startRow, startCol, oldEndRow, oldEndCol,
//      newEndRow, newEndCol) -> a copy of the tree with the edit applied, for an incremental
// re-parse. The tree itself is left as it was, so nodes read from it stay right. Indices and
// columns in UTF-16 units.
Napi::Value Edit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TreeBox* t = Unwrap<TreeBox>(info, 0, TREE_TAG, "a tree");
  if (!t) return env.Null();
  for (size_t i = 1; i <= 9; i++) {
    if (info.Length() <= i || !info[i].IsNumber()) {
      Napi::TypeError::New(env, "edit: expected 9 numbers").ThrowAsJavaScriptException();
      return env.Null();
    }
  }
  TSInputEdit e;
  e.start_byte = U32(info[1]) * 2;
  e.old_end_byte = U32(info[2]) * 2;
  e.new_end_byte = U32(info[3]) * 2;
  e.start_point = {U32(info[4]), U32(info[5]) * 2};
  e.old_end_point = {U32(info[6]), U32(info[7]) * 2};
  e.new_end_point = {U32(info[8]), U32(info[9]) * 2};
  // A copy shares its subtrees; ts_tree_edit copies those it changes.
  TSTree* copy = ts_tree_copy(t->tree);
  ts_tree_edit(copy, &e);
  return WrapTree(env, copy);
}

inline void WriteNode(int32_t* rec, TSNode node, TSFieldId field) {
  TSPoint s = ts_node_start_point(node);
  TSPoint e = ts_node_end_point(node);
  rec[0] = ts_node_symbol(node);
  rec[1] = field;
  rec[2] = (ts_node_is_named(node) ? FLAG_NAMED : 0) | (ts_node_is_missing(node) ? FLAG_MISSING : 0) |
           (ts_node_is_extra(node) ? FLAG_EXTRA : 0) | (ts_node_has_error(node) ? FLAG_HAS_ERROR : 0);
  rec[3] = static_cast<int32_t>(ts_node_start_byte(node) / 2);
  rec[4] = static_cast<int32_t>(ts_node_end_byte(node) / 2);
  rec[5] = static_cast<int32_t>(s.row);
  rec[6] = static_cast<int32_t>(s.column / 2);
  rec[7] = static_cast<int32_t>(e.row);
  rec[8] = static_cast<int32_t>(e.column / 2);
}

// Writes the records of `node`'s descendants (the record of `node` itself, at `first`, is written
// by the caller) and marks each as expanded. Returns the index after the subtree.
uint32_t WriteSubtree(int32_t* data, uint32_t first, TSNode node, uint32_t limit) {
  TSTreeCursor cursor = ts_tree_cursor_new(node);
  // Preorder indices of the nodes on the way down, to fill in `next` on the way back up.
  std::vector<uint32_t> open;
  open.reserve(64);
  open.push_back(first);
  data[first * NODE_INTS + 2] |= FLAG_EXPANDED | FLAG_WHOLE;
  uint32_t n = first + 1;
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    for (;;) {
      if (n >= limit) break;  // cannot happen: descendant counts count exactly these nodes
      int32_t* rec = data + n * NODE_INTS;
      WriteNode(rec, ts_tree_cursor_current_node(&cursor), ts_tree_cursor_current_field_id(&cursor));
      rec[2] |= FLAG_EXPANDED | FLAG_WHOLE;
      rec[10] = static_cast<int32_t>(open.back());
      open.push_back(n);
      n++;
      if (ts_tree_cursor_goto_first_child(&cursor)) continue;
      bool done = false;
      for (;;) {
        data[open.back() * NODE_INTS + 9] = static_cast<int32_t>(n);
        open.pop_back();
        if (ts_tree_cursor_goto_next_sibling(&cursor)) break;
        if (!ts_tree_cursor_goto_parent(&cursor)) {
          done = true;
          break;
        }
      }
      if (done) break;
    }
  }
  while (!open.empty()) {
    data[open.back() * NODE_INTS + 9] = static_cast<int32_t>(n);
    open.pop_back();
  }
  ts_tree_cursor_delete(&cursor);
  return n;
}

// init(tree) -> Int32Array sized for every node, with only the root's record filled.
Napi::Value Init_(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TreeBox* t = Unwrap<TreeBox>(info, 0, TREE_TAG, "a tree");
  if (!t) return env.Null();
  TSNode root = ts_tree_root_node(t->tree);
  uint32_t count = ts_node_descendant_count(root);
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, static_cast<size_t>(count) * NODE_INTS * sizeof(int32_t));
  int32_t* data = static_cast<int32_t*>(buf.Data());
  WriteNode(data, root, 0);
  data[9] = static_cast<int32_t>(count);
  data[10] = -1;
  return Napi::Int32Array::New(env, static_cast<size_t>(count) * NODE_INTS, buf, 0);
}

// expand(tree, ints, i, whole): fills the records of node i's children, or with `whole` of its
// entire subtree. Node i's own record must be filled.
Napi::Value Expand(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TreeBox* t = Unwrap<TreeBox>(info, 0, TREE_TAG, "a tree");
  if (!t) return env.Null();
  if (info.Length() < 4 || !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array || !info[2].IsNumber()) {
    Napi::TypeError::New(env, "expand(tree, ints, index, whole)").ThrowAsJavaScriptException();
    return env.Null();
  }
  Napi::Int32Array ints = info[1].As<Napi::Int32Array>();
  int32_t* data = ints.Data();
  uint32_t limit = static_cast<uint32_t>(ints.ElementLength() / NODE_INTS);
  uint32_t i = U32(info[2]);
  bool whole = info[3].ToBoolean();
  if (i >= limit) {
    Napi::RangeError::New(env, "expand: no such node").ThrowAsJavaScriptException();
    return env.Null();
  }
  if (!t->hasCursor) {
    t->cursor = ts_tree_cursor_new(ts_tree_root_node(t->tree));
    t->hasCursor = true;
  }
  ts_tree_cursor_goto_descendant(&t->cursor, i);
  if (whole) {
    TSNode node = ts_tree_cursor_current_node(&t->cursor);
    if (!optlint_write_subtree(data, i, node, limit)) WriteSubtree(data, i, node, limit);
    return env.Undefined();
  }
  data[i * NODE_INTS + 2] |= FLAG_EXPANDED;
  if (!ts_tree_cursor_goto_first_child(&t->cursor)) return env.Undefined();
  uint32_t j = i + 1;
  do {
    if (j >= limit) break;
    TSNode child = ts_tree_cursor_current_node(&t->cursor);
    int32_t* rec = data + j * NODE_INTS;
    WriteNode(rec, child, ts_tree_cursor_current_field_id(&t->cursor));
    uint32_t next = j + ts_node_descendant_count(child);
    rec[9] = static_cast<int32_t>(next);
    rec[10] = static_cast<int32_t>(i);
    j = next;
  } while (ts_tree_cursor_goto_next_sibling(&t->cursor));
  return env.Undefined();
}

// newQuery(parser, source) -> query; throws "<kind> at offset N" on a bad query.
Napi::Value NewQuery(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ParserBox* box = Unwrap<ParserBox>(info, 0, PARSER_TAG, "a parser");
  if (!box) return env.Null();
  if (info.Length() < 2 || !info[1].IsString()) {
    Napi::TypeError::New(env, "expected the query source").ThrowAsJavaScriptException();
    return env.Null();
  }
  std::string source = info[1].As<Napi::String>().Utf8Value();
  uint32_t offset = 0;
  TSQueryError error = TSQueryErrorNone;
  TSQuery* query = ts_query_new(box->language, source.data(), static_cast<uint32_t>(source.size()), &offset, &error);
  if (!query) {
    static const char* kinds[] = {"none", "syntax error", "invalid node type", "invalid field", "invalid capture", "structure error", "language error"};
    const char* kind = error < 7 ? kinds[error] : "error";
    Napi::Error::New(env, std::string("query ") + kind + " at offset " + std::to_string(offset)).ThrowAsJavaScriptException();
    return env.Null();
  }
  auto ext = Napi::External<QueryBox>::New(env, new QueryBox{query}, [](Napi::Env, QueryBox* q) {
    ts_query_delete(q->query);
    delete q;
  });
  ext.TypeTag(&QUERY_TAG);
  return ext;
}

// captureNames(query) -> string[]
Napi::Value CaptureNames(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  QueryBox* q = Unwrap<QueryBox>(info, 0, QUERY_TAG, "a query");
  if (!q) return env.Null();
  uint32_t n = ts_query_capture_count(q->query);
  Napi::Array out = Napi::Array::New(env, n);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t len = 0;
    const char* name = ts_query_capture_name_for_id(q->query, i, &len);
    out.Set(i, Napi::String::New(env, name, len));
  }
  return out;
}

// captures(query, tree, startIndex, endIndex) -> Int32Array of [capture, then ints 0..8 of the
// node as `expand` writes them] per capture, in document order. Predicates are not applied
// (optlint's queries use none).
Napi::Value Captures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  QueryBox* q = Unwrap<QueryBox>(info, 0, QUERY_TAG, "a query");
  TreeBox* t = q ? Unwrap<TreeBox>(info, 1, TREE_TAG, "a tree") : nullptr;
  if (!q || !t) return env.Null();
  uint32_t start = info.Length() > 2 && info[2].IsNumber() ? U32(info[2]) : 0;
  uint32_t end = info.Length() > 3 && info[3].IsNumber() ? U32(info[3]) : UINT32_MAX / 2;
  TSQueryCursor* cursor = ts_query_cursor_new();
  ts_query_cursor_set_byte_range(cursor, start * 2, end * 2);
  ts_query_cursor_exec(cursor, q->query, ts_tree_root_node(t->tree));
  std::vector<int32_t> out;
  TSQueryMatch match;
  uint32_t index = 0;
  while (ts_query_cursor_next_capture(cursor, &match, &index)) {
    const TSQueryCapture& c = match.captures[index];
    int32_t rec[NODE_INTS];
    WriteNode(rec, c.node, 0);
    out.push_back(static_cast<int32_t>(c.index));
    out.insert(out.end(), rec, rec + 9);
  }
  ts_query_cursor_delete(cursor);
  Napi::Int32Array arr = Napi::Int32Array::New(env, out.size());
  for (size_t i = 0; i < out.size(); i++) arr[i] = out[i];
  return arr;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NODE_INTS", Napi::Number::New(env, NODE_INTS));
  exports.Set("newParser", Napi::Function::New(env, NewParser));
  exports.Set("language", Napi::Function::New(env, LanguageInfo));
  exports.Set("parse", Napi::Function::New(env, Parse));
  exports.Set("edit", Napi::Function::New(env, Edit));
  exports.Set("init", Napi::Function::New(env, Init_));
  exports.Set("expand", Napi::Function::New(env, Expand));
  exports.Set("newQuery", Napi::Function::New(env, NewQuery));
  exports.Set("captureNames", Napi::Function::New(env, CaptureNames));
  exports.Set("captures", Napi::Function::New(env, Captures));
  return exports;
}

}  // namespace

NODE_API_MODULE(optlint_tsflat, Init)
