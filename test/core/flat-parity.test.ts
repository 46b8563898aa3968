import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initParser, type SyntaxNode } from '../../server/src/core/parsing';

const root = path.resolve(__dirname, '..', '..', '..');

function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...pythonFiles(p));
    else if (e.name.endsWith('.py')) out.push(p);
  }
  return out.sort();
}

/** Every node, in preorder, as a line: what the model can read of it. */
function dump(n: SyntaxNode, field: string | null, out: string[]): void {
  const s = n.startPosition;
  const e = n.endPosition;
  out.push(`${n.type} ${field ?? '-'} ${n.isNamed ? 'n' : 'a'}${n.isMissing ? 'M' : ''}${n.hasError ? 'E' : ''} ${n.startIndex}-${n.endIndex} ${s.row}:${s.column}-${e.row}:${e.column}`);
  const kids = n.children;
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i];
    assert.equal(k.parent?.startIndex, n.startIndex);
    const fieldName = ['name', 'body', 'left', 'right', 'function', 'arguments', 'value', 'key', 'object', 'attribute', 'operator', 'condition', 'parameters', 'alternative', 'definition'].find((f) => n.childrenForFieldName(f).some((c) => c.startIndex === k.startIndex && c.endIndex === k.endIndex && c.type === k.type));
    dump(k, fieldName ?? null, out);
  }
}

const tricky: Record<string, string> = {
  empty: '',
  crlf: 'import torch\r\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\r\n',
  bom: '\uFEFFimport torch\nx = 1\n',
  'non-ascii identifiers and strings': "# coding: utf-8\nπ = 3.14\nnote = 'ünïcödé 🚀'\nopt = torch.optim.Adam([{'params': π}], lr=1e-3)\n",
  tabs: 'def f():\n\tif x:\n\t\treturn 1\n',
  'syntax errors': 'def f(:\n    opt = torch.optim.SGD(model.parameters(), lr=\n    x = [1, 2\n',
  'missing node': 'x = (1 + \n',
  // An error cost with no ERROR or MISSING node under the function (found by fuzzing).
  'error without an error node': 'def make_loader(n, seed=0):\n    g = torch.Generator()manual_seed(seed)\n    return g\n',
  // Deeper than the addon's recursive fill goes (it falls back to the cursor walk), and less deep.
  'nested 1,200 deep': `x = ${'1 + '.repeat(1200)}1\n`,
  'nested 900 deep': `x = ${'('.repeat(300)}${'-'.repeat(300)}1${')'.repeat(300)}\n`,
  // Over the size filled whole at once: nodes are filled as they are read.
  'large file': Array.from({ length: 300 }, (_, i) => `def f${i}(a, *b, c=1, **d):\n    return [x async for x in a if x] or {k: v for k, v in d.items()} or lambda q=c: q\n`).join(''),
};

test("optlint's addon and the tree-sitter binding give the same trees (fixtures, samples, edge cases)", async () => {
  const addon = await initParser({ backend: 'native' });
  if (addon.implementation !== 'addon') {
    // Not built here: the binding is the native backend and there is nothing to compare.
    return;
  }
  const binding = await initParser({ backend: 'binding' });
  const inputs: [string, string][] = [
    ...[...pythonFiles(path.join(root, 'samples')), ...pythonFiles(path.join(root, 'test', 'fixtures'))].map((f): [string, string] => [path.relative(root, f), fs.readFileSync(f, 'utf8')]),
    ...Object.entries(tricky),
  ];
  assert.ok(inputs.length > 20);
  let nodes = 0;
  for (const [name, text] of inputs) {
    const a: string[] = [];
    const b: string[] = [];
    const ta = addon.parse(text);
    const tb = binding.parse(text);
    dump(ta.rootNode, null, a);
    dump(tb.rootNode, null, b);
    assert.deepEqual(a, b, name);
    nodes += a.length;
    ta.delete();
    tb.delete();
  }
  assert.ok(nodes > 10_000, `compared ${nodes} nodes`);
});

