/**
 * Invariants of the rule set: codes, names, files, docs, ordering, and that every rule has a
 * fixture that shows it firing and staying quiet.
 */
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rules } from '../../server/src/core/rules';
import { FIXTURE_DIR, REPO_ROOT, caseAt, listFixtureFiles, loadFixture } from './fixture-format';

const RULES_DIR = path.join(REPO_ROOT, 'server', 'src', 'core', 'rules');

describe('rule invariants', () => {
  test('there are rules', () => assert.ok(rules.length > 0));

  test('codes look like OPT followed by three digits', () => {
    for (const r of rules) assert.match(r.code, /^OPT\d{3}$/, r.code);
  });

  test('codes are unique', () => {
    assert.equal(new Set(rules.map((r) => r.code)).size, rules.length);
  });

  test('names are kebab-case and unique', () => {
    for (const r of rules) assert.match(r.name, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, r.name);
    assert.equal(new Set(rules.map((r) => r.name)).size, rules.length);
  });

  test('index.ts lists the rules sorted by code', () => {
    const codes = rules.map((r) => r.code);
    assert.deepEqual(codes, [...codes].sort());
  });

  test('each rule lives in rules/<name>.ts, which exports it', () => {
    for (const r of rules) {
      const file = path.join(RULES_DIR, `${r.name}.ts`);
      assert.ok(fs.existsSync(file), `${r.code}: ${path.relative(REPO_ROOT, file)} does not exist`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(__dirname, '..', '..', 'server', 'src', 'core', 'rules', r.name)) as Record<string, unknown>;
      assert.ok(Object.values(mod).includes(r), `${r.name}.ts does not export rule ${r.code}`);
    }
  });

  test('every rule file in rules/ is listed in index.ts', () => {
    const helpers = new Set(['index.ts', 'define.ts', 'helpers.ts']);
    const files = fs.readdirSync(RULES_DIR).filter((f) => f.endsWith('.ts') && !helpers.has(f));
    const names = new Set(rules.map((r) => `${r.name}.ts`));
    for (const f of files) assert.ok(names.has(f), `${f} is not a listed rule (or is a helper that needs adding to this test)`);
  });

  test('severity is one of error, warning, info', () => {
    for (const r of rules) assert.ok(['error', 'warning', 'info'].includes(r.severity), `${r.code}: ${r.severity}`);
  });

  test('summary and every docs field are non-empty', () => {
    for (const r of rules) {
      assert.ok(r.summary.trim(), `${r.code}: empty summary`);
      for (const [field, value] of Object.entries(r.docs)) assert.ok(typeof value === 'string' && value.trim(), `${r.code}: docs.${field} is empty`);
      for (const field of ['whatItDoes', 'whyIsThisBad', 'example', 'useInstead', 'runtime'] as const) {
        assert.ok(r.docs[field]?.trim(), `${r.code}: docs.${field} is missing`);
      }
    }
  });

  test('a fix title comes with a fix safety, and the other way round', () => {
    for (const r of rules) assert.equal(r.fixTitle === undefined, r.fixSafety === undefined, r.code);
  });
});

describe('every rule has a fixture', () => {
  const files = listFixtureFiles();

  test('every fixture file belongs to a rule', () => {
    for (const f of files) {
      const fixture = loadFixture(f);
      const rule = rules.find((r) => r.code === fixture.code);
      assert.ok(rule, `${f}: no rule ${fixture.code}`);
      assert.equal(fixture.ruleName, rule!.name, `${f}: the rule ${rule!.code} is named ${rule!.name}`);
    }
  });

  for (const r of rules) {
    const file = `${r.code}-${r.name}.py`;
    test(`${file}: fires at least once, has a quiet case, every case states a truth`, () => {
      assert.ok(files.includes(file), `test/fixtures/rules/${file} is missing`);
      const fixture = loadFixture(file);
      const firing = [...fixture.expected.entries()].filter(([, codes]) => codes.has(r.code));
      assert.ok(firing.length > 0, `${file} has no \`# expect: ${r.code}\` marker`);
      const marked = new Set([...fixture.expected.keys()].map((line) => caseAt(fixture, line)?.name));
      const quiet = fixture.cases.filter((c) => !marked.has(c.name));
      assert.ok(quiet.length > 0, `${file} has no case without markers (one showing ${r.code} quiet on correct code)`);
      for (const c of fixture.cases) assert.ok(c.truths.length > 0, `${file}: case ${c.name} has no \`# truth:\` line`);
      const header = [...fixture.expected.keys()].filter((line) => !caseAt(fixture, line));
      assert.deepEqual(header, [], `${file}: markers before the first case`);
    });

    if (r.fixTitle) {
      test(`${r.code} has fixes, so ${r.code}-${r.name}.fixed.py exists`, () => {
        assert.ok(fs.existsSync(path.join(FIXTURE_DIR, `${r.code}-${r.name}.fixed.py`)));
      });
    }
  }
});
