/**
 * Rule fixtures: every line marked `# expect: CODE` gets exactly those codes, no unmarked line gets
 * a diagnostic from any rule, and each rule's fixes turn the fixture into its `.fixed.py`.
 */
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initParser } from '../../server/src/core/parsing';
import { lintSource } from '../../server/src/core/lint';
import { applyFixes } from '../../server/src/core/fix';
import type { PythonParser } from '../../server/src/core/parsing';
import type { Finding } from '../../server/src/core/types';
import { caseAt, FIXTURE_DIR, listFixtureFiles, loadFixture, type Fixture } from './fixture-format';

function describeLine(fixture: Fixture, line: number): string {
  const c = caseAt(fixture, line);
  return `${fixture.file}:${line + 1}${c ? ` (case ${c.name})` : ''}: ${fixture.text.split('\n')[line].trim()}`;
}

function codesByLine(findings: Finding[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const f of findings) {
    const list = out.get(f.range.start.line) ?? [];
    list.push(f.code);
    out.set(f.range.start.line, list);
  }
  return out;
}

/** Every fix of one rule (safe and unsafe), applied together as `optlint check --fix --unsafe-fixes` would. */
function applyRuleFixes(text: string, findings: Finding[], code: string, parser: PythonParser): { text: string; skipped: string[] } {
  const result = applyFixes(text, findings.filter((f) => f.code === code), { unsafe: true, parser });
  return { text: result.text, skipped: result.skipped.map((s) => `line ${s.finding.range.start.line + 1}: ${s.reason}`) };
}

describe('rule fixtures', async () => {
  const parser = await initParser();
  const files = listFixtureFiles();

  test('there are fixtures', () => assert.ok(files.length > 0));

  for (const file of files) {
    const fixture = loadFixture(file);
    const result = lintSource({ text: fixture.text, parser });

    test(`${file}: parses and is analysed`, () => {
      assert.equal(result.hasSyntaxErrors, false, `${file} has syntax errors`);
      assert.equal(result.skipped, false);
    });

    test(`${file}: marked lines get exactly the marked codes, unmarked lines nothing`, () => {
      const actual = codesByLine(result.findings);
      const problems: string[] = [];
      const lines = new Set([...actual.keys(), ...fixture.expected.keys()]);
      for (const line of [...lines].sort((a, b) => a - b)) {
        const want = [...(fixture.expected.get(line) ?? [])].sort();
        const got = [...new Set(actual.get(line) ?? [])].sort();
        if (want.join(',') === got.join(',')) continue;
        const messages = result.findings.filter((f) => f.range.start.line === line).map((f) => `    ${f.code}: ${f.message}`);
        problems.push(`${describeLine(fixture, line)}\n  expected [${want.join(', ')}], got [${got.join(', ')}]${messages.length ? `\n${messages.join('\n')}` : ''}`);
      }
      assert.equal(problems.length, 0, `\n${problems.join('\n')}`);
    });

    test(`${file}: every case that claims an error or warning has a finding quoting it`, () => {
      const problems: string[] = [];
      for (const c of fixture.cases) {
        for (const claim of c.truths) {
          const m = /^(?:raises|step-raises|warns)\s+(.+)$/.exec(claim);
          // A bare exception type, or a warning text that itself contains backticks, cannot be quoted.
          if (!m || /^step-raises\s+\w+$/.test(claim) || m[1].includes('`')) continue;
          const wanted = m[1];
          const inCase = result.findings.filter((f) => f.range.start.line >= c.startLine && f.range.start.line < c.endLine);
          const quoted = inCase.some((f) => [...f.message.matchAll(/`([^`]+)`/g)].some(([, q]) => q.includes(wanted) || (q.length > 20 && wanted.includes(q))));
          if (!quoted) problems.push(`case ${c.name}: no finding quotes \`${wanted}\` (messages: ${inCase.map((f) => f.message).join(' | ') || 'none'})`);
        }
      }
      assert.equal(problems.length, 0, `\n${problems.join('\n')}`);
    });

    const fixedPath = path.join(FIXTURE_DIR, file.replace(/\.py$/, '.fixed.py'));
    const fixable = result.findings.filter((f) => f.code === fixture.code && f.fix);
    if (fixable.length === 0 && !fs.existsSync(fixedPath)) continue;

    test(`${file}: fixes give ${path.basename(fixedPath)}`, () => {
      const { text: fixed, skipped } = applyRuleFixes(fixture.text, result.findings, fixture.code, parser);
      assert.deepEqual(skipped, [], 'every fix in the fixture applies');
      // OPTLINT_UPDATE_FIXTURES=1 rewrites the expectation (review the diff before committing).
      if (process.env.OPTLINT_UPDATE_FIXTURES === '1') fs.writeFileSync(fixedPath, fixed);
      assert.ok(fs.existsSync(fixedPath), `${fixture.code} offers fixes in ${file}, so ${path.basename(fixedPath)} must hold the expected result`);
      assert.equal(fixed, fs.readFileSync(fixedPath, 'utf8'));
      const tree = parser.parse(fixed);
      try {
        assert.equal(tree.rootNode.hasError, false, `${path.basename(fixedPath)} does not parse`);
      } finally {
        tree.delete();
      }
    });

    test(`${file}: the fixed text no longer has the fixed findings`, () => {
      const { text: fixed } = applyRuleFixes(fixture.text, result.findings, fixture.code, parser);
      const again = lintSource({ text: fixed, parser }).findings.filter((f) => f.code === fixture.code);
      const before = result.findings.filter((f) => f.code === fixture.code).length;
      assert.equal(again.length, before - fixable.length, `left after fixing:\n${again.map((f) => `  ${f.range.start.line + 1}: ${f.message}`).join('\n')}`);
    });
  }
});
