/**
 * `optlint lsp --stdio | --node-ipc | --socket=PORT | --pipe=NAME`: the language server, for any
 * editor (VS Code's extension starts the same server from its bundle over IPC).
 */
import { UsageError } from './args';
import { registerCommand } from './main';
import type { Io } from './check';

export const LSP_USAGE = `Usage: optlint lsp (--stdio | --node-ipc | --socket=PORT | --pipe=NAME)

Runs the optlint language server. Editors start it and speak LSP over the chosen transport;
nothing but the protocol is written to stdout. See server/src/lsp/README.md for Neovim, Helix and
Emacs set-ups.`;

async function runLsp(argv: string[], io: Io): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${LSP_USAGE}\n`);
    return 0;
  }
  // Loaded here, not at the top: `optlint check` should not pay for the LSP libraries.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runServer, transportFromArgv } = require('../lsp/server') as typeof import('../lsp/server');
  const transport = transportFromArgv(argv);
  if (!transport) throw new UsageError('choose a transport: --stdio, --node-ipc, --socket=PORT or --pipe=NAME');
  const unknown = argv.filter((a) => !/^--(stdio|node-ipc|socket=\d+|pipe=.+|clientProcessId=\d+)$/.test(a));
  if (unknown.length) throw new UsageError(`unknown option '${unknown[0]}'`);
  return runServer(transport);
}

registerCommand('lsp', runLsp, LSP_USAGE);
