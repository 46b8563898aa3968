/**
 * The real-VS-Code suite: code-server 4.100.3 (VS Code 1.100.3) with the packaged .vsix
 * installed, driven in Debian's Chromium by playwright-core. Runs the shared scenarios
 * (test/extension/scenarios.ts) through the workbench UI, plus checks only the UI can make, saves
 * screenshots to test-output/, and prints `N passed, M failed`.
 *
 * Started by test/e2e/run.sh (which installs code-server and Chromium and builds the .vsix);
 * environment: OPTLINT_E2E_WORK (work folder, default .e2e/), OPTLINT_VSIX (default: the newest
 * optlint-*.vsix in the repository), OPTLINT_E2E_ONLY (a regex of scenario names), CHROMIUM.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { prepareWorkspace, runScenarios } from '../extension/scenarios';
import { createPlaywrightDriver, webviewFrame } from './playwright-driver';

const REPO = path.resolve(__dirname, '../../..');

interface Check {
  name: string;
  error?: string;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2_000, () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** Every descendant of a process, deepest first (code-server leaves a file watcher child behind). */
function descendants(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  const kids = (r.stdout ?? '').split('\n').filter(Boolean).map(Number);
  return kids.flatMap((k) => [...descendants(k), k]);
}

function stopTree(child: ChildProcess): void {
  if (!child.pid) return;
  for (const pid of [...descendants(child.pid), child.pid]) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

function newestVsix(): string | undefined {
  const files = fs.readdirSync(REPO).filter((f) => /^optlint-.*\.vsix$/.test(f));
  files.sort((a, b) => fs.statSync(path.join(REPO, b)).mtimeMs - fs.statSync(path.join(REPO, a)).mtimeMs);
  return files[0] && path.join(REPO, files[0]);
}

export async function main(): Promise<number> {
  const work = path.resolve(process.env.OPTLINT_E2E_WORK ?? path.join(REPO, '.e2e'));
  const entry = path.join(work, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const vsix = process.env.OPTLINT_VSIX ?? newestVsix();
  const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
  const out = path.join(REPO, 'test-output');
  for (const [what, p] of [['code-server', entry], ['the .vsix', vsix ?? ''], ['Chromium', chromium]] as const) {
    if (!p || !fs.existsSync(p)) {
      log(`${what} not found (${p || 'none'}): run test/e2e/run.sh, which installs and builds what this suite needs`);
      return 2;
    }
  }
  fs.mkdirSync(out, { recursive: true });
  const userData = path.join(work, 'user-data');
  const extensions = path.join(work, 'extensions');
  const workspace = path.join(work, 'workspace');
  fs.rmSync(userData, { recursive: true, force: true });
  fs.rmSync(extensions, { recursive: true, force: true });
  prepareWorkspace(REPO, workspace);
  // Opened only by the wasm-fallback check, after the native binaries are removed.
  fs.writeFileSync(path.join(workspace, 'fallback_check.py'), 'import torch\nimport torch.nn as nn\n\nmodel = nn.Linear(4, 2)\noptimizer = torch.optim.SGD(model, lr=0.1)\n');
  fs.writeFileSync(path.join(workspace, 'noqa_check.py'), 'import torch\nimport torch.nn as nn\n\nmodel = nn.Linear(4, 2)\noptimizer = torch.optim.SGD(model, lr=0.1)  # noqa: OPT106 (suppressed on purpose)\nreported = torch.optim.SGD(model, lr=0.1)\n');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  // Workspace trust stays on: the workspace opens in Restricted Mode, where optlint must work.
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.colorTheme': 'Default Light Modern',
        'editor.quickSuggestions': { other: false, comments: false, strings: false },
        'editor.hover.delay': 200,
        'editor.minimap.enabled': false,
        'extensions.ignoreRecommendations': true,
        'telemetry.telemetryLevel': 'off',
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.banner': 'always',
      },
      null,
      2,
    ),
  );
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(work, 'xdg', 'config'),
    XDG_DATA_HOME: path.join(work, 'xdg', 'data'),
    XDG_CACHE_HOME: path.join(work, 'xdg', 'cache'),
  };
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions];

  const t0 = Date.now();
  const install = spawnSync(process.execPath, [entry, ...common, '--install-extension', vsix!], { env, encoding: 'utf8' });
  if (install.status !== 0 || !/was successfully installed/.test(install.stdout + install.stderr)) {
    log(`installing ${vsix} failed:\n${install.stdout}${install.stderr}`);
    return 1;
  }
  log(`installed ${path.basename(vsix!)} into code-server (${Date.now() - t0} ms)`);

  const port = await freePort();
  const server = spawn(process.execPath, [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, ...common, '--disable-telemetry', '--disable-update-check', workspace], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const serverLog: string[] = [];
  server.stdout!.on('data', (d: Buffer) => serverLog.push(d.toString()));
  server.stderr!.on('data', (d: Buffer) => serverLog.push(d.toString()));
  const checks: Check[] = [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chromium: pw } = require('playwright-core') as typeof import('playwright-core');
  let browser: import('playwright-core').Browser | undefined;
  try {
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    while (!(await httpOk(`${url}/healthz`))) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`code-server did not start:\n${serverLog.join('')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    log(`code-server listening on ${url} (${Date.now() - t0} ms)`);
    browser = await pw.launch({
      executablePath: chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      env: { ...env, HOME: path.join(work, 'xdg', 'home') },
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|optlint/i.test(m.text())) pageErrors.push(m.text());
    });
    await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } });
    log(`workbench loaded (${Date.now() - t0} ms)`);

    const driver = createPlaywrightDriver(page, workspace, out, log);
    const only = process.env.OPTLINT_E2E_ONLY ? new RegExp(process.env.OPTLINT_E2E_ONLY) : undefined;
    for (const [name, error] of await runScenarios(driver, log, only)) checks.push({ name, error: error?.message });

    // Checks only the workbench can make.
    const uiCheck = async (name: string, body: () => Promise<void>) => {
      if (only && !only.test(name)) return;
      try {
        await body();
        checks.push({ name });
        log(`PASS ${name}`);
      } catch (e) {
        checks.push({ name, error: e instanceof Error ? e.message : String(e) });
        log(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    await uiCheck('the workspace is in Restricted Mode and optlint still reports', async () => {
      const restricted = page.locator('.statusbar-item', { hasText: 'Restricted Mode' });
      await restricted.first().waitFor({ timeout: 20_000 });
      if (!checks.some((c) => c.name === 'diagnostics appear in the Problems panel' && !c.error)) throw new Error('the diagnostics scenario did not pass');
    });
    await uiCheck('the plot view re-runs the simulation when an assumption changes', async () => {
      const frame = await webviewFrame(page);
      const epochs = frame.locator('input[data-arg="epochs"]');
      await epochs.waitFor({ timeout: 30_000 });
      await epochs.fill('5');
      await epochs.press('Tab'); // commits the value: one change event, one re-run
      await frame.locator('body[data-state="ready"][data-steps="500"]').waitFor({ timeout: 30_000 });
      // Values under the cursor: hover the middle of the chart, the legend shows them.
      const over = frame.locator('#chart .u-over');
      let box = null;
      for (const until = Date.now() + 10_000; !box && Date.now() < until; ) {
        await over.waitFor({ state: 'visible' });
        box = await over.boundingBox();
      }
      if (!box) throw new Error('no chart area');
      await over.hover({ position: { x: box.width * 0.3, y: box.height / 2 } });
      const legend = await frame.locator('#chart .u-legend').innerText();
      if (!/model\.encoder/.test(legend) || !/\d/.test(legend)) throw new Error(`legend under the cursor: ${legend}`);
      await driver.screenshot('plot-5-epochs');
    });
    await uiCheck('inlay hints show the lr each group starts at', async () => {
      // Close the plot view so the editor has its full width for the hints.
      const plotTab = page.locator('.tab', { hasText: 'LR schedule' });
      if (await plotTab.count()) await plotTab.first().locator('.codicon-close').click();
      await plotTab.first().waitFor({ state: 'detached' }).catch(() => undefined);
      await driver.open('onecycle_per_batch.py');
      const text = fs.readFileSync(path.join(workspace, 'onecycle_per_batch.py'), 'utf8');
      const line = text.split('\n').findIndex((l) => l.includes('"lr": 1e-3'));
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget input').fill(`:${line + 1}`);
      await page.keyboard.press('Enter');
      const hint = page.locator('.editor-group-container.active .view-lines', { hasText: 'starts at 4e-05' });
      await hint.first().waitFor({ timeout: 30_000 });
      await driver.screenshot('inlay-hints');
    });
    await uiCheck('the grammar injection highlights # noqa directives in comments', async () => {
      await driver.open('noqa_check.py');
      const line = page.locator('.editor-group-container.active .view-line', { hasText: 'noqa' }).first();
      await line.waitFor();
      // Token spans and their classes: the directive and the code must not look like the rest of the comment.
      // The editor renders spaces as no-break spaces.
      const spans = await line.locator('span span').evaluateAll((els) => els.map((e) => [(e.textContent ?? '').replace(/\u00a0/g, ' '), e.className] as [string, string]));
      const cls = (t: string): string | undefined => spans.find(([text]) => text.includes(t))?.[1];
      const comment = cls('suppressed on purpose');
      if (!comment || !cls('noqa') || !cls('OPT106')) throw new Error(`tokens: ${JSON.stringify(spans)}`);
      if (cls('noqa') === comment || cls('OPT106') === comment) throw new Error(`noqa is coloured like the comment: ${JSON.stringify(spans)}`);
      // Line 5 is suppressed; the same mistake on line 6 is reported.
      const rows = await driver.problems('noqa_check.py', ['OPT106']);
      const here = rows.filter((r) => r.code === 'OPT106');
      if (!here.some((r) => /\[Ln 6,/.test(r.message)) || here.some((r) => /\[Ln 5,/.test(r.message))) throw new Error(`OPT106 rows: ${JSON.stringify(here)}`);
      await driver.screenshot('noqa-grammar');
    });
    await uiCheck('without its native binaries the installed extension falls back to wasm', async () => {
      const installed = fs.readdirSync(extensions).find((d) => d.startsWith('optlint.optlint-'));
      if (!installed) throw new Error(`optlint is not in ${extensions}`);
      const dist = path.join(extensions, installed, 'dist');
      const natives = fs.readdirSync(dist).filter((f) => f.endsWith('.node'));
      if (natives.length < 2) throw new Error(`native binaries in the installed extension: ${natives.join(', ')}`);
      for (const f of natives) fs.rmSync(path.join(dist, f));
      // Restart the server: the new process finds no .node file beside dist/server.js.
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Shift+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill('>optlint: Restart language server');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Restart language server' }).first().waitFor();
      await page.keyboard.press('Enter');
      await driver.open('fallback_check.py');
      await driver.problems('fallback_check.py', ['OPT106']);
      const logs = path.join(userData, 'logs');
      const deadline = Date.now() + 30_000;
      const mentions = (dir: string): boolean =>
        fs.readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? mentions(path.join(dir, e.name)) : /optlint/i.test(e.name) && fs.readFileSync(path.join(dir, e.name), 'utf8').includes('using the wasm parser')));
      while (!(fs.existsSync(logs) && mentions(logs))) {
        if (Date.now() > deadline) throw new Error(`no "using the wasm parser" line in the optlint log under ${logs}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      await driver.screenshot('fallback-wasm');
    });
    await uiCheck('a second LSP client (headless Neovim) gets the diagnostics and the hover from optlint lsp --stdio', async () => {
      const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
      if (nvim.status !== 0) throw new Error('nvim is not installed (test/e2e/run.sh installs it)');
      const sample = path.join(REPO, 'samples', 'quiz_differential_lr.py');
      const text = fs.readFileSync(sample, 'utf8');
      const lines = text.split('\n');
      // The code, not the docstring's copy above it.
      let line = -1;
      lines.forEach((l, i) => {
        if (l.includes('optimizer = torch.optim.Adam([')) line = i;
      });
      const outFile = path.join(work, 'nvim-result.json');
      fs.rmSync(outFile, { force: true });
      const r = spawnSync('nvim', ['--headless', '--clean', '-u', path.join(REPO, 'test', 'e2e', 'neovim-client.lua'), sample], {
        env: { ...env, OPTLINT_REPO: REPO, OPTLINT_NVIM_OUT: outFile, OPTLINT_NVIM_HOVER_LINE: String(line), OPTLINT_NVIM_HOVER_COL: String(lines[line].indexOf('Adam') + 1) },
        encoding: 'utf8',
        timeout: 90_000,
      });
      if (r.status !== 0 || !fs.existsSync(outFile)) throw new Error(`nvim exited ${r.status}: ${r.stderr}`);
      const got = JSON.parse(fs.readFileSync(outFile, 'utf8')) as { diagnostics: Array<{ code: string; source: string }>; hover?: { contents: { value: string } } };
      const codes = got.diagnostics.map((d) => d.code).sort().join(',');
      if (codes !== 'OPT101,OPT102' || got.diagnostics.some((d) => d.source !== 'optlint')) throw new Error(`diagnostics in Neovim: ${codes}`);
      if (!/2 param groups/.test(got.hover?.contents.value ?? '')) throw new Error(`hover in Neovim: ${JSON.stringify(got.hover)}`);
    });
    await uiCheck('no Content-Security-Policy violation, page error, or error in the extension host logs', async () => {
      if (pageErrors.length) throw new Error(pageErrors.join('\n'));
      const errors: string[] = [];
      const scan = (dir: string): void => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) scan(p);
          else if (/exthost|optlint/i.test(p) && p.endsWith('.log')) {
            for (const l of fs.readFileSync(p, 'utf8').split('\n')) if (/\[error\]/.test(l) && (/optlint/i.test(l) || /optlint/i.test(p))) errors.push(`${path.basename(p)}: ${l}`);
          }
        }
      };
      scan(path.join(userData, 'logs'));
      if (errors.length) throw new Error(errors.join('\n'));
    });
  } catch (e) {
    checks.push({ name: 'harness', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    log(`FAIL harness: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await browser?.close().catch(() => undefined);
    stopTree(server);
    fs.writeFileSync(path.join(out, 'code-server.log'), serverLog.join(''));
  }
  const failed = checks.filter((c) => c.error).length;
  log(`${checks.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

// `node --test out/test/` loads every file under out/test: run only when started on purpose.
if (require.main === module && !process.env.NODE_TEST_CONTEXT) {
  main().then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
      process.exitCode = 1;
    },
  );
}
