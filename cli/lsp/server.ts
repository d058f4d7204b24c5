/**
 * `xreg lsp`: the language server over stdio. Each open document is analyzed on open and on every
 * change (the stages of `xreg check`, plugins included) and its diagnostics published; hover,
 * definition and completion read the latest analysis. Imports are read from the editor's open
 * documents first, so an unsaved imported file is seen as the editor shows it.
 */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import lspNode from 'vscode-languageserver/node.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { ReadFile } from '../../compiler/resolve/imports.js';
import type { Program } from '../../dsl/ast.js';
import type { Diagnostic } from '../../dsl/diagnostic.js';
import { standardLibrary, type Registry } from '../../stdlib/registry.js';
import { pluginRequests, registryWith } from '../plugins/registry.js';
import { resolvePlugin } from '../plugins/load.js';
import { analyze, type Analysis } from './analyze.js';
import { completion, definition, hover, toLsp, uriOf } from './features.js';

const { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } = lspNode;

export interface ServerOptions {
  /** `--plugin` values given to `xreg lsp`, loaded for every document. */
  readonly plugins: readonly string[];
}

export const startServer = (o: ServerOptions): void => {
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  const documents = new TextDocuments(TextDocument);
  const latest = new Map<string, Analysis>();
  // A registry per set of plugin requests (where each is named: its diagnostics point there) and
  // the plugin files' modification times: typing elsewhere does not reload plugins, saving one does.
  const registries = new Map<string, Promise<E.Either<Diagnostic[], Registry>>>();
  // Files that last got diagnostics because of each document (imports included), to clear them when fixed.
  const published = new Map<string, readonly string[]>();

  const readFile: ReadFile = (file) => {
    const open = documents.get(uriOf(file));
    if (open !== undefined) return E.right(open.getText());
    try {
      return E.right(readFileSync(file, 'utf8'));
    } catch (e) {
      return E.left((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e));
    }
  };

  const registryFor = async (file: string, program: Program): Promise<E.Either<readonly Diagnostic[], Registry>> => {
    const requests = pluginRequests(file, program, readFile, { flags: o.plugins });
    if (E.isLeft(requests)) return requests;
    const key = JSON.stringify(
      requests.right.map((r) => {
        const f = resolvePlugin(r);
        return [r.specifier, r.baseDir, r.span, E.isRight(f) ? statSync(f.right).mtimeMs : 0];
      }),
    );
    let reg = registries.get(key);
    if (reg === undefined) {
      reg = registryWith(standardLibrary, requests.right);
      registries.set(key, reg);
    }
    return reg;
  };

  const refresh = async (doc: TextDocument): Promise<void> => {
    const file = fileURLToPath(doc.uri);
    const version = doc.version;
    const a = await analyze(file, doc.getText(), readFile, registryFor, standardLibrary);
    // A newer edit arrived while this one was analyzed: its own analysis will publish.
    if (documents.get(doc.uri)?.version !== version) return;
    latest.set(doc.uri, a);
    const byUri = new Map<string, Diagnostic[]>([[doc.uri, []]]);
    for (const d of a.diagnostics) {
      const uri = uriOf(d.span.file);
      byUri.set(uri, [...(byUri.get(uri) ?? []), d]);
    }
    for (const stale of published.get(doc.uri) ?? []) if (!byUri.has(stale)) byUri.set(stale, []);
    published.set(doc.uri, [...byUri.keys()]);
    for (const [uri, ds] of byUri) await connection.sendDiagnostics({ uri, diagnostics: ds.map(toLsp) });
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      definitionProvider: true,
      completionProvider: { triggerCharacters: ['.'] },
    },
    serverInfo: { name: 'xreg' },
  }));
  documents.onDidChangeContent((e) => void refresh(e.document));
  documents.onDidClose((e) => {
    latest.delete(e.document.uri);
    for (const uri of published.get(e.document.uri) ?? []) void connection.sendDiagnostics({ uri, diagnostics: [] });
    published.delete(e.document.uri);
  });
  connection.onHover((p) => {
    const a = latest.get(p.textDocument.uri);
    return a === undefined ? null : hover(a, p.position);
  });
  connection.onDefinition((p) => {
    const a = latest.get(p.textDocument.uri);
    return a === undefined ? null : definition(a, p.position);
  });
  connection.onCompletion((p) => {
    const a = latest.get(p.textDocument.uri);
    return a === undefined ? [] : completion(a);
  });
  documents.listen(connection);
  connection.listen();
};
