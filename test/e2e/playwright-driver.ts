/**
 * The scenarios' driver through the real VS Code workbench (code-server in Chromium, driven by
 * playwright-core): keyboard and mouse as a user would, reading what the UI shows. Every wait
 * polls the DOM with a timeout; nothing sleeps a fixed time.
 */
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { Driver, HoverContent, PlotState, ProblemRow } from '../extension/scenarios';

const LONG = 60_000;

export function createPlaywrightDriver(page: Page, workspace: string, screenshots: string, log: (l: string) => void): Driver {
  const goTo = async (at: { line: number; character: number }) => {
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${at.line + 1}:${at.character + 1}`);
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
  };

  const activeEditor = () => page.locator('.editor-group-container.active .monaco-editor').first();

  const driver: Driver = {
    name: 'code-server',
    workspace,
    async open(file) {
      // Close whatever a failed step may have left open (menus, hovers, Quick Open).
      for (let i = 0; i < 2; i++) await page.keyboard.press('Escape');
      const tab = page.locator(`.tab[aria-label^="${file}"]`);
      if ((await tab.count()) > 0) {
        await tab.first().click();
      } else {
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible' });
        await input.fill(file);
        await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor();
        await page.keyboard.press('Enter');
        await input.waitFor({ state: 'hidden' });
      }
      await page.locator(`.tab.active[aria-label^="${file}"]`).waitFor({ timeout: LONG });
      // Keyboard focus in the editor (a tab click or Quick Open leaves it there).
      await activeEditor().locator('textarea').first().focus();
    },
    async problems(file, codes): Promise<ProblemRow[]> {
      const panel = page.locator('.markers-panel');
      if (!(await panel.isVisible())) await page.keyboard.press('Control+Shift+M');
      await panel.waitFor({ state: 'visible' });
      const deadline = Date.now() + LONG;
      for (;;) {
        const texts = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
        const rows = texts
          .map((t) => t.replace(/\s+/g, ' ').trim())
          .map((t) => ({ code: /\b(OPT\d{3})\b/.exec(t)?.[1] ?? '', message: t }))
          .filter((r) => r.code);
        if (codes.every((c) => rows.some((r) => r.code === c))) return rows;
        if (Date.now() > deadline) throw new Error(`Problems panel rows for ${file}: ${JSON.stringify(texts)} (wanted ${codes.join(', ')})`);
        await page.waitForTimeout(200);
      }
    },
    async quickFix(file, at, title) {
      await driver.open(file);
      await goTo(at);
      // The lightbulb menu: Ctrl+. lists the code actions at the cursor.
      const row = page.locator('.action-widget .monaco-list-row', { hasText: title });
      const deadline = Date.now() + LONG;
      for (;;) {
        await page.keyboard.press('Control+.');
        try {
          await row.first().waitFor({ state: 'visible', timeout: 5_000 });
          break;
        } catch (e) {
          const offered = await page.locator('.action-widget .monaco-list-row').allInnerTexts();
          log(`  quick fix not offered yet (${JSON.stringify(offered)}); asking again`);
          await page.keyboard.press('Escape');
          if (Date.now() > deadline) throw e;
        }
      }
      // Keyboard, as the menu's own hint says ("Enter to Apply"): move the focus to the row, apply.
      const rows = page.locator('.action-widget .monaco-list-row');
      for (let i = 0; i < 20; i++) {
        const focused = await rows.evaluateAll((els) => els.find((e) => e.classList.contains('focused'))?.getAttribute('aria-label') ?? '');
        if (focused === title) break;
        await page.keyboard.press('ArrowDown');
      }
      await page.keyboard.press('Enter');
      await page.locator('.action-widget').waitFor({ state: 'hidden' });
    },
    async save(file) {
      await driver.open(file);
      await page.keyboard.press('Control+S');
      await page.locator(`.tab[aria-label^="${file}"]:not(.dirty)`).waitFor({ timeout: LONG });
    },
    async hover(file, at): Promise<HoverContent> {
      await driver.open(file);
      await goTo(at);
      const hover = page.locator('.monaco-hover:visible .hover-contents');
      const deadline = Date.now() + LONG;
      for (;;) {
        // Keyboard hover (editor.action.showHover) at the cursor.
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I');
        try {
          await hover.first().waitFor({ state: 'visible', timeout: 5_000 });
          const text = (await hover.allInnerTexts()).join('\n');
          if (text.trim() && !/^Loading/.test(text.trim())) {
            const images = await page.locator('.monaco-hover:visible img').evaluateAll((els) => els.map((e) => (e as unknown as { src: string }).src));
            // Wait for the chart image to be decoded before the screenshot.
            await page.locator('.monaco-hover:visible img').evaluateAll((els) => Promise.all(els.map((e) => (e as unknown as { decode(): Promise<void> }).decode().catch(() => undefined))));
            await driver.screenshot(`hover-${file.replace(/\.py$/, '')}-${at.line + 1}`);
            await page.keyboard.press('Escape');
            await hover.first().waitFor({ state: 'hidden' }).catch(() => undefined);
            return { text, images };
          }
        } catch (e) {
          if (Date.now() > deadline) throw e;
        }
        await page.keyboard.press('Escape');
        if (Date.now() > deadline) throw new Error('no hover content');
      }
    },
    async codeLens(file, line, title) {
      await driver.open(file);
      await goTo({ line, character: 0 });
      const lens = activeEditor().locator('.contentWidgets .codelens-decoration a, .codelens-decoration a', { hasText: title });
      await lens.first().waitFor({ state: 'visible', timeout: LONG });
      await lens.first().click();
    },
    async plot(): Promise<PlotState> {
      // More room for the plot view: hide the bottom panel.
      if (await page.locator('.part.panel.bottom').isVisible()) await page.keyboard.press('Control+J');
      const frame = await webviewFrame(page);
      const body = frame.locator('body[data-state="ready"]');
      await body.waitFor({ timeout: LONG });
      await frame.locator('#chart canvas').first().waitFor({ timeout: LONG });
      const groups = Number(await body.getAttribute('data-groups'));
      const steps = Number(await body.getAttribute('data-steps'));
      const title = (await frame.locator('#title').innerText()).trim();
      return { groups, steps, title };
    },
    async screenshot(name) {
      const file = path.join(screenshots, `${name}.png`);
      await page.screenshot({ path: file });
      log(`  screenshot ${path.relative(process.cwd(), file)}`);
    },
  };
  return driver;
}

/** The plot view's document: VS Code nests each webview in two iframes. */
export async function webviewFrame(page: Page): Promise<Frame> {
  const deadline = Date.now() + LONG;
  for (;;) {
    for (const f of page.frames()) {
      if (f.name() === 'active-frame' || /fake\.html|index\.html\?.*purpose=webviewView|\/index\.html/.test(f.url())) {
        if ((await f.locator('#chart').count().catch(() => 0)) > 0) return f;
      }
    }
    if (Date.now() > deadline) throw new Error(`no plot webview among frames: ${page.frames().map((f) => f.url().slice(0, 80)).join(', ')}`);
    await page.waitForTimeout(200);
  }
}
