// The slice of the AWS SDK v3 middleware stack this folder uses, typed structurally: the
// package has no dependency on @smithy/types, and any v3 client must fit.

/** What an `initialize` middleware receives: the command input. */
export interface SdkInitializeArguments {
  readonly input: object;
}

/** What an `initialize` middleware's `next` resolves with. */
export interface SdkInitializeOutput {
  readonly output: object;
}

/** What a middleware receives from the `finalizeRequest` step on: the serialised request too. */
export interface SdkRequestArguments extends SdkInitializeArguments {
  readonly request: unknown;
}

/**
 * What `next` resolves with from the `finalizeRequest` step on: the raw response, and the parsed
 * output once the deserializer has run (always, for a middleware placed outside it).
 */
export interface SdkRequestOutput {
  readonly output?: object;
  readonly response: unknown;
}

/** The per-call context the SDK hands every middleware (only the fields read here). */
export interface SdkHandlerContext {
  readonly clientName?: string;
  readonly commandName?: string;
  readonly __smithy_context?: {
    readonly operation?: string;
    readonly abortSignal?: unknown;
  };
}

/** The rest of the stack, as a middleware sees it. */
export type SdkHandler<Args, Output> = (args: Args) => Promise<Output>;

/** An SDK middleware: wraps the rest of the stack once per `send` (per attempt after retries). */
export type SdkMiddleware<Args, Output> = (
  next: SdkHandler<Args, Output>,
  context: SdkHandlerContext,
) => SdkHandler<Args, Output>;

/** A middleware for the `initialize` step: once per `send`. */
export type SdkInitializeMiddleware = SdkMiddleware<SdkInitializeArguments, SdkInitializeOutput>;

/** A middleware for the `finalizeRequest` or `deserialize` step: once per attempt. */
export type SdkRequestMiddleware = SdkMiddleware<SdkRequestArguments, SdkRequestOutput>;

/** The name and tags every middleware of this folder is added with. */
interface MiddlewareIdentity {
  name: string;
  tags: string[];
}

/** Where {@link SdkMiddlewareStack.add} puts a middleware; `priority: 'high'` runs first in its step. */
interface AbsolutePlacement<Step extends string> extends MiddlewareIdentity {
  step: Step;
  priority: 'high';
}

/** The methods of `client.middlewareStack` used here (one overload per step, as the SDK has). */
export interface SdkMiddlewareStack {
  add(middleware: SdkInitializeMiddleware, options: AbsolutePlacement<'initialize'>): void;
  add(middleware: SdkRequestMiddleware, options: AbsolutePlacement<'finalizeRequest'>): void;
  add(middleware: SdkRequestMiddleware, options: AbsolutePlacement<'deserialize'>): void;
  addRelativeTo(
    middleware: SdkRequestMiddleware,
    options: MiddlewareIdentity & { relation: 'after'; toMiddleware: string },
  ): void;
  remove(toRemove: string): boolean;
  identify(): string[];
}

/**
 * Any AWS SDK v3 client (`KinesisClient`, `DynamoDBClient`, `S3Client`, ...). Only the shape is
 * checked here: the SDK types `add` with one overload per step and per service's input union,
 * which no service-independent signature can match.
 */
export interface SdkClient {
  readonly middlewareStack: {
    add(...args: never[]): void;
    addRelativeTo(...args: never[]): void;
    remove(toRemove: string): boolean;
    identify(): string[];
  };
  readonly config: { readonly cacheMiddleware?: boolean | undefined };
}

/** The client's stack, with the signatures of the calls made here. */
export const middlewareStackOf = (client: SdkClient): SdkMiddlewareStack =>
  client.middlewareStack as unknown as SdkMiddlewareStack;

/** The SDK's retry middleware: everything after it runs once per attempt. */
export const RETRY_MIDDLEWARE = 'retryMiddleware';

/** Tag on every middleware this package adds, so a stack dump shows where it came from. */
export const FAULTS_TAG = 'TRIBUTARY_TESTING';

let sequence = 0;

/** A middleware name unique in this process (the stack rejects duplicate names). */
const uniqueMiddlewareName = (prefix: string): string => {
  sequence += 1;
  return `${prefix}#${sequence}`;
};

/** Whether the client's own stack has the SDK retry middleware (every v3 client does). */
export const hasRetryMiddleware = (client: SdkClient): boolean =>
  client.middlewareStack.identify().some((entry) => entry.split(' ')[0] === RETRY_MIDDLEWARE);

/**
 * Middleware added to the client after a handler was cached would never run: refuse such a
 * client instead of letting a test pass without its faults.
 */
const assertNoHandlerCache = (client: SdkClient, caller: string): void => {
  if (client.config.cacheMiddleware === true) {
    throw new Error(
      `${caller}: the client was created with cacheMiddleware: true, so middleware added now ` +
        'would not reach commands it has already sent. Create the test client without it.',
    );
  }
};

/** The operation name without the `Command` suffix: `PutRecord`. */
export const operationName = (context: SdkHandlerContext): string =>
  context.__smithy_context?.operation ?? stripCommandSuffix(context.commandName ?? 'Unknown');

/** `PutRecordCommand` → `PutRecord`; `PutRecord` stays as it is. */
export const stripCommandSuffix = (name: string): string =>
  name.endsWith('Command') && name.length > 'Command'.length
    ? name.slice(0, -'Command'.length)
    : name;

/** The middleware that {@link countRequests} or {@link injectFaults} adds to one client. */
export interface OwnMiddleware {
  /** What to add the middleware with: a name unique in this process, and {@link FAULTS_TAG}. */
  readonly identity: MiddlewareIdentity;
  /** Whether {@link OwnMiddleware.remove} was called. */
  readonly removed: boolean;
  /** Takes the middleware off the client's stack. Idempotent. */
  remove(): void;
}

/**
 * The common start of {@link countRequests} and {@link injectFaults}: refuses a client with a
 * handler cache (see {@link assertNoHandlerCache}), names the middleware `<prefix>#<n>` and
 * returns how to add and remove it.
 */
export const ownMiddleware = (client: SdkClient, caller: string, prefix: string): OwnMiddleware => {
  assertNoHandlerCache(client, caller);
  const name = uniqueMiddlewareName(prefix);
  let removed = false;
  return {
    identity: { name, tags: [FAULTS_TAG] },
    get removed() {
      return removed;
    },
    remove: () => {
      if (removed) return;
      removed = true;
      client.middlewareStack.remove(name);
    },
  };
};
