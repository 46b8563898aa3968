import { runCoreBench } from './core';

/** `npm run bench`: prints figures; every section measures its own baseline in the same run. */
async function main(): Promise<void> {
  await runCoreBench();
  for (const [mod, fn] of [['./schedule', 'runScheduleBench'], ['./lsp', 'runLspBench']] as const) {
    let section: Record<string, () => Promise<void>>;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      section = require(mod);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') continue;
      throw e;
    }
    await section[fn]();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
