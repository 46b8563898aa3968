/** Helpers for the model-layer tests: walk a snippet and look at what it bound and built. */
import * as assert from 'node:assert/strict';
import { initParser } from '../../server/src/core/parsing';
import { buildModel, enumerateLeaves, type FileModel, type ModuleNode, type OptimizerModel, type ParamGroupModel, type Value } from '../../server/src/core/model';
import { Walker } from '../../server/src/core/model/walker';
import type { TorchVersion } from '../../server/src/core/settings';

export const HEADER = `import torch
import torch.nn as nn
import torchvision
from collections import OrderedDict
`;

/** Runs the walker over `HEADER + src` and returns it, so tests can read its global variables. */
export async function walk(src: string, torchVersion: TorchVersion = '2.x'): Promise<Walker> {
  const parser = await initParser();
  // The tree is kept alive: the model holds its nodes.
  const tree = parser.parse(HEADER + src);
  const walker = new Walker(torchVersion);
  walker.run(tree.rootNode);
  return walker;
}

/** The FileModel rules see. */
export async function fileModel(src: string, torchVersion: TorchVersion = '2.x'): Promise<FileModel> {
  const parser = await initParser();
  return buildModel(parser.parse(HEADER + src).rootNode, torchVersion);
}

export function variable(walker: Walker, name: string): Value {
  const v = walker.globals.lookup(name);
  assert.ok(v, `${name} is not bound`);
  return v;
}

export function moduleOf(walker: Walker, name: string): ModuleNode {
  const v = variable(walker, name);
  assert.equal(v.kind, 'module', `${name} is ${v.kind}, not a module`);
  return (v as { module: ModuleNode }).module;
}

export function optimizerOf(walker: Walker, name: string): OptimizerModel {
  const v = variable(walker, name);
  assert.equal(v.kind, 'optimizer', `${name} is ${v.kind}, not an optimizer`);
  return (v as { optimizer: OptimizerModel }).optimizer;
}

/** `named_parameters()` names of a module, as the model enumerates them. */
export function leafNames(m: ModuleNode): string[] {
  return enumerateLeaves(m).leaves.map((l) => l.name);
}

/** Names of the parameters a group holds, qualified from `root`. */
export function groupNames(g: ParamGroupModel, root: ModuleNode): string[] {
  const byLeaf = new Map(enumerateLeaves(root).leaves.map((l) => [l.leaf.id, l.name]));
  assert.ok(g.params, `group ${g.index} is unresolved`);
  return g.params.leaves.map((l) => byLeaf.get(l.leaf.id) ?? `?${l.name}`);
}

/** A group's effective value as a plain JS value (numbers, strings, booleans, arrays). */
export function effective(g: ParamGroupModel, key: string): { value: unknown; source: string } | undefined {
  const e = g.effective.get(key);
  if (!e) return undefined;
  return { value: plain(e.value), source: e.source };
}

function plain(v: Value): unknown {
  switch (v.kind) {
    case 'number':
    case 'string':
    case 'bool':
      return v.value;
    case 'none':
      return null;
    case 'list':
      return v.items.map(plain);
    default:
      return `<${v.kind}>`;
  }
}
