/**
 * The chevrotain parser for docs/grammar.md. It builds the AST of dsl/ast.ts directly (embedded
 * actions) and recovers from errors: a CONSUME that fails may be repaired by inserting or deleting
 * one token; any other error abandons the current declaration, and the `junk` rule then skips
 * silently to the next declaration keyword that starts a line (or to the `}` of the enclosing block).
 *
 * Error messages are written in plain words at each CONSUME/OR (`ERR_MSG`), encoded as
 * `CODE|message|hint` so that parse.ts can turn them into Diagnostics (see parseMessage).
 *
 * Speed (bench/parse-large.ts): the alternatives of an OR are built once per parser (fields named
 * `…Alts`, holding closures over `this` only) rather than on every call, and `{ GATE, DEF }` options
 * come from `gated(...)`. Both matter most under tsx/esbuild, which wraps every closure written as
 * an object property in a `__name(...)` call (an Object.defineProperty per closure, per call).
 */
import {
  EmbeddedActionsParser,
  EOF,
  tokenLabel,
  type DSLMethodOpts,
  type IOrAlt,
  type IParserErrorMessageProvider,
  type IToken,
  type OrMethodOpts,
  type TokenType,
} from 'chevrotain';
import type * as A from './ast.js';
import { error, type Diagnostic } from './diagnostic.js';
import { spanUnion, type Position, type Span } from './span.js';
import * as L from './lexer.js';
import { suggest } from './suggest.js';
import { lazyLookahead } from './lazy-lookahead.js';

/** Message template: `{prev}` is the token before the error; `, found …` is appended by parse.ts. */
const m = (code: string, message: string, hint?: string): string =>
  hint === undefined ? `${code}|${message}` : `${code}|${message}|${hint}`;

const UPDATE_SHAPE = 'an update rule reads: update TARGET by OPTIMIZER on LOSS, e.g. update theta by sgd(lr: 0.01) on fit';
const UNIT_HINT = "durations are written like '100 steps' or '5 epochs' (after 'from'/'until': 'step 3000', 'epoch 10')";

const declStarters: readonly TokenType[] = [
  L.Import, L.Plugin, L.Let, L.Seed, L.Data, L.Split, L.Param, L.Hyper, L.Fn, L.Layer, L.Model, L.Loss, L.Metric,
  L.Update, L.Freeze, L.Partition, L.Run, L.Report, L.Figure, L.Phase, L.Sweep, L.Ensemble, L.Population,
  L.Every,
];
export const declKeywords: readonly string[] = declStarters.map((t) => t.name.slice(3));

const unitTokens: readonly TokenType[] = [L.Step, L.Steps, L.Epoch, L.Epochs];

const errorProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => m('E0102', `expected ${tokenLabel(expected)}`),
  buildNotAllInputParsedMessage: () => m('E0100', 'expected a declaration'),
  buildNoViableAltMessage: ({ customUserDescription }) => customUserDescription ?? m('E0100', 'unexpected input'),
  buildEarlyExitMessage: ({ customUserDescription }) => customUserDescription ?? m('E0100', 'unexpected input'),
};

const declName: Partial<Record<A.Decl['kind'], string>> = {
  EveryDecl: 'every',
};
const declWord = (d: A.Decl): string => declName[d.kind] ?? d.kind.toLowerCase();

const one = (d: A.Decl): A.Decl[] => [d];

const MAX_LOOKAHEAD = 2;

const ERR_ARG_END = { ERR_MSG: m('E0107', "expected ',' or ')' after the argument") };

/** What follows an expression in `postfix`: a call's arguments or a member's name. */
type Suffix = { readonly args: A.Argument[] } | { readonly property: IToken };

export class XregParser extends EmbeddedActionsParser {
  private file = '<input>';
  /** Diagnostics the grammar actions find (bad types, non-integers, junk); chevrotain's own are in `errors`. */
  private extra: Diagnostic[] = [];
  private lastDecl: A.Decl | undefined;
  private lastDeclFailed = false;
  /** The top-level declarations read so far, returned even if the parse is abandoned. */
  private topDecls: A.Decl[] = [];

  /**
   * `validate` runs chevrotain's grammar validations (ambiguities, left recursion, lookahead), which
   * cost more than checking a whole program; the grammar is fixed, so they run in the tests only.
   * `eagerLookahead` builds every lookahead function up front, as chevrotain does by default; the
   * tests compare it with the lazy one (dsl/lazy-lookahead.ts) the parser uses.
   */
  constructor(opts: { readonly validate?: boolean; readonly eagerLookahead?: boolean } = {}) {
    super([...L.allTokens], {
      recoveryEnabled: true,
      errorMessageProvider: errorProvider,
      maxLookahead: MAX_LOOKAHEAD,
      ...(opts.eagerLookahead === true ? {} : { lookaheadStrategy: lazyLookahead(MAX_LOOKAHEAD) }),
      skipValidations: opts.validate !== true,
    });
    this.performSelfAnalysis();
  }

  load(tokens: readonly IToken[], file: string): void {
    this.input = [...tokens];
    this.file = file;
    this.extra = [];
    this.lastDecl = undefined;
    this.lastDeclFailed = false;
    this.topDecls = [];
  }

  get actionDiagnostics(): readonly Diagnostic[] {
    return this.extra;
  }

  /** A `{ GATE, DEF }` option whose closures are call arguments (see the note at the top). */
  private gated<T>(GATE: () => boolean, DEF: () => T): DSLMethodOpts<T> {
    return { GATE, DEF };
  }

  private readonly notRBrace1 = (): boolean => this.LA(1).tokenType !== L.RBrace;
  private readonly notRBrace2 = (): boolean => this.LA(2).tokenType !== L.RBrace;
  private readonly notRParen2 = (): boolean => this.LA(2).tokenType !== L.RParen;
  private readonly notRBracket2 = (): boolean => this.LA(2).tokenType !== L.RBracket;

  // -------------------------------------------------------------------------------------------
  // Spans (only ever called inside ACTION, i.e. not while chevrotain records the grammar)
  // -------------------------------------------------------------------------------------------

  private static readonly origin = { line: 1, column: 1, offset: 0 };

  /** Where the last consumed token ends (the start of the file before any). */
  private endPos(): Position {
    const prev = this.LA(0);
    if (prev === undefined || Number.isNaN(prev.startOffset) || prev.tokenType === EOF) return XregParser.origin;
    return L.tokenEnd(prev);
  }

  private endOfPrev(): Span {
    const p = this.endPos();
    return { file: this.file, start: p, end: p };
  }

  private sp(tok: IToken): Span {
    return Number.isNaN(tok.startOffset) || tok.tokenType === EOF ? this.endOfPrev() : L.tokenSpan(tok, this.file);
  }

  /** From the start of `tok` to the end of the last token consumed (built on every node: kept lean). */
  private from(tok: IToken | Span): Span {
    const start = 'file' in tok ? tok.start : Number.isNaN(tok.startOffset) || tok.tokenType === EOF ? this.endPos() : L.tokenStart(tok);
    const end = this.endPos();
    if (end.offset >= start.offset) return { file: this.file, start, end };
    return 'file' in tok ? tok : this.sp(tok);
  }

