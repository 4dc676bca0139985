import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FirehoseApiError } from './firehose-errors.js';
import { MAX_HTTP_BODY_BYTES } from './firehose-limits.js';

/**
 * The AWS JSON 1.1 protocol as Firehose speaks it: every call is a `POST /` whose
 * `X-Amz-Target` header names the operation (`Firehose_20150804.PutRecordBatch`), with a JSON
 * body and `Content-Type: application/x-amz-json-1.1`. Errors are JSON `{"__type", "message"}`
 * with a 4xx or 5xx status; the SDK reads `__type` into the error's `name`.
 */
export const TARGET_PREFIX = 'Firehose_20150804.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const CLOSE_GRACE_MS = 1_000;

/** Runs one operation with a parsed JSON body; throws FirehoseApiError for API errors. */
export type OperationHandler = (operation: string, body: unknown) => Promise<unknown>;

/** A listening Firehose HTTP server. */
export interface FirehoseHttpServer {
  readonly endpoint: string;
  /**
   * Stops accepting connections and calls (a call that arrives later on a kept-alive connection
   * is answered `ServiceUnavailableException`), and resolves once every call already being
   * handled has been answered. Calling it again returns the same promise.
   */
  drain(): Promise<void>;
  /** Drains, ends the remaining connections, and resolves once the server has closed. */
  close(): Promise<void>;
}

const send = (response: ServerResponse, status: number, body: unknown, errorType?: string) => {
  const payload = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': payload.length,
    'x-amzn-requestid': randomUUID(),
    ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
  });
  response.end(payload);
};

const sendError = (response: ServerResponse, error: FirehoseApiError) =>
  send(response, error.status, { __type: error.code, message: error.message }, error.code);

/** Reads a request body; bodies past the cap are drained and reported as too large. */
const readBody = (request: IncomingMessage): Promise<Buffer | 'too-large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_HTTP_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size > MAX_HTTP_BODY_BYTES ? 'too-large' : Buffer.concat(chunks)),
    );
    request.on('error', reject);
  });

const handle = async (
  request: IncomingMessage,
  response: ServerResponse,
  operations: OperationHandler,
): Promise<void> => {
  const body = await readBody(request);
  const target = request.headers['x-amz-target'];
  if (
    request.method !== 'POST' ||
    typeof target !== 'string' ||
    !target.startsWith(TARGET_PREFIX)
  ) {
    sendError(
      response,
      new FirehoseApiError(
        'UnknownOperationException',
        `Expected POST with X-Amz-Target: ${TARGET_PREFIX}<Operation>, got ${request.method} ${String(target)}`,
      ),
    );
    return;
  }
  if (body === 'too-large') {
    sendError(
      response,
      new FirehoseApiError(
        'InvalidArgumentException',
        `The request body exceeds ${MAX_HTTP_BODY_BYTES} bytes`,
      ),
    );
    return;
  }
  let parsed: unknown = {};
  if (body.length > 0) {
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      sendError(
        response,
        new FirehoseApiError('SerializationException', 'The request body is not valid JSON'),
      );
      return;
    }
  }
  try {
    const output = await operations(target.slice(TARGET_PREFIX.length), parsed);
    send(response, 200, output);
  } catch (error) {
    if (error instanceof FirehoseApiError) {
      sendError(response, error);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      sendError(
        response,
        new FirehoseApiError('InternalFailure', `Local Firehose failed: ${message}`),
      );
    }
  }
};

const formatHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** Starts the HTTP server on `host:port` (port 0 lets the OS pick a free port). */
export const startFirehoseHttpServer = async (options: {
  readonly host: string;
  readonly port: number;
  readonly operations: OperationHandler;
}): Promise<FirehoseHttpServer> => {
  /** Calls being handled, each with a promise that settles once its response is sent. */
  const inflight = new Map<Promise<void>, ServerResponse>();
  let draining: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const server: Server = createServer((request, response) => {
    if (draining !== undefined) {
      response.shouldKeepAlive = false;
      request.resume();
      sendError(
        response,
        new FirehoseApiError('ServiceUnavailableException', 'The local Firehose is stopping.'),
      );
      return;
    }
    const handled = handle(request, response, options.operations).catch((error: unknown) => {
      if (!response.headersSent) {
        const message = error instanceof Error ? error.message : String(error);
        sendError(
          response,
          new FirehoseApiError('InternalFailure', `Local Firehose failed: ${message}`),
        );
      } else {
        response.destroy();
      }
    });
    inflight.set(handled, response);
    void handled.finally(() => inflight.delete(handled));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const closed = new Promise<void>((resolve) => server.once('close', resolve));

  const drain = () => {
    draining ??= (async () => {
      // No new connections from here on; the ones open are ended below once idle.
      server.close();
      server.closeIdleConnections();
      // A call whose body is still arriving is in the map: it is answered before drain resolves,
      // on a connection that then closes (`Connection: close`) instead of taking another call.
      while (inflight.size > 0) {
        for (const response of inflight.values()) response.shouldKeepAlive = false;
        await Promise.all([...inflight.keys()]);
      }
    })();
    return draining;
  };

  return {
    endpoint: `http://${formatHost(options.host)}:${port}`,
    drain,
    close: () => {
      closing ??= (async () => {
        await drain();
        server.closeIdleConnections();
        // A client holding a keep-alive connection open must not stall stop().
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
        await closed;
      })();
      return closing;
    },
  };
};
