/**
 * Entry point of the bundled server (dist/server.js): the VS Code client starts it with
 * `--node-ipc`; any other transport flag works too (`--stdio` for other editors).
 */
import { runServer, transportFromArgv } from './server';

const transport = transportFromArgv(process.argv.slice(2)) ?? { kind: 'stdio' as const };
void runServer(transport).then((code) => {
  process.exitCode = code;
});
