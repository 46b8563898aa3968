/**
 * The vscode-languageserver family publishes its entry points only through package.json
 * `exports`, which the repository's `moduleResolution: node` does not read. These ambient
 * declarations point the type checker at the same files Node loads at run time, so the language
 * server (and the tests that drive it) are fully typed without changing the build's settings.
 */
declare module 'vscode-jsonrpc' {
  export * from 'vscode-jsonrpc/lib/common/api';
}
declare module 'vscode-jsonrpc/node' {
  export * from 'vscode-jsonrpc/lib/node/main';
}
declare module 'vscode-languageserver-protocol' {
  export * from 'vscode-languageserver-protocol/lib/common/api';
}
declare module 'vscode-languageserver-protocol/node' {
  export * from 'vscode-languageserver-protocol/lib/node/main';
}
declare module 'vscode-languageserver' {
  export * from 'vscode-languageserver/lib/common/api';
}
declare module 'vscode-languageserver/node' {
  export * from 'vscode-languageserver/lib/node/main';
}
declare module 'vscode-languageclient' {
  export * from 'vscode-languageclient/lib/common/api';
}
declare module 'vscode-languageclient/node' {
  export * from 'vscode-languageclient/lib/node/main';
}
