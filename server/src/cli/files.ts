import * as fs from 'node:fs';
import * as path from 'node:path';

/** A problem with an input path, reported as one line on stderr. */
export class InputError extends Error {}

const SKIP_DIRS = new Set(['node_modules', '__pycache__', 'site-packages', 'out', 'dist']);

/** Expands files and directories (recursively, `*.py` only, hidden folders skipped) in a stable order. */
export function collectPythonFiles(paths: string[]): { files: string[]; errors: string[] } {
  const files: string[] = [];
  const errors: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      errors.push(`${p}: no such file or directory`);
      continue;
    }
    if (stat.isDirectory()) {
      const found = walk(p);
      if (found.length === 0) errors.push(`${p}: no Python files in this directory`);
      files.push(...found);
    } else {
      files.push(p);
    }
  }
  return { files: [...new Set(files)], errors };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name.startsWith('.') || SKIP_DIRS.has(e.name)) continue;
      out.push(...walk(full));
    } else if (e.isFile() && e.name.endsWith('.py')) out.push(full);
  }
  return out;
}

/** Reads a source file as UTF-8 text; binary and non-UTF-8 files are input errors. */
export function readSource(file: string): string {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: cannot read (${code === 'EISDIR' ? 'is a directory' : code ?? String(e)})`);
  }
  if (buf.includes(0)) throw new InputError(`${file}: binary file (contains NUL bytes), not Python source`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new InputError(`${file}: not valid UTF-8 text`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
