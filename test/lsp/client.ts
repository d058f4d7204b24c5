/**
 * A real language-server client (vscode-languageserver-protocol's JSON-RPC connection over the child's stdio) for `xreg lsp`, run from
 * source with tsx; used by the tests and by bench/lsp.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
  CompletionRequest,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  type CompletionItem,
  type CompletionList,
  type Definition,
  type Hover,
  type LocationLink,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node.js';

export interface Client {
  readonly connection: MessageConnection;
  /** The next diagnostics published for `uri` (after now). */
  readonly nextDiagnostics: (uri: string) => Promise<PublishDiagnosticsParams>;
  readonly open: (uri: string, text: string) => Promise<void>;
  readonly change: (uri: string, version: number, text: string) => Promise<void>;
  readonly hover: (uri: string, line: number, character: number) => Promise<Hover | null>;
  readonly definition: (uri: string, line: number, character: number) => Promise<Definition | LocationLink[] | null>;
  readonly completion: (uri: string, line: number, character: number) => Promise<CompletionItem[] | CompletionList | null>;
  readonly close: () => Promise<void>;
}

export const startClient = async (args: readonly string[] = []): Promise<Client> => {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli', 'xreg.ts'), 'lsp', '--stdio', ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  if (child.stdout === null || child.stdin === null) throw new Error('no stdio');
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting = new Map<string, ((p: PublishDiagnosticsParams) => void)[]>();
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    const ws = waiting.get(p.uri) ?? [];
    waiting.delete(p.uri);
    for (const w of ws) w(p);
  });
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
  await connection.sendNotification(InitializedNotification.type, {});
  const at = (uri: string, line: number, character: number) => ({ textDocument: { uri }, position: { line, character } });
  return {
    connection,
    nextDiagnostics: (uri) => new Promise((resolve) => waiting.set(uri, [...(waiting.get(uri) ?? []), resolve])),
    open: (uri, text) => connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'xreg', version: 1, text } }),
    change: (uri, version, text) => connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] }),
    hover: (uri, line, character) => connection.sendRequest(HoverRequest.type, at(uri, line, character)),
    definition: (uri, line, character) => connection.sendRequest(DefinitionRequest.type, at(uri, line, character)),
    completion: (uri, line, character) => connection.sendRequest(CompletionRequest.type, at(uri, line, character)),
    close: async () => {
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
      connection.dispose();
      child.kill();
    },
  };
};
