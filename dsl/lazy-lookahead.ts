/**
 * chevrotain's LL(k) lookahead, built for each decision (OR, OPTION, MANY, …) the first time the
 * parser reaches it rather than for the whole grammar when the parser is constructed. Building all
 * of them was ~40% of `xreg check` of a small program (bench/README.md, issue 10), and a program
 * reaches only part of the grammar. The function built is chevrotain's own, from the same
 * (finished) grammar, so every decision is the one the eager parser would make.
 */
import { LLkLookaheadStrategy, type ILookaheadStrategy, type IOrAlt } from 'chevrotain';

type OrAlts = IOrAlt<unknown>[] | undefined;

/** `eager`: the strategy that builds each function (the tests count what it is asked for). */
export const lazyLookahead = (maxLookahead: number, eager: ILookaheadStrategy = new LLkLookaheadStrategy({ maxLookahead })): ILookaheadStrategy => {
  return {
    validate: (options) => eager.validate(options),
    buildLookaheadForAlternation: (options) => {
      let built: ((orAlts?: OrAlts) => number | undefined) | undefined;
      return function (this: unknown, orAlts?: OrAlts): number | undefined {
        built ??= eager.buildLookaheadForAlternation(options);
        return built.call(this, orAlts);
      };
    },
    buildLookaheadForOptional: (options) => {
      let built: (() => boolean) | undefined;
      return function (this: unknown): boolean {
        built ??= eager.buildLookaheadForOptional(options);
        return built.call(this);
      };
    },
  };
};
