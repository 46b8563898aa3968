// The whole-subtree fill of tsflat.cc, over tree-sitter's subtrees directly.
//
// A TSTreeCursor visits the same nodes, but every step re-derives what a walk already knows
// (the alias sequence and field map of the parent, the field through hidden ancestors, each
// node's position), and the records of a whole tree cost more than half as much as parsing it.
// This walk follows the cursor's rules exactly (tree_cursor.c in the same vendored sources):
//
// - children are visited in order; a child is visible if its subtree is, or if the parent's
//   production aliases it (extras are never aliased); a hidden child's visible descendants are
//   children of the nearest visible ancestor;
// - a visible node's field is its own entry in its parent's field map (not an inherited one),
//   else the field of each hidden ancestor in turn up to the visible one; an extra has none
//   and passes none down (ts_tree_cursor_current_field_id);
// - a child starts where the previous one ended plus its own padding; the first child starts
//   where its parent starts.
//
// flat-parity.test.ts compares every record with the `tree-sitter` binding's nodes.
#include <stdbool.h>
#include <stdint.h>

#include "./language.h"
#include "./subtree.h"

#include "tsflat_walk.h"

enum { NODE_INTS = 11, FLAG_NAMED = 1, FLAG_MISSING = 2, FLAG_EXTRA = 4, FLAG_HAS_ERROR = 8, FLAG_EXPANDED = 16, FLAG_WHOLE = 32 };

// Hidden and visible levels the recursion goes down before giving up (a generated file can nest
// a binary operator thousands deep; the cursor walk has no limit).
enum { MAX_DEPTH = 1000 };

typedef struct {
  int32_t *data;
  uint32_t n;
  uint32_t limit;
  const TSLanguage *language;
  bool too_deep;
} Walk;

static void write_record(Walk *w, int32_t *rec, Subtree s, TSSymbol alias, Length start, TSFieldId field, uint32_t parent) {
  const TSLanguage *lang = w->language;
  TSSymbol symbol = alias ? alias : ts_subtree_symbol(s);
  bool named = alias ? ts_language_symbol_metadata(lang, alias).named : ts_subtree_named(s);
  Length size = ts_subtree_size(s);
  TSPoint end = point_add(start.extent, size.extent);
  rec[0] = ts_language_public_symbol(lang, symbol);
  rec[1] = field;
  rec[2] = (named ? FLAG_NAMED : 0) | (ts_subtree_missing(s) ? FLAG_MISSING : 0) | (ts_subtree_extra(s) ? FLAG_EXTRA : 0) |
           (ts_subtree_error_cost(s) > 0 ? FLAG_HAS_ERROR : 0) | FLAG_EXPANDED | FLAG_WHOLE;
  rec[3] = (int32_t)(start.bytes / 2);
  rec[4] = (int32_t)((start.bytes + size.bytes) / 2);
  rec[5] = (int32_t)start.extent.row;
  rec[6] = (int32_t)(start.extent.column / 2);
  rec[7] = (int32_t)end.row;
  rec[8] = (int32_t)(end.column / 2);
  rec[10] = (int32_t)parent;
}

// Writes the visible nodes under `parent` (which starts at `pos`) as children of record
// `parent_rec`. `outer_field`: the field a hidden `parent` carries for them (0 when `parent` is
// visible or an extra).
static void walk_children(Walk *w, Subtree parent, Length pos, uint32_t parent_rec, TSFieldId outer_field, unsigned depth) {
  uint32_t count = ts_subtree_child_count(parent);
  if (count == 0) return;
  if (depth > MAX_DEPTH) {
    w->too_deep = true;
    return;
  }
  const TSLanguage *lang = w->language;
  uint16_t production = parent.ptr->production_id;
  const TSSymbol *aliases = ts_language_alias_sequence(lang, production);
  const TSFieldMapEntry *fields, *fields_end;
  ts_language_field_map(lang, production, &fields, &fields_end);
  const Subtree *kids = ts_subtree_children(parent);
  uint32_t structural = 0;
  for (uint32_t i = 0; i < count; i++) {
    Subtree child = kids[i];
    if (i > 0) pos = length_add(pos, ts_subtree_padding(child));
    bool extra = ts_subtree_extra(child);
    bool visible = ts_subtree_visible(child);
    TSSymbol alias = 0;
    TSFieldId field = 0;
    if (!extra) {
      if (aliases) {
        alias = aliases[structural];
        if (alias) visible = true;
      }
      for (const TSFieldMapEntry *m = fields; m < fields_end; m++) {
        if (!m->inherited && m->child_index == structural) {
          field = m->field_id;
          break;
        }
      }
      structural++;
    }
    TSFieldId effective = extra ? 0 : (field ? field : outer_field);
    if (visible) {
      if (w->n >= w->limit) return;  // cannot happen: descendant counts count exactly these nodes
      uint32_t me = w->n++;
      int32_t *rec = w->data + (size_t)me * NODE_INTS;
      write_record(w, rec, child, alias, pos, effective, parent_rec);
      walk_children(w, child, pos, me, 0, depth + 1);
      rec[9] = (int32_t)w->n;
    } else {
      walk_children(w, child, pos, parent_rec, effective, depth + 1);
    }
    pos = length_add(pos, ts_subtree_size(child));
  }
}

uint32_t optlint_write_subtree(int32_t *data, uint32_t first, TSNode node, uint32_t limit) {
  Walk w = {data, first + 1, limit, ts_node_language(node), false};
  int32_t *rec = data + (size_t)first * NODE_INTS;
  rec[2] |= FLAG_EXPANDED | FLAG_WHOLE;
  Subtree s = *(const Subtree *)node.id;
  Length pos = {ts_node_start_byte(node), ts_node_start_point(node)};
  walk_children(&w, s, pos, first, 0, 0);
  if (w.too_deep) return 0;
  rec[9] = (int32_t)w.n;
  return w.n;
}