  private ident(tok: IToken): A.Identifier {
    return { kind: 'Identifier', name: tok.image, span: this.sp(tok) };
  }

  private num(tok: IToken): A.NumberLit {
    const text = tok.image;
    const isInteger = /^\d+$/.test(text);
    return { kind: 'Number', value: text === '' ? Number.NaN : Number(text), text, isInteger, span: this.sp(tok) };
  }

  /** A number where the grammar wants a whole number (sizes, seeds, batch sizes). */
  private int(tok: IToken, what: string): A.NumberLit {
    const n = this.num(tok);
    if (!n.isInteger && tok.image !== '') {
      this.extra.push(error('E0105', `${what} must be a whole number, found '${tok.image}'`, n.span));
    }
    return n;
  }

  private errorExpr = (): A.ErrorExpr => ({ kind: 'ErrorExpr', span: this.endOfPrev() });

  private startsLine(tok: IToken): boolean {
    const prev = this.LA(0);
    return prev === undefined || Number.isNaN(prev.startOffset) || (prev.endLine ?? 0) < (tok.startLine ?? 0);
  }

  private isDeclBoundary(tok: IToken): boolean {
    if (!declStarters.includes(tok.tokenType) || !this.startsLine(tok)) return false;
    if (tok.tokenType !== L.Every) return true;
    // `every 30 steps` on its own line may continue an update rule; `every 1 epoch:` starts a declaration.
    return this.LA(4).tokenType === L.Colon;
  }

  // -------------------------------------------------------------------------------------------
  // Declarations
  // -------------------------------------------------------------------------------------------

