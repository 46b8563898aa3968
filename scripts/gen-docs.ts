/**
 * Writes docs/rules/<CODE>-<name>.md and docs/rules/README.md from the rules' own docs, so the
 * pages (which diagnostics link to) can never drift from the code. `--check` fails instead of
 * writing when a page is out of date (the test suite runs it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rules, type Rule } from '../server/src/core/rules';

const root = path.resolve(__dirname, '..', '..');
const dir = path.join(root, 'docs', 'rules');

export function rulePageName(rule: Rule): string {
  return `${rule.code}-${rule.name}.md`;
}

export function renderRule(rule: Rule): string {
  const fix = rule.fixTitle ? `\n**Fix:** ${rule.fixTitle} (${rule.fixSafety ?? 'unsafe'}${rule.fixSafety === 'safe' ? ': applied by `--fix`' : ': applied by `--fix --unsafe-fixes`'}).\n` : '';
  return `# ${rule.code} ${rule.name}

${rule.summary}. Default severity: **${rule.severity}**.
${fix}
## What it does

${rule.docs.whatItDoes}

## Why is this bad?

${rule.docs.whyIsThisBad}

## Example

\`\`\`python
${rule.docs.example}
\`\`\`

## Use instead

\`\`\`python
${rule.docs.useInstead}
\`\`\`

## What PyTorch does at run time

${rule.docs.runtime}

Suppress one occurrence with \`# noqa: ${rule.code}\` on the reported line.
`;
}

export function renderIndex(): string {
  const rows = rules.map((r) => `| [${r.code}](${rulePageName(r)}) | ${r.name} | ${r.severity} | ${r.summary} | ${r.fixTitle ? r.fixSafety : ''} |`);
  return `# optlint rules

Generated from the rule sources by \`npm run docs\`; do not edit by hand.

| code | name | severity | what it finds | fix |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
}

export function expectedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const r of rules) files.set(path.join(dir, rulePageName(r)), renderRule(r));
  files.set(path.join(dir, 'README.md'), renderIndex());
  return files;
}

function main(): void {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, text] of expectedFiles()) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    if (check) stale.push(path.relative(root, file));
    else fs.writeFileSync(file, text);
  }
  if (stale.length) {
    console.error(`out of date (run npm run docs): ${stale.join(', ')}`);
    process.exitCode = 1;
  }
}

if (require.main === module) main();
