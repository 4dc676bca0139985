import type * as t from 'io-ts';
import type { Result } from 'neverthrow';
import { decodeWith } from './decode.js';
import type { ValidationError } from './errors.js';

/** A command: what someone asks an aggregate to do. */
export interface Command<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/** A command type: its name and the io-ts codec of its data. */
export interface CommandType<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly codec: t.Type<Data, unknown, unknown>;
  /** Creates a command from already typed data. */
  create(data: Data): Command<Type, Data>;
  /**
   * Decodes untrusted input (an HTTP body, a queue message) into a command. A failure is a
   * {@link ValidationError} listing every failing path; it never throws.
   */
  decode(input: unknown): Result<Command<Type, Data>, ValidationError>;
  /** Tells whether a command is of this type. */
  is<C extends Command>(command: C): command is Extract<C, Command<Type, Data>>;
}

/** Any command type, whatever its data; the constraint for lists of command types. */
// biome-ignore lint/suspicious/noExplicitAny: a codec is invariant in its data type, so only `any` admits every command type
export type AnyCommandType = CommandType<string, any>;

/** The command produced by a command type. */
export type CommandOf<T> =
  T extends CommandType<infer Type, infer Data> ? Command<Type, Data> : never;

/** The union of commands produced by a list of command types. */
export type CommandsOf<Types extends readonly AnyCommandType[]> = CommandOf<Types[number]>;

/**
 * Declares a command type.
 *
 * @example
 * ```ts
 * const ReserveStock = defineCommand('ReserveStock', t.type({ quantity: t.number }));
 * ReserveStock.decode({ quantity: 'two' });
 * // err(ValidationError): "invalid command ReserveStock: quantity: expected number, got \"two\""
 * ```
 */
export const defineCommand = <const Type extends string, Data>(
  type: Type,
  codec: t.Type<Data, unknown, unknown>,
): CommandType<Type, Data> => {
  const subject = `command ${type}`;
  return {
    type,
    codec,
    create: (data) => ({ type, data }),
    decode: (input) => decodeWith(codec, input, subject).map((data) => ({ type, data })),
    is: <C extends Command>(command: C): command is Extract<C, Command<Type, Data>> =>
      command.type === type,
  };
};
