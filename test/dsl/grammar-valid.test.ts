/**
 * The CLI builds the lexer and the parser without chevrotain's validations (they cost more start-up
 * time than checking a program); these tests run them, so a grammar change that makes the grammar
 * ambiguous or a token pattern unusable still fails here.
 */
import { describe, expect, it } from 'vitest';
import { makeLexer } from '../../dsl/lexer.js';
import { XregParser } from '../../dsl/parser.js';

describe('grammar validations', () => {
  it('the token set passes chevrotain’s lexer validations', () => {
    expect(makeLexer({ validate: true }).lexerDefinitionErrors).toEqual([]);
  });

  it('the grammar passes chevrotain’s self-analysis validations', () => {
    expect(() => new XregParser({ validate: true })).not.toThrow();
  });
});
