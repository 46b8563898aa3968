/**
 * The manifest's settings schema and the server's settings type never drift: every key of
 * `ServerSettings` has a schema entry (enforced by the type of SETTINGS_SPEC), and package.json's
 * `contributes.configuration` holds exactly those entries.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SETTINGS, manifestProperties, normaliseSettings, SETTINGS_SPEC, toLintSettings, type ServerSettings } from '../../server/src/lsp/settings';
import { REPO } from './harness';

interface Manifest {
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | string } };
  contributes: {
    configuration: { properties: Record<string, unknown> };
    commands: Array<{ command: string }>;
    grammars: Array<{ scopeName: string; path: string; injectTo: string[] }>;
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Manifest;
/** Settings only the client reads (vscode-languageclient's trace switch). */
const CLIENT_ONLY = ['optlint.trace.server'];

test('contributes.configuration equals the server settings schema, key for key', () => {
  const properties = { ...manifest.contributes.configuration.properties };
  for (const k of CLIENT_ONLY) {
    assert.ok(k in properties, `${k} is contributed`);
    delete properties[k];
  }
  assert.deepEqual(properties, JSON.parse(JSON.stringify(manifestProperties())));
});

test('every ServerSettings key has a schema entry whose default has the declared type', () => {
  const keys = Object.keys(DEFAULT_SETTINGS) as Array<keyof ServerSettings>;
  assert.deepEqual(keys.sort(), Object.keys(SETTINGS_SPEC).sort());
  for (const k of keys) {
    const spec = SETTINGS_SPEC[k];
    const v = DEFAULT_SETTINGS[k];
    const actual = Array.isArray(v) ? 'array' : Number.isInteger(v) && spec.type === 'integer' ? 'integer' : typeof v;
    assert.equal(actual, spec.type, k);
    if (spec.enum) assert.ok(spec.enum.includes(v as string), `${k} default in enum`);
  }
});

test('wrong or partial settings from a client fall back per key, never fail', () => {
  const s = normaliseSettings({ enable: 'yes', select: ['OPT1', 3, ''], severity: { opt101: 'info', OPT102: 'loud' }, torchVersion: '3.0', previewSteps: 1e12, parserBackend: 'wasm', unknown: 1 });
  assert.equal(s.enable, true);
  assert.deepEqual(s.select, ['OPT1']);
  assert.deepEqual(s.severity, { OPT101: 'info' });
  assert.equal(s.torchVersion, '2.x');
  assert.equal(s.previewSteps, 1_000_000);
  assert.equal(s.parserBackend, 'wasm');
  assert.deepEqual(normaliseSettings(undefined), DEFAULT_SETTINGS);
  assert.deepEqual(toLintSettings(DEFAULT_SETTINGS), { select: undefined, ignore: undefined, severity: undefined, torchVersion: '2.x' });
});

test('the manifest runs in Restricted Mode, activates on Python, and ships its grammar and bundle', () => {
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, true);
  assert.equal(manifest.main, './dist/extension.js');
  assert.ok(manifest.activationEvents.includes('onLanguage:python'));
  const grammar = manifest.contributes.grammars.find((g) => g.scopeName === 'optlint.directives.injection');
  assert.ok(grammar);
  assert.deepEqual(grammar.injectTo, ['source.python']);
  assert.ok(fs.existsSync(path.join(REPO, grammar.path)));
  const commands = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(commands, ['optlint.fixAll', 'optlint.previewSchedule', 'optlint.restartServer']);
});

test('the noqa grammar marks directives and rule codes inside comments', () => {
  const g = JSON.parse(fs.readFileSync(path.join(REPO, 'syntaxes', 'optlint-directives.tmLanguage.json'), 'utf8')) as { injectionSelector: string; repository: Record<string, { match?: string; patterns?: Array<{ match: string }> }> };
  assert.equal(g.injectionSelector, 'L:comment.line.number-sign.python');
  // Oniguruma's (?i) at the start is JavaScript's `i` flag.
  const toJs = (m: string): RegExp => (m.startsWith('(?i)') ? new RegExp(m.slice(4), 'i') : new RegExp(m));
  const noqa = toJs(g.repository.noqa.match!);
  const m = noqa.exec('# noqa: OPT101, OPT2');
  assert.ok(m);
  assert.equal(m[1], 'noqa');
  assert.equal(m[3], 'OPT101, OPT2');
  assert.ok(noqa.exec('# NOQA'));
  const code = new RegExp(g.repository.codes.patterns![0].match);
  assert.ok(code.test('OPT101') && code.test('ALL') && !code.test('E501'));
  assert.ok(toJs(g.repository.optlint.match!).test('# optlint: ignore OPT1'));
});
