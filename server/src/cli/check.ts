import * as fs from 'node:fs';
import { applyFixes } from '../core/fix';
import { lintSource, lintSources } from '../core/lint';
import { initParser, type BackendChoice } from '../core/parsing';
import type { LintSettings } from '../core/settings';
import { LineIndex } from '../core/text';
import type { Finding, Range } from '../core/types';
import { listFlag, parseArgs, UsageError } from './args';
import { collectPythonFiles, InputError, readSource } from './files';

export const CHECK_USAGE = `Usage: optlint check [PATHS...] [options]

Checks Python files (directories are searched for *.py) for optimizer and
parameter-group mistakes.

Options:
  --format text|json     output format (default: text)
  --select CODES         only these rule codes or prefixes (e.g. OPT1,OPT201, ALL)
  --ignore CODES         skip these rule codes or prefixes
  --fix                  apply safe fixes in place
  --unsafe-fixes         with --fix, also apply fixes that change what trains
  --torch-version V      1.13 or 2.x (default: 2.x)
  --parser B             auto, native, binding or wasm (default: auto)
  --no-progress          never print progress on stderr

Exit status: 0 no problems, 1 problems found, 2 usage error or unreadable input.`;

const FLAGS = {
  format: { value: true, choices: ['text', 'json'] },
  select: { value: true },
  ignore: { value: true },
  fix: {},
  'unsafe-fixes': {},
  'torch-version': { value: true, choices: ['1.13', '2.x'] },
  parser: { value: true, choices: ['auto', 'native', 'binding', 'wasm'] },
  'no-progress': {},
  help: {},
  h: {},
};

export interface Io {
  out(s: string): void;
  err(s: string): void;
  isTTY: boolean;
}

/** JSON shape of one diagnostic: a stable contract other tools read. Lines and columns are 1-based. */
export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  name: string;
  severity: string;
  message: string;
  fix: null | { title: string; safety: string; edits: Array<{ line: number; column: number; endLine: number; endColumn: number; newText: string }> };
  related: Array<{ line: number; column: number; endLine: number; endColumn: number; message: string }>;
}

export async function runCheck(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.flags.has('help') || args.flags.has('h')) {
    io.out(`${CHECK_USAGE}\n`);
    return 0;
  }
  if (args.flags.has('unsafe-fixes') && !args.flags.has('fix')) throw new UsageError("'--unsafe-fixes' needs '--fix'");
  const format = (args.flags.get('format') as string | undefined) ?? 'text';
  const settings: LintSettings = {
    select: listFlag(args.flags.get('select')),
    ignore: listFlag(args.flags.get('ignore')),
    torchVersion: (args.flags.get('torch-version') as LintSettings['torchVersion']) ?? '2.x',
  };
  const paths = args.positionals.length ? args.positionals : ['.'];
  const { files, errors } = collectPythonFiles(paths);
  for (const e of errors) io.err(`optlint: ${e}\n`);
  const parser = await initParser({ backend: (args.flags.get('parser') as BackendChoice | undefined) ?? 'auto' });
  const showProgress = io.isTTY && !args.flags.has('no-progress') && files.length > 20;
  let inputErrors = errors.length;
  const sources: Array<{ file: string; text: string }> = [];
  for (const file of files) {
    try {
      sources.push({ file, text: readSource(file) });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      inputErrors++;
      io.err(`optlint: ${e.message}\n`);
    }
  }
  // Checked in batches, stage by stage (see lintSources): the same findings as file by file.
  const linted = lintSources(
    sources.map(({ file, text }) => ({ text, path: file, settings, parser })),
    {
      onBatch: (done) => {
        if (showProgress) io.err(`\roptlint: ${done}/${sources.length} files`);
      },
    },
  );
  const results: Array<{ file: string; text: string; findings: Finding[] }> = [];
  let fixedCount = 0;
  sources.forEach(({ file, text }, i) => {
    let { findings } = linted[i];
    if (args.flags.has('fix') && findings.some((f) => f.fix)) {
      const fixed = applyFixes(text, findings, { unsafe: args.flags.has('unsafe-fixes'), parser });
      if (fixed.applied.length) {
        fs.writeFileSync(file, fixed.text);
        fixedCount += fixed.applied.length;
        text = fixed.text;
        findings = lintSource({ text, path: file, settings, parser }).findings;
      }
    }
    results.push({ file, text, findings });
  });
  if (showProgress) io.err(`\r${' '.repeat(40)}\r`);
  const all = results.flatMap((r) => r.findings.map((f) => ({ file: r.file, text: r.text, f })));
  if (format === 'json') {
    io.out(`${JSON.stringify(all.map(({ file, f }) => toJson(file, f)), null, 2)}\n`);
  } else {
    for (const r of results) for (const f of r.findings) io.out(formatText(r.file, r.text, f));
    io.out(summaryLine(all.map((a) => a.f), results.length, fixedCount));
  }
  if (inputErrors) return 2;
  return all.length ? 1 : 0;
}

