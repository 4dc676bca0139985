import { type ServiceExceptionClass, throttlingError, timeoutError } from './fault-errors.js';
import {
  hasRetryMiddleware,
  middlewareStackOf,
  operationName,
  ownMiddleware,
  RETRY_MIDDLEWARE,
  type SdkClient,
  type SdkHandler,
  type SdkHandlerContext,
  type SdkInitializeArguments,
  type SdkMiddleware,
  type SdkRequestArguments,
  type SdkRequestOutput,
  stripCommandSuffix,
} from './sdk-middleware.js';
import { SimulatedCrash } from './simulated-crash.js';

/** One call seen by a fault plan: the operation and its input. */
export interface FaultCall {
  /** The operation name without the `Command` suffix: `PutRecord`. */
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * Which calls a rule applies to: an operation name (`'PutRecord'`; `'PutRecordCommand'` works
 * too), a list of them, or a predicate on the call.
 */
export type CommandMatcher = string | readonly string[] | ((call: FaultCall) => boolean);

/** Fail before sending with the service's throttling error (see {@link throttlingError}). */
export interface ThrottleFault {
  readonly kind: 'throttle';
  /** Error name; default by client: `ProvisionedThroughputExceededException` for Kinesis and DynamoDB. */
  readonly name?: string;
  readonly message?: string;
  readonly httpStatusCode?: number;
  /** Throw an instance of this generated exception class instead of a look-alike. */
  readonly exception?: ServiceExceptionClass;
}

/** Fail before sending with a `TimeoutError` network error, after `afterMs` (default 0). */
export interface TimeoutFault {
  readonly kind: 'timeout';
  readonly afterMs?: number;
}

/** Hold the call for `delayMs`, then let it through (the caller's abort signal still works). */
export interface DelayFault {
  readonly kind: 'delay';
  readonly delayMs: number;
}

/** Throw {@link SimulatedCrash} without sending: "the process died before this call". */
export interface CrashBeforeFault {
  readonly kind: 'crashBefore';
}

/**
 * Send the call, let the service apply it, then throw {@link SimulatedCrash} instead of the
 * answer: "the process died after this call succeeded, before it saw the answer". If the call
 * failed, the crash is thrown all the same, with the failure as its `cause`.
 */
export interface CrashAfterFault {
  readonly kind: 'crashAfter';
}

/** Throw what `create` returns, before sending (default) or after the service answered. */
export interface ErrorFault {
  readonly kind: 'error';
  readonly create: (call: FaultCall) => unknown;
  readonly when?: 'before' | 'after';
}

/** What a rule does to a call it applies to; a string is the fault with default options. */
export type Fault =
  | 'throttle'
  | 'timeout'
  | 'crashBefore'
  | 'crashAfter'
  | ThrottleFault
  | TimeoutFault
  | DelayFault
  | CrashBeforeFault
  | CrashAfterFault
  | ErrorFault;

/** One rule of a {@link FaultPlan}. */
export interface FaultRule {
  readonly commands: CommandMatcher;
  readonly fault: Fault;
  /** Let this many matching calls through before the first fault (default 0). */
  readonly skip?: number;
  /** How many matching calls to fault (default 1; `Infinity` for all of them). */
  readonly times?: number;
}

/**
 * The rules of {@link injectFaults}. Each rule counts the calls it matches, whether or not another
 * rule faulted them. A rule is due once it has let `skip` matching calls pass and has injected
 * fewer than `times` faults. On each call the first due rule, in plan order, fires; a due rule
 * that did not fire stays due for the next matching call.
 *
 * @example
 * ```ts
 * const plan: FaultPlan = [
 *   { commands: 'PutRecords', fault: 'throttle', times: 2 }, // the first two calls
 *   { commands: 'PutRecords', fault: 'crashAfter', skip: 3 }, // then the 4th matching call
 * ];
 * const faults = injectFaults(kinesis, plan);
 * ```
 */
export type FaultPlan = readonly FaultRule[];

/**
 * Where the faults sit relative to the SDK's own retry loop.
 * - `outside-retries` (default): around the whole `client.send`. Every fault reaches the code
 *   under test exactly as planned (a throttle is not retried by the SDK); a call is one `send`.
 * - `inside-retries`: around each HTTP attempt, just before it goes on the wire (after signing).
 *   The SDK's retry strategy sees throttles and timeouts and retries them (up to the client's
 *   `maxAttempts`, with its backoff); a call is one attempt. A {@link SimulatedCrash} still
 *   escapes the loop at once: the SDK does not retry it.
 */
export type FaultLayer = 'outside-retries' | 'inside-retries';

/** Options of {@link injectFaults}. */
export interface InjectFaultsOptions {
  readonly layer?: FaultLayer;
}

/** What happened to one call: let through, or the fault injected. */
export type FaultOutcome =
  | 'passed'
  | 'throttle'
  | 'timeout'
  | 'delay'
  | 'crashBefore'
  | 'crashAfter'
  | 'error';

/** One call in {@link FaultController.history}. */
export interface FaultEvent extends FaultCall {
  readonly outcome: FaultOutcome;
  /** Index in the plan of the rule that fired; absent when the call passed untouched. */
  readonly rule?: number;
}

/**
 * Returned by {@link injectFaults}: observes the plan and takes it away.
 *
 * @example
 * ```ts
 * const faults: FaultController = injectFaults(dynamodb, [{ commands: 'UpdateItem', fault: 'timeout' }]);
 * await store.append('order-1', 0, events).catch(() => {});
 * expect(faults.done()).toBe(true);
 * expect(faults.faults('UpdateItem')).toBe(1);
 * faults.remove();
 * ```
 */
export interface FaultController {
  /** Calls seen (of `command` if given), faulted or not: `send`s, or attempts inside retries. */
  calls(command?: string): number;
  /** Faults injected (into `command` if given); a `delay` counts as one. */
  faults(command?: string): number;
  /** Every call seen, in the order calls started; a live, read-only view. */
  readonly history: readonly FaultEvent[];
  /** Whether every rule with a finite `times` has injected all its faults. */
  done(): boolean;
  /** Removes the middleware: later calls (and calls in flight) pass untouched. Idempotent. */
  remove(): void;
}

type NormalizedFault = Exclude<Fault, string>;

interface RuleState {
  readonly index: number;
  readonly matches: (call: FaultCall) => boolean;
  readonly fault: NormalizedFault;
  readonly skip: number;
  readonly times: number;
  seen: number;
  fired: number;
}

const toMatcher = (commands: CommandMatcher): ((call: FaultCall) => boolean) => {
  if (typeof commands === 'function') return commands;
  const names = new Set(
    (typeof commands === 'string' ? [commands] : commands).map(stripCommandSuffix),
  );
  return (call) => names.has(call.command);
};

const checkCount = (value: number, what: string, allowInfinity: boolean): number => {
  const valid =
    (Number.isInteger(value) && value >= 0) ||
    (allowInfinity && value === Number.POSITIVE_INFINITY);
  if (!valid) {
    throw new RangeError(
      `injectFaults: ${what} must be a whole number >= 0${allowInfinity ? ' or Infinity' : ''}, got ${value}`,
    );
  }
  return value;
};

const toRuleState = (rule: FaultRule, index: number): RuleState => {
  const fault: NormalizedFault = typeof rule.fault === 'string' ? { kind: rule.fault } : rule.fault;
  if (fault.kind === 'delay') checkCount(fault.delayMs, `rule ${index} delayMs`, false);
  if (fault.kind === 'timeout' && fault.afterMs !== undefined) {
    checkCount(fault.afterMs, `rule ${index} afterMs`, false);
  }
  return {
    index,
    matches: toMatcher(rule.commands),
    fault,
    skip: checkCount(rule.skip ?? 0, `rule ${index} skip`, false),
    times: checkCount(rule.times ?? 1, `rule ${index} times`, true),
    seen: 0,
    fired: 0,
  };
};

interface AbortSignalLike {
  readonly aborted?: boolean;
  addEventListener?(type: 'abort', listener: () => void, options?: { once: boolean }): void;
  removeEventListener?(type: 'abort', listener: () => void): void;
}

const abortError = () =>
  Object.assign(new Error('Request aborted while held by a delay fault'), { name: 'AbortError' });

// A real slow request rejects as soon as the caller aborts; so does a delayed one.
const sleep = (ms: number, signal: unknown): Promise<void> =>
  new Promise((resolve, reject) => {
    const abortable = (typeof signal === 'object' && signal !== null ? signal : undefined) as
      | AbortSignalLike
      | undefined;
    if (abortable?.aborted === true) {
      reject(abortError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      abortable?.removeEventListener?.('abort', onAbort);
      resolve();
    }, ms);
    abortable?.addEventListener?.('abort', onAbort, { once: true });
  });

// Both the initialize and the deserialize step resolve with the parsed output.
type ParsedOutput = { readonly output?: object };

const inject = async <Args, Output extends ParsedOutput>(
  fault: NormalizedFault,
  call: FaultCall,
  next: SdkHandler<Args, Output>,
  args: Args,
  context: SdkHandlerContext,
) => {
  switch (fault.kind) {
    case 'throttle':
      throw throttlingError({
        ...(fault.name === undefined ? {} : { name: fault.name }),
        ...(fault.message === undefined ? {} : { message: fault.message }),
        ...(fault.httpStatusCode === undefined ? {} : { httpStatusCode: fault.httpStatusCode }),
        ...(fault.exception === undefined ? {} : { exception: fault.exception }),
        ...(context.clientName === undefined ? {} : { clientName: context.clientName }),
        command: call.command,
      });
    case 'timeout':
      if (fault.afterMs !== undefined && fault.afterMs > 0) {
        await sleep(fault.afterMs, context.__smithy_context?.abortSignal);
      }
      throw timeoutError(call.command);
    case 'delay':
      await sleep(fault.delayMs, context.__smithy_context?.abortSignal);
      return next(args);
    case 'crashBefore':
      throw new SimulatedCrash({ command: call.command, phase: 'before' });
    case 'crashAfter': {
      let result: Output;
      try {
        result = await next(args);
      } catch (error) {
        throw new SimulatedCrash({ command: call.command, phase: 'after', cause: error });
      }
      throw new SimulatedCrash({ command: call.command, phase: 'after', output: result.output });
    }
    case 'error':
      if (fault.when === 'after') {
        // The service's answer, success or failure, is lost and replaced by the error.
        await next(args).catch(() => undefined);
      }
      throw fault.create(call);
  }
};

/**
 * Injects faults into a real AWS SDK v3 client by adding one middleware to
 * `client.middlewareStack`; every command the client sends from then on goes through it, until
 * `remove()`. Faults that happen "before sending" never reach the service; `crashAfter` and
 * `error` with `when: 'after'` let the service apply the call and then hide its answer. See
 * {@link FaultLayer} for where the middleware sits relative to the SDK's retries.
 *
 * Failure behaviour: throws `RangeError` at once for a malformed rule (negative `skip`, fractional
 * `times`, negative `delayMs`), and `Error` for a client created with `cacheMiddleware: true`
 * (middleware added later would not reach it) or, for `inside-retries`, a client whose stack has
 * no SDK retry middleware. Injected errors are thrown to the caller of `client.send`.
 *
 * @example
 * ```ts
 * const faults = injectFaults(kinesis, [
 *   { commands: 'PutRecord', fault: 'throttle', times: 2 },
 *   { commands: 'UpdateItem', skip: 1, fault: 'crashAfter' },
 * ]);
 * await store.append('order-1', 0, events); // retries through both throttles
 * expect(faults.history.map((e) => e.outcome)).toEqual(['throttle', 'throttle', 'passed']);
 * faults.remove();
 * ```
 */
export const injectFaults = (
  client: SdkClient,
  plan: FaultPlan,
  options: InjectFaultsOptions = {},
): FaultController => {
  const own = ownMiddleware(client, 'injectFaults', 'tributaryFaults');
  const layer = options.layer ?? 'outside-retries';
  const rules = plan.map(toRuleState);
  const history: FaultEvent[] = [];

  // Synchronous, so concurrent calls are counted in the order they start.
  const decide = (call: FaultCall): RuleState | undefined => {
    let chosen: RuleState | undefined;
    for (const rule of rules) {
      if (!rule.matches(call)) continue;
      rule.seen += 1;
      if (chosen === undefined && rule.seen > rule.skip && rule.fired < rule.times) {
        rule.fired += 1;
        chosen = rule;
      }
    }
    history.push(
      chosen === undefined
        ? { ...call, outcome: 'passed' }
        : { ...call, outcome: chosen.fault.kind, rule: chosen.index },
    );
    return chosen;
  };

  const middleware =
    <Args extends SdkInitializeArguments, Output extends ParsedOutput>(): SdkMiddleware<
      Args,
      Output
    > =>
    (next, context) =>
    async (args) => {
      if (own.removed) return next(args);
      const call: FaultCall = {
        command: operationName(context),
        input: args.input as Readonly<Record<string, unknown>>,
      };
      const rule = decide(call);
      if (rule === undefined) return next(args);
      return inject(rule.fault, call, next, args, context);
    };

  if (layer === 'outside-retries') {
    // First in the initialize step: outside everything the SDK does for a send.
    middlewareStackOf(client).add(middleware(), {
      step: 'initialize',
      priority: 'high',
      ...own.identity,
    });
  } else {
    if (!hasRetryMiddleware(client)) {
      throw new Error(
        `injectFaults: layer 'inside-retries' needs the SDK's ${RETRY_MIDDLEWARE}, which this client's stack lacks`,
      );
    }
    // First in the deserialize step: once per attempt, after signing, around the deserializer,
    // so `next` resolves with the parsed answer.
    middlewareStackOf(client).add(middleware<SdkRequestArguments, SdkRequestOutput>(), {
      step: 'deserialize',
      priority: 'high',
      ...own.identity,
    });
  }

  const count = (command: string | undefined, faultsOnly: boolean) => {
    const wanted = command === undefined ? undefined : stripCommandSuffix(command);
    return history.filter(
      (event) =>
        (wanted === undefined || event.command === wanted) &&
        (!faultsOnly || event.outcome !== 'passed'),
    ).length;
  };

  return {
    calls: (command) => count(command, false),
    faults: (command) => count(command, true),
    history,
    done: () =>
      rules.every((rule) => rule.times === Number.POSITIVE_INFINITY || rule.fired >= rule.times),
    remove: own.remove,
  };
};