test('the addon and the binding agree on 150 broken variants of the samples (seeded random edits)', async () => {
  const addon = await initParser({ backend: 'native' });
  if (addon.implementation !== 'addon') return;
  const binding = await initParser({ backend: 'binding' });
  const samples = pythonFiles(path.join(root, 'samples')).map((f) => fs.readFileSync(f, 'utf8'));
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const junk = ['(', ')', '[', ']', ':', '\n', '    ', '"', "'", 'lambda ', 'def ', 'if ', '=', '+', '*', '#', '\\', 'é', '🚀', '\t', 'async ', 'match x:\n  case 1:\n    pass\n', 'f"{x!r:>{w}}"', '@d\n'];
  for (let it = 0; it < 150; it++) {
    let text = samples[Math.floor(rnd() * samples.length)];
    const edits = 1 + Math.floor(rnd() * 5);
    for (let e = 0; e < edits; e++) {
      const i = Math.floor(rnd() * text.length);
      text = rnd() < 0.5 ? text.slice(0, i) + text.slice(i + Math.floor(rnd() * 20)) : text.slice(0, i) + junk[Math.floor(rnd() * junk.length)] + text.slice(i);
    }
    const a: string[] = [];
    const b: string[] = [];
    dump(addon.parse(text).rootNode, null, a);
    dump(binding.parse(text).rootNode, null, b);
    assert.deepEqual(a, b, `variant ${it}`);
  }
});

test('incremental re-parse through the addon equals a fresh parse, and old nodes keep their text', async () => {
  const p = await initParser({ backend: 'native' });
  const before = 'import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n';
  const tree = p.parse(before);
  const call = tree.rootNode.descendantsOfType('call')[0];
  assert.equal(call.text, 'torch.optim.SGD(model.parameters(), lr=0.1)');
  // Insert "5" after "0.1" (index of the closing paren).
  const at = before.indexOf(')\n');
  const after = `${before.slice(0, at)}5${before.slice(at)}`;
  const col = at - before.lastIndexOf('\n', at) - 1;
  tree.edit({ startIndex: at, oldEndIndex: at, newEndIndex: at + 1, startPosition: { row: 1, column: col }, oldEndPosition: { row: 1, column: col }, newEndPosition: { row: 1, column: col + 1 } });
  const again = p.parse(after, tree);
  const fresh = p.parse(after);
  const a: string[] = [];
  const b: string[] = [];
  dump(again.rootNode, null, a);
  dump(fresh.rootNode, null, b);
  assert.deepEqual(a, b);
  assert.equal(again.rootNode.descendantsOfType('float')[0].text, '0.15');
  assert.equal(call.text, 'torch.optim.SGD(model.parameters(), lr=0.1)', 'a node read before the edit still shows the old text');
  // Nodes first read after the edit still describe the text that was parsed.
  const old: string[] = [];
  dump(tree.rootNode, null, old);
  const orig: string[] = [];
  dump(p.parse(before).rootNode, null, orig);
  assert.deepEqual(old, orig);
});

test('queries run in the addon find the same captures as the binding', async () => {
  const addon = await initParser({ backend: 'native' });
  const binding = await initParser({ backend: 'binding' });
  const text = "x = 1  # noqa\ndef f():\n    # é comment\n    return 2  # noqa: OPT101\n";
  const run = async (p: typeof addon) => {
    const t = p.parse(text);
    return p.query('(comment) @comment').captures(t.rootNode).map((c) => `${c.name} ${c.node.type} ${c.node.text} ${c.node.startIndex}-${c.node.endIndex} ${c.node.startPosition.row}:${c.node.startPosition.column}`);
  };
  const a = await run(addon);
  assert.equal(a.length, 3);
  assert.deepEqual(a, await run(binding));
  assert.throws(() => addon.query('(comment @broken'), /offset|syntax|Query/i);
});

