/**
 * The "Preview LR schedule" webview: an interactive uPlot chart of every group's lr, bundled into
 * the extension (no CDN; the view works offline under a strict Content-Security-Policy). The
 * simulation runs in the language server (`optlint/schedulePreview`); changing an assumption in
 * the view asks the server again.
 */
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SchedulePreviewRequestMethod, type PreviewAssumptions, type SchedulePreview, type SchedulePreviewParams, type WebviewMessage } from '../../server/src/lsp/protocol';

export interface PlotTarget {
  context: vscode.ExtensionContext;
  client: () => LanguageClient | undefined;
  uri: string;
  position: { line: number; character: number };
}

export class PlotPanel {
  static current: PlotPanel | undefined;
  /** The last preview shown (tests read it). */
  lastPreview: SchedulePreview | undefined;
  private assumptions: PreviewAssumptions = {};
  private readonly disposables: vscode.Disposable[] = [];
  private rerun: NodeJS.Timeout | undefined;
  private webviewReady = false;
  private pending: WebviewMessage | undefined;

  static show(target: PlotTarget): PlotPanel {
    if (PlotPanel.current) {
      PlotPanel.current.retarget(target);
      PlotPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return PlotPanel.current;
    }
    const panel = vscode.window.createWebviewPanel('optlint.schedulePreview', 'LR schedule', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(target.context.extensionUri, 'dist', 'webview')],
    });
    PlotPanel.current = new PlotPanel(panel, target);
    return PlotPanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private target: PlotTarget,
  ) {
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: WebviewMessage) => this.onMessage(m)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() !== this.target.uri || !e.contentChanges.length) return;
        if (this.rerun) clearTimeout(this.rerun);
        this.rerun = setTimeout(() => void this.run(), 400);
      }),
    );
    void this.run();
  }

  dispose(): void {
    if (PlotPanel.current === this) PlotPanel.current = undefined;
    if (this.rerun) clearTimeout(this.rerun);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private retarget(target: PlotTarget): void {
    this.target = target;
    this.assumptions = {};
    void this.run();
  }

  private onMessage(m: WebviewMessage): void {
    if (m.type === 'ready') {
      this.webviewReady = true;
      if (this.pending) void this.panel.webview.postMessage(this.pending);
      this.pending = undefined;
    } else if (m.type === 'assumptions') {
      this.assumptions = m.assumptions;
      void this.run();
    }
  }

  private post(m: WebviewMessage): void {
    if (this.webviewReady) void this.panel.webview.postMessage(m);
    else this.pending = m;
  }

  /** Asks the server for the preview with the current assumptions and shows it. */
  async run(): Promise<SchedulePreview | undefined> {
    const client = this.target.client();
    if (!client) {
      this.post({ type: 'error', message: 'The optlint language server is not running.' });
      return undefined;
    }
    const params: SchedulePreviewParams = { uri: this.target.uri, position: this.target.position, assumptions: this.assumptions };
    try {
      const preview = await client.sendRequest<SchedulePreview | null>(SchedulePreviewRequestMethod, params);
      if (!preview) {
        this.post({ type: 'error', message: 'No scheduler at this position any more: open the preview again from the code lens above the scheduler.' });
        return undefined;
      }
      this.lastPreview = preview;
      this.panel.title = `LR schedule: ${preview.title}`;
      this.post({ type: 'preview', preview });
      return preview;
    } catch (e) {
      this.post({ type: 'error', message: `The preview failed: ${e instanceof Error ? e.message : String(e)}` });
      return undefined;
    }
  }

  private html(): string {
    const webview = this.panel.webview;
    const base = vscode.Uri.joinPath(this.target.context.extensionUri, 'dist', 'webview');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(base, 'plot.js'));
    const uplotCss = webview.asWebviewUri(vscode.Uri.joinPath(base, 'uPlot.min.css'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(base, 'plot.css'));
    const nonce = crypto.randomBytes(16).toString('base64');
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${uplotCss}">
<link rel="stylesheet" href="${css}">
<title>LR schedule</title>
</head>
<body data-state="loading">
<header>
  <h2 id="title">LR schedule</h2>
  <div id="subtitle"></div>
</header>
<section id="controls">
  <label>Run length <input id="steps" type="number" min="1" step="1"> <span id="stepsUnit">steps</span></label>
  <label>Steps per epoch <input id="stepsPerEpoch" type="number" min="1" step="1"></label>
  <span id="args"></span>
  <span class="toggles">
    <label><input id="xEpochs" type="checkbox"> x in epochs</label>
    <label><input id="logY" type="checkbox"> log lr</label>
  </span>
</section>
<div id="message" role="status"></div>
<div id="chart"></div>
<table id="summary"></table>
<section id="assumptions"></section>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}
