// See tsflat_walk.c.
#ifndef OPTLINT_TSFLAT_WALK_H_
#define OPTLINT_TSFLAT_WALK_H_

#include <stdint.h>
#include <tree_sitter/api.h>

#ifdef __cplusplus
extern "C" {
#endif

// Writes the records of `node`'s descendants (record `first`, node's own, is already written)
// and marks them expanded and whole. Returns the index after the subtree, or 0 when the tree is
// nested too deeply to walk recursively (nothing is then reliable: use the cursor walk).
uint32_t optlint_write_subtree(int32_t *data, uint32_t first, TSNode node, uint32_t limit);

#ifdef __cplusplus
}
#endif

#endif
