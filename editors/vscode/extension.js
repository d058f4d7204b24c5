// The VS Code side of xreg: starts `xreg lsp --stdio` for .xreg files. The server does the work
// (the compiler's diagnostics, hover, definition, completion); this file only launches it.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

exports.activate = (context) => {
  const config = vscode.workspace.getConfiguration('xreg');
  const [command, ...args] = config.get('command', ['npx', 'xreg']);
  const plugins = config.get('plugins', []).flatMap((p) => ['--plugin', p]);
  const run = { command, args: [...args, 'lsp', '--stdio', ...plugins] };
  client = new LanguageClient('xreg', 'xreg', { run, debug: run }, { documentSelector: [{ scheme: 'file', language: 'xreg' }] });
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
};

exports.deactivate = () => (client ? client.stop() : undefined);
