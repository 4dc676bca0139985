/** When a {@link SimulatedCrash} happened relative to the AWS call it interrupted. */
export type CrashPhase = 'before' | 'after';

/** Options of the {@link SimulatedCrash} constructor. */
export interface SimulatedCrashOptions {
  /** The operation the process "died" around, without the `Command` suffix: `PutRecord`. */
  readonly command: string;
  readonly phase: CrashPhase;
  /** For `after`: the response the caller never saw (the call succeeded). */
  readonly output?: unknown;
  /** For `after`: the error the call failed with, which the caller never saw either. */
  readonly cause?: unknown;
}

// A registry symbol, so a crash thrown by the ESM build is recognised by the CJS build too.
const BRAND = Symbol.for('@tributary/testing/SimulatedCrash');

/**
 * The error a fault plan throws to stand for "the process died here". It is deliberately not an
 * AWS error: it has no `$fault`, no `$retryable`, no HTTP status and a name no retry classifier
 * knows, so neither the SDK's retry strategy nor an adapter's retry logic treats it as
 * retryable. Code under test should let it escape; the test then checks what was persisted.
 *
 * `phase: 'before'` means the request was never sent; `phase: 'after'` means the service applied
 * the request and the process died before it saw the answer (`output` holds that answer, or
 * `cause` the error the call failed with). The AWS SDK may add `$metadata.attempts` to it on its
 * way out of the retry loop; that does not make it an AWS error.
 *
 * `instanceof SimulatedCrash` also holds for a crash created by another copy of this package (the
 * ESM and the CJS build loaded side by side).
 *
 * @example
 * ```ts
 * await expect(store.append('order-1', 0, events)).rejects.toBeInstanceOf(SimulatedCrash);
 * ```
 */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
  readonly command: string;
  readonly phase: CrashPhase;
  readonly output: unknown;

  constructor(options: SimulatedCrashOptions) {
    super(
      options.phase === 'before'
        ? `Simulated crash before ${options.command} was sent (fault injected by @tributary/testing)`
        : `Simulated crash after ${options.command} reached the service, before its answer was seen (fault injected by @tributary/testing)`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.command = options.command;
    this.phase = options.phase;
    this.output = options.output;
    Object.defineProperty(this, BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && BRAND in value;
  }
}