function oneBased(r: Range): { line: number; column: number; endLine: number; endColumn: number } {
  return { line: r.start.line + 1, column: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}

export function toJson(file: string, f: Finding): JsonDiagnostic {
  return {
    file,
    ...oneBased(f.range),
    code: f.code,
    name: f.name,
    severity: f.severity,
    message: f.message,
    fix: f.fix ? { title: f.fix.title, safety: f.fix.safety, edits: f.fix.edits.map((e) => ({ ...oneBased(e.range), newText: e.newText })) } : null,
    related: f.related.map((r) => ({ ...oneBased(r.range), message: r.message })),
  };
}

/** `file:line:col: CODE [severity] message`, then a code frame with the range underlined. */
export function formatText(file: string, text: string, f: Finding): string {
  const { line, column } = oneBased(f.range);
  const lines = new LineIndex(text);
  const src = lines.lineText(f.range.start.line);
  const width = String(line).length;
  const endChar = f.range.end.line === f.range.start.line ? f.range.end.character : src.length;
  const caretCount = Math.max(1, endChar - f.range.start.character);
  const gutter = ' '.repeat(width);
  let out = `${file}:${line}:${column}: ${f.code} [${f.severity}] ${f.message}\n`;
  out += `${gutter} |\n${line} | ${src.replace(/\t/g, ' ')}\n${gutter} | ${' '.repeat(f.range.start.character)}${'^'.repeat(caretCount)}\n`;
  if (f.fix) out += `${gutter} = fix${f.fix.safety === 'unsafe' ? ' (unsafe)' : ''}: ${f.fix.title}\n`;
  return `${out}\n`;
}

function summaryLine(findings: Finding[], fileCount: number, fixed: number): string {
  const fixedNote = fixed ? `Fixed ${fixed} problem${fixed === 1 ? '' : 's'}. ` : '';
  if (findings.length === 0) return `${fixedNote}No problems found in ${fileCount} file${fileCount === 1 ? '' : 's'}.\n`;
  const by = (s: string) => findings.filter((f) => f.severity === s).length;
  const parts = [['error', by('error')], ['warning', by('warning')], ['info', by('info')]]
    .filter(([, n]) => (n as number) > 0)
    .map(([s, n]) => `${n} ${s}${n === 1 ? '' : 's'}`);
  const fixable = findings.filter((f) => f.fix?.safety === 'safe').length;
  const unsafe = findings.filter((f) => f.fix?.safety === 'unsafe').length;
  const hints = [fixable ? `${fixable} fixable with --fix` : '', unsafe ? `${unsafe} more with --fix --unsafe-fixes` : ''].filter(Boolean).join(', ');
  return `${fixedNote}Found ${findings.length} problem${findings.length === 1 ? '' : 's'} (${parts.join(', ')}) in ${fileCount} file${fileCount === 1 ? '' : 's'}${hints ? `; ${hints}` : ''}.\n`;
}
