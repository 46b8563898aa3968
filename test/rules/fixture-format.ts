/**
 * The rule-fixture format, shared by the fixture, backend and invariant tests.
 *
 * A fixture is a runnable Python script: a shared header (imports), then independent cases, each
 * starting with `# case: <name>`. A line where a diagnostic must start ends with
 * `# expect: OPT101` (several codes comma-separated). `# truth: ...` lines state what real
 * PyTorch does for the case; scripts/truth/check_truth.py checks them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Repository root, from `out/test/rules/` or `test/rules/`. */
export const REPO_ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}out${path.sep}`) ? '../../..' : '../..');
export const FIXTURE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'rules');

export interface FixtureCase {
  name: string;
  /** 0-based line of the `# case:` comment. */
  startLine: number;
  /** 0-based, exclusive. */
  endLine: number;
  truths: string[];
}

export interface Fixture {
  file: string;
  /** `OPT101` from `OPT101-empty-param-group.py`. */
  code: string;
  /** `empty-param-group`. */
  ruleName: string;
  text: string;
  cases: FixtureCase[];
  /** 0-based line → the codes marked on it. */
  expected: Map<number, Set<string>>;
}

const CASE_RE = /^#\s*case:\s*(\S.*?)\s*$/;
const EXPECT_RE = /#\s*expect:\s*([A-Z0-9, ]+?)\s*(?:#|$)/;
const TRUTH_RE = /^\s*#\s*truth:\s*(.+?)\s*$/;

/** Every `<CODE>-<name>.py` fixture (not the `.fixed.py` expectations). */
export function listFixtureFiles(): string[] {
  return fs
    .readdirSync(FIXTURE_DIR)
    .filter((f) => /^OPT\d{3}-[a-z0-9-]+\.py$/.test(f))
    .sort();
}

export function loadFixture(file: string): Fixture {
  const text = fs.readFileSync(path.join(FIXTURE_DIR, file), 'utf8');
  return parseFixture(file, text);
}

export function parseFixture(file: string, text: string): Fixture {
  const m = /^(OPT\d{3})-([a-z0-9-]+)\.py$/.exec(file);
  const lines = text.split('\n');
  const cases: FixtureCase[] = [];
  const expected = new Map<number, Set<string>>();
  lines.forEach((line, i) => {
    const c = CASE_RE.exec(line);
    if (c) {
      if (cases.length) cases[cases.length - 1].endLine = i;
      cases.push({ name: c[1], startLine: i, endLine: lines.length, truths: [] });
    }
    const t = TRUTH_RE.exec(line);
    if (t && cases.length) cases[cases.length - 1].truths.push(t[1]);
    const e = EXPECT_RE.exec(line);
    if (e) expected.set(i, new Set(e[1].split(/[\s,]+/).filter(Boolean)));
  });
  return { file, code: m?.[1] ?? '', ruleName: m?.[2] ?? '', text, cases, expected };
}

/** The case a 0-based line belongs to (undefined for the header). */
export function caseAt(fixture: Fixture, line: number): FixtureCase | undefined {
  return fixture.cases.find((c) => line >= c.startLine && line < c.endLine);
}