  private programNode(decls: readonly A.Decl[]): A.Program {
    const first = decls[0];
    const last = decls[decls.length - 1];
    const span: Span =
      first !== undefined && last !== undefined
        ? spanUnion(first.span, last.span)
        : { file: this.file, start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
    return { kind: 'Program', file: this.file, decls, span };
  }

  public program = this.RULE('program', (): A.Program => {
    const decls = this.ACTION(() => {
      this.topDecls = [];
      return this.topDecls;
    });
    this.MANY(() => {
      const before = this.errors.length + this.extra.length;
      const ds = this.SUBRULE(this.decl);
      this.ACTION(() => {
        decls.push(...ds);
        if (ds.length > 0) this.lastDecl = ds[ds.length - 1];
        this.lastDeclFailed = this.errors.length + this.extra.length > before && ds.length === 0;
      });
    });
    return this.ACTION(() => this.programNode(decls));
  }, { recoveryValueFunc: () => this.programNode(this.topDecls) });

  private block = this.RULE(
    'block',
    (what: string): A.Decl[] => {
      const decls: A.Decl[] = [];
      this.CONSUME(L.LBrace, { ERR_MSG: m('E0102', `expected '{' to open the ${what} body`) });
      this.MANY(
        this.gated(this.notRBrace1, () => {
          const before = this.errors.length + this.extra.length;
          const ds = this.SUBRULE(this.decl);
          this.ACTION(() => {
            decls.push(...ds);
            if (ds.length > 0) this.lastDecl = ds[ds.length - 1];
            this.lastDeclFailed = this.errors.length + this.extra.length > before && ds.length === 0;
          });
        }),
      );
      // The loop above stops only at '}' or at the end of the file, which is reported here rather than
      // by chevrotain so that the declarations read so far are kept.
      let closed = false;
      this.OPTION(() => {
        this.CONSUME(L.RBrace);
        closed = true;
      });
      this.ACTION(() => {
        if (!closed) {
          this.extra.push(
            error('E0107', `expected '}' to close the ${what} body, found the end of the file`, this.endOfPrev()),
          );
        }
      });
      return decls;
    },
    { recoveryValueFunc: () => [] },
  );

  // One token decides (every declaration starts with its keyword); `junk` takes anything else.
  private readonly declAlts: OrMethodOpts<A.Decl[]> = {
        MAX_LOOKAHEAD: 1,
        DEF: [
        { ALT: () => one(this.SUBRULE(this.importDecl)) },
        { ALT: () => one(this.SUBRULE(this.pluginDecl)) },
        { ALT: () => one(this.SUBRULE(this.letDecl)) },
        { ALT: () => one(this.SUBRULE(this.seedDecl)) },
        { ALT: () => one(this.SUBRULE(this.dataDecl)) },
        { ALT: () => one(this.SUBRULE(this.splitDecl)) },
        { ALT: () => one(this.SUBRULE(this.paramDecl)) },
        { ALT: () => one(this.SUBRULE(this.fnDecl)) },
        { ALT: () => one(this.SUBRULE(this.layerDecl)) },
        { ALT: () => one(this.SUBRULE(this.modelDecl)) },
        { ALT: () => one(this.SUBRULE(this.namedExprDecl)) },
        { ALT: () => one(this.SUBRULE(this.updateDecl)) },
        { ALT: () => one(this.SUBRULE(this.freezeDecl)) },
        { ALT: () => one(this.SUBRULE(this.partitionDecl)) },
        { ALT: () => one(this.SUBRULE(this.runDecl)) },
        { ALT: () => one(this.SUBRULE(this.reportDecl)) },
        { ALT: () => this.SUBRULE(this.phaseDecl) },
        { ALT: () => one(this.SUBRULE(this.sweepDecl)) },
        { ALT: () => one(this.SUBRULE(this.ensembleDecl)) },
        { ALT: () => one(this.SUBRULE(this.populationDecl)) },
        { ALT: () => one(this.SUBRULE(this.everyDecl)) },
        { ALT: () => this.SUBRULE(this.junk), IGNORE_AMBIGUITIES: true },
        ],
  };

  private decl = this.RULE('decl', (): A.Decl[] => this.OR(this.declAlts), { recoveryValueFunc: () => [] });

  /** Text that cannot start a declaration: reported once (unless it follows a failed one), then skipped. */
  private junk = this.RULE('junk', (): A.Decl[] => {
    let depth = 0;
    const track = (tok: IToken): void => {
      if (tok.tokenType === L.LBrace) depth++;
      else if (tok.tokenType === L.RBrace && depth > 0) depth--;
    };
    const first = this.CONSUME(L.AnyToken);
    this.ACTION(() => {
      if (!this.lastDeclFailed) this.extra.push(this.junkMessageAt(first));
      track(first);
    });
    this.MANY(
      this.gated(
        () => {
          const t = this.LA(1);
          if (t.tokenType === EOF) return false;
          if (depth === 0 && t.tokenType === L.RBrace) return false;
          return depth > 0 || !this.isDeclBoundary(t);
        },
        () => {
          const t = this.CONSUME2(L.AnyToken);
          this.ACTION(() => track(t));
        },
      ),
    );
    return [];
  });

  /** `startsLine` looks at LA(0), which is `tok` itself once consumed; look one further back. */
  private junkMessageAt(tok: IToken): Diagnostic {
    const saved = this.LA(-1);
    const startsLine =
      saved === undefined || Number.isNaN(saved.startOffset) || (saved.endLine ?? 0) < (tok.startLine ?? 0);
    const prevDecl = this.lastDecl;
    if (startsLine) this.lastDecl = undefined;
    const d = this.junkMessageWith(tok, startsLine);
    this.lastDecl = prevDecl;
    return d;
  }

  private junkMessageWith(tok: IToken, startsLine: boolean): Diagnostic {
    const span = this.sp(tok);
    const shown = `'${tok.image}'`;
    const prev = this.lastDecl;
    const allStarters = `a declaration starts with one of: ${declKeywords.join(', ')}`;
    if (!startsLine && prev !== undefined) {
      const hint =
        tok.tokenType === L.Identifier && (prev.kind === 'Loss' || prev.kind === 'Metric') && prev.body.kind !== 'Over'
          ? `to average over a split, write 'over ${tok.image}'`
          : 'each declaration starts with a keyword; this text is left over from the one before';
      return error('E0111', `unexpected ${shown} after the end of the ${declWord(prev)} declaration`, span, hint);
    }
    if (tok.tokenType === L.Identifier) {
      const guess = suggest(tok.image, declKeywords);
      return guess !== undefined
        ? error('E0101', `unknown declaration '${tok.image}': did you mean '${guess}'?`, span)
        : error('E0101', `unknown declaration '${tok.image}'`, span, allStarters);
    }
    return error('E0100', `expected a declaration, found ${shown}`, span, allStarters);
  }

  private importDecl = this.RULE('importDecl', (): A.ImportDecl => {
    const kw = this.CONSUME(L.Import);
    const path = this.CONSUME(L.StringTok, { ERR_MSG: m('E0102', "expected a file path in quotes after 'import'") });
    let alias: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(L.As);
      alias = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected a name after 'as'") });
    });
    return this.ACTION(() => {
      const p: A.StringLit = { kind: 'String', value: L.unescapeString(path, this.file).value, span: this.sp(path) };
      const base = { kind: 'Import' as const, path: p, span: this.from(kw) };
      return alias === undefined ? base : { ...base, alias: this.ident(alias) };
    });
  });

  private pluginDecl = this.RULE('pluginDecl', (): A.PluginDecl => {
    const kw = this.CONSUME(L.Plugin);
    const path = this.CONSUME(L.StringTok, { ERR_MSG: m('E0102', "expected a module in quotes after 'plugin' (a file such as \"./my.js\" or a package name)") });
    return this.ACTION(() => ({
      kind: 'Plugin',
      path: { kind: 'String', value: L.unescapeString(path, this.file).value, span: this.sp(path) },
      span: this.from(kw),
    }));
  });

  private letDecl = this.RULE('letDecl', (): A.LetDecl => {
    const kw = this.CONSUME(L.Let);
    const name = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected a name after 'let'") });
    this.CONSUME(L.Equals, { ERR_MSG: m('E0102', `expected '=' after the name in 'let'`) });
    const value = this.SUBRULE(this.expr);
    return this.ACTION(() => ({ kind: 'Let', name: this.ident(name), value, span: this.from(kw) }));
  });

  private seedDecl = this.RULE('seedDecl', (): A.SeedDecl => {
    const kw = this.CONSUME(L.Seed);
    const n = this.CONSUME(L.NumberTok, { ERR_MSG: m('E0105', "expected a whole number after 'seed'") });
    return this.ACTION(() => ({ kind: 'Seed', value: this.int(n, 'a seed'), span: this.from(kw) }));
  });

  private dataDecl = this.RULE('dataDecl', (): A.DataDecl => {
    const kw = this.CONSUME(L.Data);
    const name = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected a name after 'data'") });
    this.CONSUME(L.Equals, { ERR_MSG: m('E0102', "expected '=' after the data set's name", "e.g. data d = csv(\"file.csv\", target: \"y\")") });
    const source = this.SUBRULE(this.expr);
    return this.ACTION(() => ({ kind: 'Data', name: this.ident(name), source, span: this.from(kw) }));
  });

  private splitDecl = this.RULE('splitDecl', (): A.SplitDecl => {
    const kw = this.CONSUME(L.Split);
    const data = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected the data set's name after 'split'") });
    this.CONSUME(L.LBrace, {
      ERR_MSG: m('E0102', "expected '{' after the data set's name", 'e.g. split d { train: 0.8, test: 0.2 }'),
    });
    const entries: A.SplitEntry[] = [this.SUBRULE(this.splitEntry)];
    this.MANY(
      this.gated(this.notRBrace2, () => {
        this.CONSUME(L.Comma);
        entries.push(this.SUBRULE2(this.splitEntry));
      }),
    );
    this.OPTION(() => this.CONSUME2(L.Comma));
    this.CONSUME(L.RBrace, { ERR_MSG: m('E0107', "expected ',' or '}' after the split entry") });
    let seed: IToken | undefined;
    this.OPTION2(() => {
      this.CONSUME(L.Seed);
      seed = this.CONSUME(L.NumberTok, { ERR_MSG: m('E0105', "expected a whole number after 'seed'") });
    });
    return this.ACTION(() => {
      const base = { kind: 'Split' as const, data: this.ident(data), entries, span: this.from(kw) };
      return seed === undefined ? base : { ...base, seed: this.int(seed, 'a seed') };
    });
  });

  private splitEntry = this.RULE('splitEntry', (): A.SplitEntry => {
    const name = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', 'expected the name of a split') });
    this.CONSUME(L.Colon, { ERR_MSG: m('E0102', "expected ':' after the split's name", 'e.g. train: 0.8') });
    const fraction = this.SUBRULE(this.expr);
    let grow: { from: A.Expr; until: A.Duration; span: Span } | undefined;
    this.OPTION(() => {
      const g = this.CONSUME(L.Grow);
      this.CONSUME(L.From, { ERR_MSG: m('E0102', "expected 'from' after 'grow'", 'e.g. train: 0.8 grow from 0.2 until epoch 100') });
      const from = this.SUBRULE2(this.expr);
      this.CONSUME(L.Until, { ERR_MSG: m('E0102', "expected 'until' after the starting fraction") });
      const until = this.SUBRULE(this.duration2);
      this.ACTION(() => {
        grow = { from, until, span: this.from(g) };
      });
    });
    return this.ACTION(() => {
      const base = { name: this.ident(name), fraction, span: this.from(name) };
      return grow === undefined ? base : { ...base, grow };
    });
  });

  private readonly paramKwAlts: IOrAlt<IToken>[] = [{ ALT: () => this.CONSUME(L.Param) }, { ALT: () => this.CONSUME(L.Hyper) }];
  private readonly initOpAlts: IOrAlt<IToken>[] = [{ ALT: () => this.CONSUME(L.Equals) }, { ALT: () => this.CONSUME(L.Tilde) }];

  private paramDecl = this.RULE('paramDecl', (): A.ParamDecl => {
    const kw = this.OR(this.paramKwAlts);
    const name = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected a name after '{prev}'") });
    this.CONSUME(L.Colon, {
      ERR_MSG: m('E0102', "expected ':' after the parameter name", 'e.g. param w : Tensor[10] ~ normal(0, 1)'),
    });
    const type = this.SUBRULE(this.typeExpr);
    let init: { kind: 'Value' | 'Sample'; expr: A.Expr; span: Span } | undefined;
    this.OPTION(() => {
      const op = this.OR2(this.initOpAlts);
      const expr = this.SUBRULE(this.expr);
      this.ACTION(() => {
        init = { kind: op.tokenType === L.Tilde ? 'Sample' : 'Value', expr, span: this.from(op) };
      });
    });
    let onSphere = false;
    let frozen = false;
    this.OPTION2(() => {
      this.CONSUME(L.On);
      this.CONSUME(L.Sphere, { ERR_MSG: m('E0102', "expected 'sphere' after 'on'") });
      onSphere = true;
    });
    this.OPTION3(() => {
      this.CONSUME(L.Frozen);
      frozen = true;
    });
    return this.ACTION(() => {
      const base = {
        kind: 'Param' as const,
        hyper: kw.tokenType === L.Hyper,
        name: this.ident(name),
        type,
        onSphere,
        frozen,
        span: this.from(kw),
      };
      return init === undefined ? base : { ...base, init };
    });
  });

  private typeExpr = this.RULE(
    'typeExpr',
    (): A.TypeExpr => {
      const name = this.CONSUME(L.Identifier, { ERR_MSG: m('E0109', 'expected a type (Scalar or Tensor[...])') });
      const dims: A.Dim[] = [];
      let bracket = false;
      this.OPTION(() => {
        this.CONSUME(L.LBracket);
        bracket = true;
        dims.push(this.SUBRULE(this.dim));
        this.MANY(() => {
          this.CONSUME(L.Comma);
          dims.push(this.SUBRULE2(this.dim));
        });
        this.CONSUME(L.RBracket, { ERR_MSG: m('E0107', "expected ',' or ']' after the dimension") });
      });
      return this.ACTION((): A.TypeExpr => {
        const span = this.from(name);
        const n = name.image;
        if (n === 'Scalar' && !bracket) return { kind: 'ScalarType', span };
        if (n === 'Tensor' && bracket) return { kind: 'TensorType', dims, span };
        if (n === 'Scalar') {
          this.extra.push(error('E0109', "'Scalar' takes no dimensions", span, 'write Tensor[...] for an array'));
          return { kind: 'ScalarType', span };
        }
        if (n === 'Tensor') {
          this.extra.push(error('E0109', "'Tensor' needs its dimensions", span, 'e.g. Tensor[100] or Tensor[B, 784]'));
          return { kind: 'TensorType', dims, span };
        }
        const guess = suggest(n, ['Scalar', 'Tensor']);
        this.extra.push(
          error(
            'E0109',
            guess === undefined ? `unknown type '${n}'` : `unknown type '${n}': did you mean '${guess}'?`,
            this.sp(name),
            'the types are Scalar and Tensor[dims]',
          ),
        );
        return bracket ? { kind: 'TensorType', dims, span } : { kind: 'ScalarType', span };
      });
    },
  );

  private readonly dimAlts: OrMethodOpts<A.Dim> = { DEF: [
        {
          ALT: () => {
            const n = this.CONSUME(L.NumberTok);
            return this.ACTION((): A.Dim => {
              const lit = this.int(n, 'a dimension');
              return { kind: 'Fixed', size: lit.value, span: lit.span };
            });
          },
        },
        {
          ALT: () => {
            const id = this.CONSUME(L.Identifier);
            return this.ACTION((): A.Dim => ({ kind: 'Symbolic', name: id.image, span: this.sp(id) }));
          },
        },
      ], ERR_MSG: m('E0102', "expected a dimension (a size like 100 or a name like B) after '{prev}'") };

  private dim = this.RULE('dim', (): A.Dim => this.OR(this.dimAlts));

  private nameList = this.RULE('nameList', (what: string): IToken[] => {
    const names: IToken[] = [];
    this.CONSUME(L.LParen);
    this.OPTION(() => {
      names.push(this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', `expected a parameter name of the ${what}`) }));
      this.MANY(() => {
        this.CONSUME(L.Comma);
        names.push(this.CONSUME2(L.Identifier, { ERR_MSG: m('E0104', "expected a parameter name after ','") }));
      });
    });
    this.CONSUME(L.RParen, { ERR_MSG: m('E0107', `expected ')' after the parameters of the ${what}`) });
    return names;
  });

  private fnDecl = this.RULE('fnDecl', (): A.FnDecl => {
    const kw = this.CONSUME(L.Fn);
    const name = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected the function's name after 'fn'") });
    const params = this.SUBRULE(this.nameList, { ARGS: ['function'] });
    this.CONSUME(L.Equals, { ERR_MSG: m('E0102', "expected '=' after the function's parameters") });
    const body = this.SUBRULE(this.expr);
    return this.ACTION(() => ({
      kind: 'Fn',
      name: this.ident(name),
      params: params.map((p) => this.ident(p)),
      body,
      span: this.from(kw),
    }));
  });

  private layerDecl = this.RULE('layerDecl', (): A.LayerDecl => {
    const kw = this.CONSUME(L.Layer);
    const name = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected the layer's name after 'layer'") });
    let params: IToken[] = [];
    this.OPTION(() => {
      params = this.SUBRULE(this.nameList, { ARGS: ['layer'] });
    });
    this.CONSUME(L.Equals, { ERR_MSG: m('E0102', "expected '=' after the layer's name or parameters") });
    const body = this.SUBRULE(this.expr);
    return this.ACTION(() => ({
      kind: 'Layer',
      name: this.ident(name),
      params: params.map((p) => this.ident(p)),
      body,
      span: this.from(kw),
    }));
  });

  private modelDecl = this.RULE('modelDecl', (): A.ModelDecl => {
    const kw = this.CONSUME(L.Model);
    const name = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected the model's name after 'model'") });
    this.CONSUME(L.LParen, { ERR_MSG: m('E0102', "expected '(' and the input's name after the model's name", 'e.g. model net(x) = x |> dense(10)') });
    const input = this.CONSUME2(L.Identifier, { ERR_MSG: m('E0104', "expected the name of the model's input") });
    this.CONSUME(L.RParen, { ERR_MSG: m('E0107', "expected ')' after the model's input: a model has exactly one input") });
    this.CONSUME(L.Equals, { ERR_MSG: m('E0102', "expected '=' after the model's input") });
    const body = this.SUBRULE(this.expr);
    return this.ACTION(() => ({ kind: 'Model', name: this.ident(name), input: this.ident(input), body, span: this.from(kw) }));
  });

  private readonly namedKwAlts: IOrAlt<IToken>[] = [
    { ALT: () => this.CONSUME(L.Loss) },
    { ALT: () => this.CONSUME(L.Metric) },
    { ALT: () => this.CONSUME(L.Figure) },
  ];

  /** `loss`, `metric` and `figure` share one shape: KEYWORD NAME '=' expr. */
  private namedExprDecl = this.RULE('namedExprDecl', (): A.LossDecl | A.MetricDecl | A.FigureDecl => {
    const kw = this.OR(this.namedKwAlts);
    const name = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected a name after '{prev}'") });
    this.CONSUME(L.Equals, { ERR_MSG: m('E0102', "expected '=' after the name") });
    const body = this.SUBRULE(this.expr);
    return this.ACTION(() => {
      const kind = kw.tokenType === L.Loss ? 'Loss' : kw.tokenType === L.Metric ? 'Metric' : 'Figure';
      return { kind, name: this.ident(name), body, span: this.from(kw) };
    });
  });

  private updateDecl = this.RULE('updateDecl', (): A.UpdateDecl => {
    const kw = this.CONSUME(L.Update);
    const target = this.SUBRULE(this.expr);
    this.CONSUME(L.By, { ERR_MSG: m('E0108', "expected 'by' and an optimizer after the update target", UPDATE_SHAPE) });
    const optimizer = this.SUBRULE2(this.expr);
    this.CONSUME(L.On, { ERR_MSG: m('E0108', "expected 'on' and a loss after the optimizer", UPDATE_SHAPE) });
    const loss = this.SUBRULE3(this.expr);
    const clauses: A.UpdateClause[] = [];
    this.MANY(
      this.gated(
        // `every 1 epoch:` on the next line is a population schedule, not a clause of this rule.
        () => !(this.LA(1).tokenType === L.Every && this.LA(4).tokenType === L.Colon),
        () => clauses.push(this.SUBRULE(this.updateClause)),
      ),
    );
    return this.ACTION(() => ({ kind: 'Update', target, optimizer, loss, clauses, span: this.from(kw) }));
  });

  private readonly updateClauseAlts: IOrAlt<A.UpdateClause>[] = [
      {
        ALT: () => {
          const k = this.CONSUME(L.Every);
          const every = this.SUBRULE(this.duration);
          return this.ACTION((): A.UpdateClause => ({ kind: 'Every', every, span: this.from(k) }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(L.From);
          const at = this.SUBRULE(this.duration2);
          return this.ACTION((): A.UpdateClause => ({ kind: 'From', at, span: this.from(k) }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(L.Until);
          const at = this.SUBRULE2(this.duration2);
          return this.ACTION((): A.UpdateClause => ({ kind: 'Until', at, span: this.from(k) }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(L.Batch);
          const n = this.CONSUME(L.NumberTok, { ERR_MSG: m('E0105', "expected a batch size after 'batch'") });
          return this.ACTION((): A.UpdateClause => ({ kind: 'Batch', size: this.int(n, 'a batch size'), span: this.from(k) }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(L.Along);
          const direction = this.SUBRULE(this.expr);
          return this.ACTION((): A.UpdateClause => ({ kind: 'Along', direction, span: this.from(k) }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(L.Orthogonal);
          this.CONSUME(L.To, { ERR_MSG: m('E0102', "expected 'to' after 'orthogonal'") });
          const direction = this.SUBRULE2(this.expr);
          return this.ACTION((): A.UpdateClause => ({ kind: 'OrthogonalTo', direction, span: this.from(k) }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(L.Allow);
          const what = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected a split's name after 'allow'") });
          return this.ACTION((): A.UpdateClause => ({ kind: 'Allow', what: this.ident(what), span: this.from(k) }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(L.Through);
          const loss = this.CONSUME2(L.Identifier, { ERR_MSG: m('E0104', "expected a loss's name after 'through'") });
          // `through fit(solver: "neumann")`, `through fit for 5 steps`, `through fit(order: 1) for 1 step`
          const options = this.OPTION7(() => {
            this.CONSUME7(L.LParen);
            const a = this.SUBRULE7(this.args);
            this.CONSUME7(L.RParen, { ERR_MSG: m('E0103', "expected ')' after the options of 'through'") });
            return a;
          });
          const steps = this.OPTION8(() => {
            this.CONSUME7(L.For);
            return this.SUBRULE8(this.duration);
          });
          return this.ACTION((): A.UpdateClause => ({
            kind: 'Through',
            loss: this.ident(loss),
            ...(options !== undefined ? { options } : {}),
            ...(steps !== undefined ? { steps } : {}),
            span: this.from(k),
          }));
        },
      },
  ];

  private updateClause = this.RULE('updateClause', (): A.UpdateClause => this.OR(this.updateClauseAlts));

  private freezeDecl = this.RULE('freezeDecl', (): A.FreezeDecl => {
    const kw = this.CONSUME(L.Freeze);
    const target = this.SUBRULE(this.expr);
    return this.ACTION(() => ({ kind: 'Freeze', target, span: this.from(kw) }));
  });

  private partitionDecl = this.RULE('partitionDecl', (): A.PartitionDecl => {
    const kw = this.CONSUME(L.Partition);
    const name = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected a name after 'partition'") });
    this.CONSUME(L.Equals, { ERR_MSG: m('E0102', "expected '=' after the partition's name") });
    const target = this.SUBRULE(this.expr);
    return this.ACTION(() => ({ kind: 'Partition', name: this.ident(name), target, span: this.from(kw) }));
  });

  private runDecl = this.RULE('runDecl', (): A.RunDecl => {
    const kw = this.CONSUME(L.Run);
    const length = this.SUBRULE(this.duration);
    let batch: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(L.Batch);
      batch = this.CONSUME(L.NumberTok, { ERR_MSG: m('E0105', "expected a batch size after 'batch'") });
    });
    let on: { kw: IToken; event: IToken; action: IToken } | undefined;
    this.OPTION2(() => {
      const onKw = this.CONSUME(L.On);
      const event = this.CONSUME2(L.Identifier, { ERR_MSG: m('E0104', "expected 'divergence' after 'on'", 'e.g. run 100 epochs on divergence continue') });
      const action = this.CONSUME3(L.Identifier, { ERR_MSG: m('E0104', "expected 'continue' or 'stop' after 'on divergence'") });
      on = { kw: onKw, event, action };
    });
    return this.ACTION(() => {
      const base = { kind: 'Run' as const, length, span: this.from(kw) };
      const withBatch = batch === undefined ? base : { ...base, batch: this.int(batch, 'a batch size') };
      if (on === undefined) return withBatch;
      const clause = { event: this.ident(on.event), action: this.ident(on.action), span: spanUnion(this.sp(on.kw), this.sp(on.action)) };
      return { ...withBatch, on: clause };
    });
  });

  private reportDecl = this.RULE('reportDecl', (): A.ReportDecl => {
    const kw = this.CONSUME(L.Report);
    this.CONSUME(L.Every, { ERR_MSG: m('E0102', "expected 'every' after 'report'", 'e.g. report every 100 steps: fit, gen') });
    const n = this.CONSUME(L.NumberTok, { ERR_MSG: m('E0105', "expected a number after 'every'") });
    let unit: A.TimeUnit = 'steps';
    let unitTok: IToken | undefined;
    this.OPTION(() => {
      unitTok = this.SUBRULE(this.unit);
    });
    this.CONSUME(L.Colon, { ERR_MSG: m('E0102', "expected ':' before the reported values", 'e.g. report every 100 steps: fit, gen') });
    const items: A.ReportItem[] = [this.SUBRULE(this.reportItem)];
    this.MANY(() => {
      this.CONSUME(L.Comma);
      items.push(this.SUBRULE2(this.reportItem));
    });
    return this.ACTION(() => {
      if (unitTok !== undefined) unit = unitOf(unitTok);
      const amount = this.num(n);
      const every: A.Duration = { amount, unit, span: unitTok === undefined ? amount.span : spanUnion(amount.span, this.sp(unitTok)) };
      return { kind: 'Report', every, items, span: this.from(kw) };
    });
  });

  private reportItem = this.RULE('reportItem', (): A.ReportItem => {
    const name = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected the name of a reported value after '{prev}'") });
    let value: A.Expr | undefined;
    this.OPTION(() => {
      this.CONSUME(L.Equals);
      value = this.SUBRULE(this.expr);
    });
    return this.ACTION(() => {
      const base = { name: this.ident(name), span: this.from(name) };
      return value === undefined ? base : { ...base, value };
    });
  });

  private phaseDecl = this.RULE('phaseDecl', (): A.Decl[] => {
    const kw = this.CONSUME(L.Phase);
    return this.SUBRULE(this.phaseRest, { ARGS: [kw] });
  });

  /** Everything after `phase`; `then phase ...` recurses, and the chain comes back flattened. */
  private phaseRest = this.RULE('phaseRest', (kw: IToken): A.Decl[] => {
    const name = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected the phase's name after 'phase'") });
    let length: A.Duration | undefined;
    this.OPTION(() => {
      this.CONSUME(L.For);
      length = this.SUBRULE(this.duration);
    });
    const body = this.SUBRULE(this.block, { ARGS: ['phase'] });
    const phase = this.ACTION((): A.PhaseDecl => {
      const base = { kind: 'Phase' as const, name: this.ident(name), body, span: this.from(kw) };
      return length === undefined ? base : { ...base, length };
    });
    let rest: A.Decl[] = [];
    this.OPTION2(() => {
      this.CONSUME(L.Then);
      const next = this.CONSUME(L.Phase, { ERR_MSG: m('E0102', "expected 'phase' after 'then'", 'e.g. phase fit { ... } then phase calibrate { ... }') });
      rest = this.SUBRULE(this.phaseRest, { ARGS: [next] });
    });
    return this.ACTION(() => [phase, ...rest]);
  });

  private readonly exploitDirAlts: IOrAlt<IToken>[] = [{ ALT: () => this.CONSUME2(L.Lowest) }, { ALT: () => this.CONSUME2(L.Highest) }];

  private readonly selectDirAlts: OrMethodOpts<IToken> = {
    DEF: [{ ALT: () => this.CONSUME(L.Lowest) }, { ALT: () => this.CONSUME(L.Highest) }, { ALT: () => this.CONSUME3(L.Identifier) }],
    ERR_MSG: m('E0102', "expected 'lowest', 'highest' or 'best K by' after 'select'"),
  };

  private readonly bestDirAlts: OrMethodOpts<IToken> = {
    DEF: [{ ALT: () => this.CONSUME2(L.Lowest) }, { ALT: () => this.CONSUME2(L.Highest) }],
    ERR_MSG: m('E0102', "expected 'lowest' or 'highest' after 'by'", 'e.g. select best 5 by lowest gen'),
  };

  private sweepDecl = this.RULE('sweepDecl', (): A.SweepDecl => {
    const kw = this.CONSUME(L.Sweep);
    const variable = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected the swept variable's name after 'sweep'") });
    this.CONSUME(L.In, { ERR_MSG: m('E0102', "expected 'in' and the values after the swept variable", 'e.g. sweep lam in logspace(-3, 1, 20) { ... }') });
    const values = this.SUBRULE(this.expr);
    const body = this.SUBRULE(this.block, { ARGS: ['sweep'] });
    let select: A.SweepSelect | undefined;
    this.OPTION(() => {
      const s = this.CONSUME(L.Select);
      let dir = this.OR(this.selectDirAlts);
      // `best` is a word, not a keyword: `select best 5 by lowest gen [as top]`
      let best: IToken | undefined;
      let bestWord: IToken | undefined;
      this.OPTION3(() => {
        best = this.CONSUME(L.NumberTok, { ERR_MSG: m('E0105', "expected how many members after 'best'", 'e.g. select best 5 by lowest gen') });
        this.CONSUME(L.By, { ERR_MSG: m('E0102', "expected 'by' after the number of members", 'e.g. select best 5 by lowest gen') });
        bestWord = dir;
        dir = this.OR2(this.bestDirAlts);
      });
      const metric = this.CONSUME2(L.Identifier, { ERR_MSG: m('E0104', "expected a metric's name after '{prev}'") });
      let alias: IToken | undefined;
      this.OPTION4(() => {
        this.CONSUME(L.As);
        alias = this.CONSUME4(L.Identifier, { ERR_MSG: m('E0104', "expected a name for the selected members' ensemble after 'as'", 'e.g. select best 5 by lowest gen as top') });
      });
      this.ACTION(() => {
        const word = bestWord ?? dir;
        if (word.tokenType === L.Identifier && (word.image !== 'best' || best === undefined)) {
          this.extra.push(error('E0102', `expected 'lowest', 'highest' or 'best K by' after 'select', got '${word.image}'`, this.sp(word), 'e.g. select lowest gen, or select best 5 by lowest gen'));
        }
        select = {
          direction: dir.tokenType === L.Highest ? 'highest' : 'lowest',
          metric: this.ident(metric),
          span: this.from(s),
          ...(best !== undefined ? { best: this.int(best, 'the number of selected members') } : {}),
          ...(alias !== undefined ? { alias: this.ident(alias) } : {}),
        };
      });
    });
    return this.ACTION(() => {
      const base = { kind: 'Sweep' as const, variable: this.ident(variable), values, body, span: this.from(kw) };
      return select === undefined ? base : { ...base, select };
    });
  });

  private ensembleDecl = this.RULE('ensembleDecl', (): A.EnsembleDecl => {
    const kw = this.CONSUME(L.Ensemble);
    const n = this.CONSUME(L.NumberTok, { ERR_MSG: m('E0105', "expected the number of members after 'ensemble'") });
    let alias: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(L.As);
      alias = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected a name after 'as'") });
    });
    const body = this.SUBRULE(this.block, { ARGS: ['ensemble'] });
    return this.ACTION(() => {
      const base = { kind: 'Ensemble' as const, size: this.int(n, 'the number of members'), body, span: this.from(kw) };
      return alias === undefined ? base : { ...base, alias: this.ident(alias) };
    });
  });

  private populationDecl = this.RULE('populationDecl', (): A.PopulationDecl => {
    const kw = this.CONSUME(L.Population);
    const n = this.CONSUME(L.NumberTok, { ERR_MSG: m('E0105', "expected the number of members after 'population'") });
    const body = this.SUBRULE(this.block, { ARGS: ['population'] });
    return this.ACTION(() => ({ kind: 'Population', size: this.int(n, 'the number of members'), body, span: this.from(kw) }));
  });

  private everyDecl = this.RULE('everyDecl', (): A.EveryDecl => {
    const kw = this.CONSUME(L.Every);
    const every = this.SUBRULE(this.duration);
    this.CONSUME(L.Colon, { ERR_MSG: m('E0102', "expected ':' and the actions after the schedule", 'e.g. every 1 epoch: exploit truncation(0.2) by highest acc, explore perturb(0.8, 1.2)') });
    const actions: A.PopulationAction[] = [this.SUBRULE(this.action)];
    this.MANY(() => {
      this.CONSUME(L.Comma);
      actions.push(this.SUBRULE2(this.action));
    });
    return this.ACTION(() => ({ kind: 'EveryDecl', every, actions, span: this.from(kw) }));
  });

  private readonly actionAlts: OrMethodOpts<A.PopulationAction> = { DEF: [
        {
          ALT: () => {
            const k = this.CONSUME(L.Exploit);
            const strategy = this.SUBRULE(this.expr);
            this.CONSUME(L.By, { ERR_MSG: m('E0102', "expected 'by' and a metric after the exploit strategy") });
            // Optional here so that a missing direction gets the compiler's hint (E0520), not a parse error.
            const dir = this.OPTION(() => this.OR2(this.exploitDirAlts));
            const by = this.SUBRULE2(this.expr);
            return this.ACTION((): A.PopulationAction => ({
              kind: 'Exploit',
              strategy,
              ...(dir === undefined ? {} : { direction: dir.tokenType === L.Lowest ? 'lowest' : 'highest' }),
              by,
              span: this.from(k),
            }));
          },
        },
        {
          ALT: () => {
            const k = this.CONSUME(L.Explore);
            const strategy = this.SUBRULE3(this.expr);
            return this.ACTION((): A.PopulationAction => ({ kind: 'Explore', strategy, span: this.from(k) }));
          },
        },
      ], ERR_MSG: m('E0102', "expected 'exploit' or 'explore' after '{prev}'") };

  private action = this.RULE('action', (): A.PopulationAction => this.OR(this.actionAlts));

  private readonly unitAlts: IOrAlt<IToken>[] = unitTokens.map((t) => ({ ALT: () => this.CONSUME(t) }));
  private readonly unitOpts: OrMethodOpts<IToken> = {
    DEF: this.unitAlts,
    ERR_MSG: m('E0106', "expected 'steps' or 'epochs' after '{prev}'", UNIT_HINT),
  };
  private readonly unitFirstOpts: OrMethodOpts<IToken> = {
    DEF: this.unitAlts,
    ERR_MSG: m('E0106', "expected 'step' or 'epoch' and a number after '{prev}'", UNIT_HINT),
  };

  private unit = this.RULE('unit', (): IToken => this.OR(this.unitOpts));

  /** `30 steps` */
  private duration = this.RULE('duration', (): A.Duration => {
    const n = this.CONSUME(L.NumberTok, { ERR_MSG: m('E0106', "expected a number of steps or epochs after '{prev}'", UNIT_HINT) });
    const u = this.SUBRULE(this.unit);
    return this.ACTION(() => ({ amount: this.num(n), unit: unitOf(u), span: this.from(n) }));
  });

  /** `step 3000` */
  private duration2 = this.RULE('duration2', (): A.Duration => {
    const u = this.OR(this.unitFirstOpts);
    const n = this.CONSUME(L.NumberTok, { ERR_MSG: m('E0106', "expected a number after '{prev}'", UNIT_HINT) });
    return this.ACTION(() => ({ amount: this.num(n), unit: unitOf(u), span: this.from(u) }));
  });

  // -------------------------------------------------------------------------------------------
  // Expressions
  // -------------------------------------------------------------------------------------------

  private expr = this.RULE(
    'expr',
    (): A.Expr => {
      const body = this.SUBRULE(this.pipe);
      let over: { split: IToken; batch?: IToken } | undefined;
      this.OPTION(() => {
        this.CONSUME(L.Over);
        const split = this.CONSUME(L.Identifier, { ERR_MSG: m('E0104', "expected a split's name after 'over'") });
        over = { split };
        this.OPTION2(() => {
          this.CONSUME(L.Batch);
          const b = this.CONSUME(L.NumberTok, { ERR_MSG: m('E0105', "expected a batch size after 'batch'") });
          over = { split, batch: b };
        });
      });
      return this.ACTION((): A.Expr => {
        if (over === undefined) return body;
        const base = { kind: 'Over' as const, body, split: this.ident(over.split), span: this.from(body.span) };
        return over.batch === undefined ? base : { ...base, batch: this.int(over.batch, 'a batch size') };
      });
    },
    { recoveryValueFunc: () => this.errorExpr() },
  );

  private pipe = this.RULE(
    'pipe',
    (): A.Expr => {
      const stages: A.Expr[] = [this.SUBRULE(this.additive)];
      this.MANY(() => {
        this.CONSUME(L.PipeOp);
        stages.push(this.SUBRULE2(this.additive));
      });
      return this.ACTION((): A.Expr => {
        const first = stages[0];
        const last = stages[stages.length - 1];
        if (stages.length === 1 && first !== undefined) return first;
        return { kind: 'Pipe', stages, span: first && last ? spanUnion(first.span, last.span) : this.endOfPrev() };
      });
    },
    { recoveryValueFunc: () => this.errorExpr() },
  );

  private binaryLevel(
    name: string,
    ops: readonly TokenType[],
    next: () => A.Expr,
    next2: () => A.Expr,
  ): () => A.Expr {
    const alts: IOrAlt<IToken>[] = ops.map((t) => ({ ALT: () => this.CONSUME(t) }));
    return () => {
      let left = next();
      this.MANY(() => {
        const op = this.OR(alts);
        const right = next2();
        this.ACTION(() => {
          left = { kind: 'Binary', op: op.image as A.BinaryOp, left, right, span: spanUnion(left.span, right.span) };
        });
      });
      void name;
      return left;
    };
  }

  private additive = this.RULE(
    'additive',
    this.binaryLevel('additive', [L.Plus, L.Minus], () => this.SUBRULE(this.mult), () => this.SUBRULE2(this.mult)),
    { recoveryValueFunc: () => this.errorExpr() },
  );

  private mult = this.RULE(
    'mult',
    this.binaryLevel('mult', [L.Star, L.Slash], () => this.SUBRULE(this.matmul), () => this.SUBRULE2(this.matmul)),
    { recoveryValueFunc: () => this.errorExpr() },
  );

  private matmul = this.RULE(
    'matmul',
    this.binaryLevel('matmul', [L.At], () => this.SUBRULE(this.unary), () => this.SUBRULE2(this.unary)),
    { recoveryValueFunc: () => this.errorExpr() },
  );

  private readonly signAlts: IOrAlt<IToken>[] = [{ ALT: () => this.CONSUME(L.Minus) }, { ALT: () => this.CONSUME(L.Plus) }];
  private readonly unaryAlts: OrMethodOpts<A.Expr> = { DEF: [
        {
          ALT: () => {
            const op = this.OR2(this.signAlts);
            const operand = this.SUBRULE(this.unary);
            return this.ACTION((): A.Expr => ({
              kind: 'Unary',
              op: op.image as A.UnaryOp,
              operand,
              span: spanUnion(this.sp(op), operand.span),
            }));
          },
        },
        {
          GATE: () => this.LA(2).tokenType === L.LBracket,
          ALT: () => {
            const k = this.CONSUME(L.Mean);
            this.CONSUME(L.LBracket);
            const samples = this.SUBRULE(this.expr);
            this.CONSUME(L.RBracket, { ERR_MSG: m('E0107', "expected ']' after the number of samples in 'mean[...]'") });
            const body = this.SUBRULE2(this.unary);
            return this.ACTION((): A.Expr => ({ kind: 'Mean', samples, body, span: spanUnion(this.sp(k), body.span) }));
          },
        },
        {
          ALT: () => {
            const k = this.CONSUME(L.Deterministic);
            const body = this.SUBRULE3(this.unary);
            return this.ACTION((): A.Expr => ({ kind: 'Deterministic', body, span: spanUnion(this.sp(k), body.span) }));
          },
        },
        { ALT: () => this.SUBRULE(this.power) },
      ], ERR_MSG: m('E0103', "expected an expression after '{prev}'") };

  private unary = this.RULE('unary', (): A.Expr => this.OR(this.unaryAlts), { recoveryValueFunc: () => this.errorExpr() });

  private power = this.RULE(
    'power',
    (): A.Expr => {
      const base = this.SUBRULE(this.postfix);
      let exponent: A.Expr | undefined;
      this.OPTION(() => {
        this.CONSUME(L.Caret);
        exponent = this.SUBRULE(this.unary);
      });
      return this.ACTION((): A.Expr =>
        exponent === undefined
          ? base
          : { kind: 'Binary', op: '^', left: base, right: exponent, span: spanUnion(base.span, exponent.span) },
      );
    },
    { recoveryValueFunc: () => this.errorExpr() },
  );

  private readonly suffixAlts: IOrAlt<Suffix>[] = [
    {
      ALT: () => {
        this.CONSUME(L.LParen);
        const args = this.SUBRULE(this.args);
        this.CONSUME(L.RParen, ERR_ARG_END);
        return { args };
      },
    },
    {
      ALT: () => {
        this.CONSUME(L.Dot);
        return { property: this.CONSUME(L.NameLike, { ERR_MSG: m('E0104', "expected a name after '.'") }) };
      },
    },
  ];

  private postfix = this.RULE(
    'postfix',
    (): A.Expr => {
      let e = this.SUBRULE(this.primary);
      this.MANY(() => {
        const suffix = this.OR(this.suffixAlts);
        this.ACTION(() => {
          e =
            'args' in suffix
              ? { kind: 'Call', callee: e, args: suffix.args, span: this.from(e.span) }
              : { kind: 'Member', object: e, property: this.ident(suffix.property), span: this.from(e.span) };
        });
      });
      return e;
    },
    { recoveryValueFunc: () => this.errorExpr() },
  );

  /** Possibly empty, with an optional trailing comma; the caller consumes the closing bracket. */
  private args = this.RULE(
    'args',
    (): A.Argument[] => {
      const out: A.Argument[] = [];
      this.OPTION(() => {
        out.push(this.SUBRULE(this.arg));
        this.MANY(
          this.gated(this.notRParen2, () => {
            this.CONSUME(L.Comma);
            out.push(this.SUBRULE2(this.arg));
          }),
        );
        this.OPTION2(() => this.CONSUME2(L.Comma));
      });
      return out;
    },
    { recoveryValueFunc: () => [] },
  );

  private readonly argAlts: OrMethodOpts<A.Argument> = { ERR_MSG: m('E0103', "expected an argument after '{prev}'"), DEF: [
      {
        ALT: () => {
          const name = this.CONSUME(L.NameLike);
          this.CONSUME(L.Colon);
          const value = this.SUBRULE(this.expr);
          return this.ACTION((): A.Argument => ({ name: this.ident(name), value, span: this.from(name) }));
        },
      },
      {
        ALT: () => {
          const value = this.SUBRULE2(this.expr);
          return this.ACTION((): A.Argument => ({ value, span: value.span }));
        },
      },
    ] };

  private arg = this.RULE('arg', (): A.Argument => this.OR(this.argAlts));

  private readonly boolAlts: IOrAlt<IToken>[] = [{ ALT: () => this.CONSUME(L.True) }, { ALT: () => this.CONSUME(L.False) }];
  private readonly primaryAlts: OrMethodOpts<A.Expr> = { DEF: [
          {
            ALT: () => {
              const n = this.CONSUME(L.NumberTok);
              return this.ACTION((): A.Expr => this.num(n));
            },
          },
          {
            ALT: () => {
              const s = this.CONSUME(L.StringTok);
              return this.ACTION((): A.Expr => ({ kind: 'String', value: L.unescapeString(s, this.file).value, span: this.sp(s) }));
            },
          },
          {
            ALT: () => {
              const t = this.OR2(this.boolAlts);
              return this.ACTION((): A.Expr => ({ kind: 'Bool', value: t.tokenType === L.True, span: this.sp(t) }));
            },
          },
          {
            ALT: () => {
              const id = this.CONSUME(L.Identifier);
              return this.ACTION((): A.Expr => ({ kind: 'Name', name: id.image, span: this.sp(id) }));
            },
          },
          {
            ALT: () => {
              const open = this.CONSUME(L.LParen);
              const inner = this.SUBRULE(this.expr);
              this.CONSUME(L.RParen, { ERR_MSG: m('E0107', "expected ')' to close the '(' of this expression") });
              // The parentheses belong to the span so that errors underline what the user grouped.
              return this.ACTION((): A.Expr => ({ ...inner, span: this.from(open) }));
            },
          },
          {
            ALT: () => {
              const open = this.CONSUME(L.LBracket);
              const items: A.Expr[] = [];
              this.OPTION(() => {
                items.push(this.SUBRULE2(this.expr));
                this.MANY(
                  this.gated(this.notRBracket2, () => {
                    this.CONSUME(L.Comma);
                    items.push(this.SUBRULE3(this.expr));
                  }),
                );
                this.OPTION2(() => this.CONSUME2(L.Comma));
              });
              this.CONSUME(L.RBracket, { ERR_MSG: m('E0107', "expected ',' or ']' after the list item") });
              return this.ACTION((): A.Expr => ({ kind: 'List', items, span: this.from(open) }));
            },
          },
          {
            ALT: () => {
              const k = this.CONSUME(L.Mean);
              this.CONSUME2(L.LParen, { ERR_MSG: m('E0102', "expected '(' or '[' after 'mean'", "mean[K] e averages K draws; mean(x) is the function") });
              const args = this.SUBRULE(this.args);
              this.CONSUME2(L.RParen, ERR_ARG_END);
              return this.ACTION((): A.Expr => ({
                kind: 'Call',
                callee: { kind: 'Name', name: 'mean', span: this.sp(k) },
                args,
                span: this.from(k),
              }));
            },
          },
        ], ERR_MSG: m('E0103', "expected an expression after '{prev}'") };

  private primary = this.RULE('primary', (): A.Expr => this.OR(this.primaryAlts), { recoveryValueFunc: () => this.errorExpr() });
}

const unitOf = (tok: IToken): A.TimeUnit =>
  tok.tokenType === L.Epoch || tok.tokenType === L.Epochs ? 'epochs' : 'steps';
