import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Finds one of optlint's own N-API addons (built by `npm run build:native` into
 * server/native/build/Release/, copied beside the bundle in the packaged extension): `$envVar`
 * if set, else by walking up from `startDir` (out/server/src/core/... when compiled by tsc,
 * dist/ when bundled) and trying each layout at each level.
 */
export function findAddon(file: string, envVar: string, startDir: string = __dirname): string | undefined {
  const fromEnv = process.env[envVar];
  if (fromEnv) return fs.existsSync(fromEnv) ? fromEnv : undefined;
  const candidates = [
    path.join('server', 'native', 'build', 'Release', file),
    path.join('native', 'build', 'Release', file),
    path.join('build', 'Release', file),
    path.join('native', file),
    file,
  ];
  let dir = startDir;
  for (let depth = 0; depth < 8; depth++) {
    for (const c of candidates) {
      const p = path.join(dir, c);
      if (fs.existsSync(p)) return p;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}
