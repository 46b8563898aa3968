/**
 * The native and wasm tree-sitter backends must give identical findings, with LSP (UTF-16)
 * columns, including on lines with non-ASCII text before the diagnostic.
 */
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initParser, type ParserBackend, type PythonParser } from '../../server/src/core/parsing';
import { lintSource } from '../../server/src/core/lint';
import type { Finding } from '../../server/src/core/types';
import { FIXTURE_DIR } from '../rules/fixture-format';

async function tryParser(backend: ParserBackend): Promise<PythonParser | string> {
  try {
    return await initParser({ backend });
  } catch (error) {
    return `${backend} backend unavailable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Where `needle` starts on the line holding `lineMarker`, in UTF-16 code units. */
function locate(text: string, lineMarker: string, needle: string): { line: number; character: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(lineMarker));
  assert.ok(line >= 0, `no line with ${lineMarker}`);
  const character = lines[line].indexOf(needle);
  assert.ok(character >= 0, `no ${needle} on line ${line}`);
  return { line, character };
}

const NON_ASCII = `# Réglage fin: le modèle apprend 😀 (commentaire en français)
import torch
import torch.nn as nn

modèle = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
étiquette = "😀😀"; optimiseur = torch.optim.SGD([{"params": modèle[0].parameters()}, {"params": modèle[1].parameters()}], lr=0.1)
config = {"nom": "réseau 🚀"}; adam = torch.optim.Adam(modèle.parameters(), lr=-1.0)  # taux négatif 😀
`;

describe('parser backends', async () => {
  const native = await tryParser('native');
  const wasm = await tryParser('wasm');
  const skip = typeof native === 'string' ? native : typeof wasm === 'string' ? wasm : false;
  const files = fs
    .readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.py'))
    .sort();
  const lint = (parser: PythonParser, text: string): Finding[] => lintSource({ text, parser }).findings;

  test('both backends load', { skip }, () => {
    assert.equal((native as PythonParser).backend, 'native');
    assert.equal((wasm as PythonParser).backend, 'wasm');
  });

  for (const file of files) {
    test(`${file}: identical findings on native and wasm`, { skip }, () => {
      const text = fs.readFileSync(path.join(FIXTURE_DIR, file), 'utf8');
      const a = lint(native as PythonParser, text);
      const b = lint(wasm as PythonParser, text);
      assert.equal(JSON.stringify(b, null, 1), JSON.stringify(a, null, 1));
    });
  }

  for (const backend of ['native', 'wasm'] as const) {
    test(`${backend}: columns count UTF-16 code units after non-ASCII text`, { skip }, () => {
      const parser = (backend === 'native' ? native : wasm) as PythonParser;
      const findings = lint(parser, NON_ASCII);
      const empty = findings.find((f) => f.code === 'OPT101');
      const negative = findings.find((f) => f.code === 'OPT202');
      assert.ok(empty && negative, `expected OPT101 and OPT202, got ${findings.map((f) => f.code).join(', ')}`);
      const start = locate(NON_ASCII, 'optimiseur', 'modèle[1].parameters()');
      assert.deepEqual(empty.range.start, start);
      assert.deepEqual(empty.range.end, { line: start.line, character: start.character + 'modèle[1].parameters()'.length });
      assert.deepEqual(negative.range.start, locate(NON_ASCII, 'adam =', '-1.0'));
      assert.deepEqual(negative.range.end, { ...locate(NON_ASCII, 'adam =', '-1.0'), character: locate(NON_ASCII, 'adam =', '-1.0').character + 4 });
      // The fix edit of OPT101 uses the same columns.
      const edit = empty.fix?.edits[0];
      assert.ok(edit);
      assert.deepEqual(edit.range.start, start);
      assert.equal(edit.newText, 'modèle[2]');
    });
  }

  test('the non-ASCII sample gives the same findings on both backends', { skip }, () => {
    assert.deepEqual(lint(wasm as PythonParser, NON_ASCII), lint(native as PythonParser, NON_ASCII));
  });
});