test('typing inside one function re-parses only it, and the spliced tree equals a fresh parse when the text parses', async () => {
  const p = await initParser({ backend: 'native' });
  if (p.implementation !== 'addon') return;
  const fs2 = fs.readFileSync(path.join(root, 'samples', 'resnet18_finetune.py'), 'utf8');
  // A file of several functions; type a statement, character by character, into the second one,
  // as the language server applies edits (each to the previous tree), through states that do
  // not parse (an open bracket, an `if` without its colon).
  const lines = fs2.split('\n');
  const defs = lines.map((l, i) => (l.startsWith('def ') ? i : -1)).filter((i) => i >= 0);
  assert.ok(defs.length >= 2);
  const row = defs[1] + 1;
  const typed = '    if lr > 0.5 and (lr < 2):\n        lr = min(lr, 1.0) * 0.5\n';
  let text = fs2;
  let tree = p.parse(text);
  let r = row;
  let c = 0;
  let spliced = 0;
  let valid = 0;
  for (const [n, ch] of [...typed].entries()) {
    const at = text.split('\n').slice(0, r).join('\n').length + 1 + c;
    const after = text.slice(0, at) + ch + text.slice(at);
    tree.edit({
      startIndex: at,
      oldEndIndex: at,
      newEndIndex: at + 1,
      startPosition: { row: r, column: c },
      oldEndPosition: { row: r, column: c },
      newEndPosition: ch === '\n' ? { row: r + 1, column: 0 } : { row: r, column: c + 1 },
    });
    const next = p.parse(after, tree);
    if (next.rootNode.constructor.name === 'SplicedRoot') spliced++;
    text = after;
    tree = next;
    if (ch === '\n') {
      r++;
      c = 0;
    } else c++;
    // Every top-level node's parent is the root, and the text of each node is its range.
    for (const k of tree.rootNode.children) {
      assert.equal(k.parent, tree.rootNode);
      assert.equal(k.text, text.slice(k.startIndex, k.endIndex));
    }
    // Whenever the text parses, the spliced tree is the fresh parse, node for node (records
    // carried over from the previous tree included).
    const fresh = p.parse(text);
    if (!fresh.rootNode.hasError) {
      const x: string[] = [];
      const y: string[] = [];
      dump(tree.rootNode, null, x);
      dump(fresh.rootNode, null, y);
      assert.deepEqual(x, y, `after typing ${JSON.stringify(typed.slice(0, n + 1))}`);
      valid++;
    }
  }
  // A few states split the function into several top-level nodes, and an edit between two of
  // them is re-parsed whole.
  assert.ok(spliced >= 0.8 * typed.length, `spliced ${spliced} of ${typed.length} re-parses`);
  assert.ok(valid >= 10, `${valid} valid states compared`);
  // An edit at the very start of a top-level statement re-parses the whole text.
  tree.edit({ startIndex: 0, oldEndIndex: 0, newEndIndex: 1, startPosition: { row: 0, column: 0 }, oldEndPosition: { row: 0, column: 0 }, newEndPosition: { row: 0, column: 1 } });
  const whole = p.parse(`#${text}`, tree);
  assert.notEqual(whole.rootNode.constructor.name, 'SplicedRoot');
});

test('an unclosed bracket in one function does not re-shape the statements after it', async () => {
  const p = await initParser({ backend: 'native' });
  if (p.implementation !== 'addon') return;
  const text = 'import torch\n\ndef helper(x):\n    return x\n\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n';
  const tree = p.parse(text);
  const at = text.indexOf('return x') + 'return '.length;
  tree.edit({ startIndex: at, oldEndIndex: at, newEndIndex: at + 1, startPosition: { row: 3, column: 11 }, oldEndPosition: { row: 3, column: 11 }, newEndPosition: { row: 3, column: 12 } });
  const after = `${text.slice(0, at)}(${text.slice(at)}`;
  const next = p.parse(after, tree);
  const kinds = next.rootNode.namedChildren.map((n) => n.type);
  assert.deepEqual(kinds, ['import_statement', 'function_definition', 'expression_statement']);
  assert.ok(next.rootNode.hasError);
  assert.equal(next.rootNode.namedChildren[2].text, 'opt = torch.optim.SGD(model.parameters(), lr=0.1)');
});
