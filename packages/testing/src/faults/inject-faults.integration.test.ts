import {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  KinesisClient,
  KinesisServiceException,
  ListStreamsCommand,
  ProvisionedThroughputExceededException,
  PutRecordCommand,
  type PutRecordCommandOutput,
} from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { localClientConfig } from '../internal/local-client-config.js';
import { countRequests } from './count-requests.js';
import { injectFaults } from './inject-faults.js';
import { SimulatedCrash } from './simulated-crash.js';
import {
  createStream,
  createTable,
  dynamoClient,
  kinesisClient,
  readStream,
  useTestDynalite,
  useTestKinesalite,
} from './test-emulators.js';

const kinesis = useTestKinesalite();
const dynamo = useTestDynalite();

const putRecord = (streamName: string, data: string, partitionKey = 'order-1') =>
  new PutRecordCommand({
    StreamName: streamName,
    PartitionKey: partitionKey,
    Data: new TextEncoder().encode(data),
  });

const decoded = async (streamName: string) =>
  (await readStream(kinesis.endpoint, streamName)).map((record) =>
    new TextDecoder().decode(record.Data),
  );

const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
};

describe('injectFaults, outside the SDK retries (default)', () => {
  it('throttles PutRecord N times, then lets it through; the SDK does not retry', async () => {
    const stream = await createStream(kinesis.endpoint);
    const client = kinesisClient(kinesis.endpoint);
    expect(await client.config.maxAttempts()).toBeGreaterThan(1);
    const requests = countRequests(client);
    const faults = injectFaults(client, [{ commands: 'PutRecord', fault: 'throttle', times: 2 }]);

    for (const attempt of [1, 2]) {
      const error = await rejection(client.send(putRecord(stream, `try ${attempt}`)));
      expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
      expect(error).toMatchObject({
        name: 'ProvisionedThroughputExceededException',
        $fault: 'client',
        $retryable: { throttling: true },
        $metadata: { httpStatusCode: 400, attempts: 1 },
      });
    }
    await client.send(putRecord(stream, 'try 3'));

    expect(faults.history.map((event) => event.outcome)).toEqual([
      'throttle',
      'throttle',
      'passed',
    ]);
    expect(faults.history[0]).toMatchObject({ command: 'PutRecord', rule: 0 });
    expect(faults.history[0]?.input).toMatchObject({ StreamName: stream });
    expect(faults.calls('PutRecord')).toBe(3);
    expect(faults.calls('PutRecordCommand')).toBe(3);
    expect(faults.faults()).toBe(2);
    expect(faults.done()).toBe(true);
    // The throttles never reached the wire: one request, one record.
    expect(requests.counts()).toEqual({ PutRecord: 1 });
    expect(await decoded(stream)).toEqual(['try 3']);
    client.destroy();
  });

  it('lets a retrying caller get through a run of throttles', async () => {
    const stream = await createStream(kinesis.endpoint);
    const client = kinesisClient(kinesis.endpoint);
    const faults = injectFaults(client, [{ commands: 'PutRecord', fault: 'throttle', times: 3 }]);
    const publish = async (data: string): Promise<PutRecordCommandOutput> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await client.send(putRecord(stream, data));
        } catch (error) {
          if (!(error instanceof ProvisionedThroughputExceededException) || attempt >= 5) {
            throw error;
          }
        }
      }
    };

    await publish('commit 1');

    expect(faults.calls()).toBe(4);
    expect(faults.faults()).toBe(3);
    expect(await decoded(stream)).toEqual(['commit 1']);
    client.destroy();
  });

  it('crashAfter: the record is in the stream, the caller got SimulatedCrash, nothing retried', async () => {
    const stream = await createStream(kinesis.endpoint);
    const client = kinesisClient(kinesis.endpoint);
    const requests = countRequests(client);
    const faults = injectFaults(client, [{ commands: 'PutRecord', fault: 'crashAfter' }]);

    const error = await rejection(client.send(putRecord(stream, 'commit 1')));

    expect(error).toBeInstanceOf(SimulatedCrash);
    expect(error).not.toBeInstanceOf(KinesisServiceException);
    const crash = error as SimulatedCrash;
    expect(crash).toMatchObject({ name: 'SimulatedCrash', command: 'PutRecord', phase: 'after' });
    const sequenceNumber = (crash.output as PutRecordCommandOutput).SequenceNumber;
    const records = await readStream(kinesis.endpoint, stream);
    expect(records.map((record) => record.SequenceNumber)).toEqual([sequenceNumber]);
    expect(requests.counts()).toEqual({ PutRecord: 1 });
    expect(faults.history.map((event) => event.outcome)).toEqual(['crashAfter']);
    client.destroy();
  });

  it('crashBefore: nothing is written and no request is made', async () => {
    const stream = await createStream(kinesis.endpoint);
    const client = kinesisClient(kinesis.endpoint);
    const requests = countRequests(client);
    injectFaults(client, [{ commands: 'PutRecord', fault: 'crashBefore' }]);

    const error = await rejection(client.send(putRecord(stream, 'commit 1')));

    expect(error).toBeInstanceOf(SimulatedCrash);
    expect(error).toMatchObject({ phase: 'before', command: 'PutRecord' });
    expect(error).not.toHaveProperty('$metadata');
    expect(requests.total()).toBe(0);
    expect(await decoded(stream)).toEqual([]);
    client.destroy();
  });

  it('skip and times pick which matching calls fail', async () => {
    const stream = await createStream(kinesis.endpoint);
    const client = kinesisClient(kinesis.endpoint);
    const faults = injectFaults(client, [
      { commands: ['PutRecordCommand'], skip: 1, times: 2, fault: 'throttle' },
    ]);

    const outcomes: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) {
      outcomes.push(
        await client.send(putRecord(stream, `r${n}`)).then(
          () => 'ok',
          (error: Error) => error.name,
        ),
      );
    }
    await client.send(new ListStreamsCommand({}));

    const throttle = 'ProvisionedThroughputExceededException';
    expect(outcomes).toEqual(['ok', throttle, throttle, 'ok', 'ok']);
    expect(faults.calls()).toBe(6);
    expect(faults.calls('ListStreams')).toBe(1);
    expect(await decoded(stream)).toEqual(['r1', 'r4', 'r5']);
    client.destroy();
  });

  it('matches with a predicate on the input; the first due rule wins, the others wait', async () => {
    const stream = await createStream(kinesis.endpoint);
    const client = kinesisClient(kinesis.endpoint);
    const faults = injectFaults(client, [
      {
        commands: (call) => call.command === 'PutRecord' && call.input.PartitionKey === 'order-2',
        fault: 'crashBefore',
      },
      { commands: 'PutRecord', fault: { kind: 'throttle', name: 'LimitExceededException' } },
      { commands: () => true, fault: 'crashBefore', times: 0 },
    ]);

    const first = await rejection(client.send(putRecord(stream, 'a', 'order-2')));
    const second = await rejection(client.send(putRecord(stream, 'b', 'order-2')));
    await client.send(putRecord(stream, 'c', 'order-2'));

    expect(first).toBeInstanceOf(SimulatedCrash);
    // Rule 1 was due on the first call too, but rule 0 fired; it fires on the next one.
    expect(second).toMatchObject({
      name: 'LimitExceededException',
      $retryable: { throttling: true },
    });
    expect(faults.history.map((event) => event.rule)).toEqual([0, 1, undefined]);
    expect(faults.done()).toBe(true);
    expect(await decoded(stream)).toEqual(['c']);
    client.destroy();
  });

  it('timeout fails with a TimeoutError the SDK would retry, but does not retry it here', async () => {
    const client = kinesisClient(kinesis.endpoint);
    const requests = countRequests(client);
    injectFaults(client, [{ commands: 'ListStreams', fault: { kind: 'timeout', afterMs: 50 } }]);

    const started = Date.now();
    const error = await rejection(client.send(new ListStreamsCommand({})));

    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: {} });
    expect(requests.total()).toBe(0);
    client.destroy();
  });

  it('delay holds the call and then lets it through; the abort signal still works', async () => {
    const client = kinesisClient(kinesis.endpoint);
    const faults = injectFaults(client, [
      { commands: 'ListStreams', fault: { kind: 'delay', delayMs: 150 }, times: 2 },
    ]);

    const started = Date.now();
    await client.send(new ListStreamsCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    const aborted = await rejection(
      client.send(new ListStreamsCommand({}), { abortSignal: AbortSignal.timeout(20) }),
    );
    expect(aborted).toMatchObject({ name: 'AbortError' });
    expect(faults.history.map((event) => event.outcome)).toEqual(['delay', 'delay']);
    client.destroy();
  });

  it('error: a custom error before sending, or after the service applied the call', async () => {
    const table = await createTable(dynamo.endpoint);
    const client = dynamoClient(dynamo.endpoint);
    const faults = injectFaults(client, [
      {
        commands: 'PutItem',
        fault: {
          kind: 'error',
          create: (call) => new Error(`refused ${call.command}`),
        },
      },
      {
        commands: 'PutItem',
        skip: 1,
        fault: {
          kind: 'error',
          when: 'after',
          create: () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
        },
      },
    ]);
    const put = (id: string) =>
      client.send(new PutItemCommand({ TableName: table, Item: { id: { S: id } } }));

    await expect(put('a')).rejects.toThrow('refused PutItem');
    await expect(put('b')).rejects.toMatchObject({ code: 'ECONNRESET' });

    const item = (id: string) =>
      client.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } } }));
    expect((await item('a')).Item).toBeUndefined();
    expect((await item('b')).Item).toEqual({ id: { S: 'b' } });
    expect(faults.done()).toBe(true);
    client.destroy();
  });

  it('crashAfter on a conditional head write: the write is durable, a blind retry conflicts', async () => {
    const table = await createTable(dynamo.endpoint);
    const client = dynamoClient(dynamo.endpoint);
    injectFaults(client, [{ commands: 'PutItem', fault: 'crashAfter' }]);
    const commit = () =>
      client.send(
        new PutItemCommand({
          TableName: table,
          Item: { id: { S: 'order-1' }, version: { N: '1' } },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );

    await expect(commit()).rejects.toBeInstanceOf(SimulatedCrash);
    const conflict = await rejection(commit());

    expect(conflict).toBeInstanceOf(ConditionalCheckFailedException);
    client.destroy();
  });

  it('throttles DynamoDB with a chosen name, or with the real exception class', async () => {
    const table = await createTable(dynamo.endpoint);
    const client = dynamoClient(dynamo.endpoint);
    injectFaults(client, [
      { commands: 'GetItem', fault: 'throttle' },
      { commands: 'GetItem', fault: { kind: 'throttle', name: 'ThrottlingException' } },
      { commands: 'GetItem', fault: { kind: 'throttle', exception: ThrottlingException } },
    ]);
    const get = () =>
      rejection(client.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'x' } } })));

    const byDefault = await get();
    const named = await get();
    const real = await get();

    expect(byDefault).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(named).toBeInstanceOf(ThrottlingException);
    expect(named).not.toBeInstanceOf(DynamoDBServiceException);
    expect(real).toBeInstanceOf(ThrottlingException);
    expect(real).toBeInstanceOf(DynamoDBServiceException);
    expect(real).toMatchObject({
      $fault: 'client',
      $retryable: { throttling: true },
      $metadata: { httpStatusCode: 400 },
    });
    client.destroy();
  });

  it('remove() restores normal behaviour, also for commands built before', async () => {
    const stream = await createStream(kinesis.endpoint);
    const client = kinesisClient(kinesis.endpoint);
    const faults = injectFaults(client, [
      { commands: 'PutRecord', fault: 'crashBefore', times: Number.POSITIVE_INFINITY },
    ]);
    const command = putRecord(stream, 'after remove');
    await expect(client.send(command)).rejects.toBeInstanceOf(SimulatedCrash);
    expect(
      client.middlewareStack.identify().some((entry) => entry.startsWith('tributaryFaults')),
    ).toBe(true);

    faults.remove();
    faults.remove();
    await client.send(command);

    expect(
      client.middlewareStack.identify().some((entry) => entry.startsWith('tributaryFaults')),
    ).toBe(false);
    expect(faults.calls()).toBe(1);
    expect(faults.done()).toBe(true);
    expect(await decoded(stream)).toEqual(['after remove']);
    client.destroy();
  });

  it('keeps two plans on one client apart', async () => {
    const client = kinesisClient(kinesis.endpoint);
    const outer = injectFaults(client, []);
    const inner = injectFaults(client, [{ commands: 'ListStreams', fault: 'throttle' }]);

    await expect(client.send(new ListStreamsCommand({}))).rejects.toMatchObject({
      $retryable: { throttling: true },
    });
    inner.remove();
    await client.send(new ListStreamsCommand({}));

    expect(outer.calls()).toBe(2);
    expect(outer.faults()).toBe(0);
    expect(inner.calls()).toBe(1);
    client.destroy();
  });

  it('rejects malformed rules and clients that cache their middleware', () => {
    const client = kinesisClient(kinesis.endpoint);
    expect(() =>
      injectFaults(client, [{ commands: 'PutRecord', fault: 'throttle', skip: -1 }]),
    ).toThrow(RangeError);
    expect(() =>
      injectFaults(client, [{ commands: 'PutRecord', fault: 'throttle', times: 1.5 }]),
    ).toThrow(RangeError);
    expect(() =>
      injectFaults(client, [{ commands: 'PutRecord', fault: { kind: 'delay', delayMs: -5 } }]),
    ).toThrow(RangeError);
    const cached = new KinesisClient({
      ...localClientConfig(kinesis.endpoint),
      cacheMiddleware: true,
    });
    expect(() => injectFaults(cached, [])).toThrow(/cacheMiddleware/);
    client.destroy();
    cached.destroy();
  });
});

describe('injectFaults, inside the SDK retries', () => {
  it('throttles are retried by the SDK: one send succeeds after the extra attempts', async () => {
    const stream = await createStream(kinesis.endpoint);
    const client = kinesisClient(kinesis.endpoint);
    const requests = countRequests(client);
    const faults = injectFaults(client, [{ commands: 'PutRecord', fault: 'throttle', times: 2 }], {
      layer: 'inside-retries',
    });

    const output = await client.send(putRecord(stream, 'commit 1'));

    expect(output.$metadata.attempts).toBe(3);
    expect(faults.history.map((event) => event.outcome)).toEqual([
      'throttle',
      'throttle',
      'passed',
    ]);
    // Each throttled attempt stands for a request the service rejected.
    expect(requests.counts()).toEqual({ PutRecord: 3 });
    expect(await decoded(stream)).toEqual(['commit 1']);
    client.destroy();
  });

  it('gives up after maxAttempts when every attempt is throttled', async () => {
    const client = kinesisClient(kinesis.endpoint);
    const faults = injectFaults(
      client,
      [{ commands: 'ListStreams', fault: 'throttle', times: Number.POSITIVE_INFINITY }],
      { layer: 'inside-retries' },
    );

    const error = await rejection(client.send(new ListStreamsCommand({})));

    expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(error).toMatchObject({ $metadata: { attempts: 3 } });
    expect(faults.calls()).toBe(3);
    expect(faults.done()).toBe(true);
    client.destroy();
  });

  it('timeouts are retried by the SDK', async () => {
    const client = kinesisClient(kinesis.endpoint);
    const requests = countRequests(client);
    injectFaults(client, [{ commands: 'DescribeStream', fault: 'timeout' }], {
      layer: 'inside-retries',
    });
    const stream = await createStream(kinesis.endpoint);

    const output = await client.send(new DescribeStreamCommand({ StreamName: stream }));

    expect(output.$metadata.attempts).toBe(2);
    expect(requests.counts()).toEqual({ DescribeStream: 2 });
    client.destroy();
  });

  it('crashAfter escapes the retry loop at once: one request, one record', async () => {
    const stream = await createStream(kinesis.endpoint);
    const client = kinesisClient(kinesis.endpoint);
    const requests = countRequests(client);
    injectFaults(client, [{ commands: 'PutRecord', fault: 'crashAfter' }], {
      layer: 'inside-retries',
    });

    const error = await rejection(client.send(putRecord(stream, 'commit 1')));

    expect(error).toBeInstanceOf(SimulatedCrash);
    expect(error).toMatchObject({ phase: 'after', $metadata: { attempts: 1 } });
    expect(requests.counts()).toEqual({ PutRecord: 1 });
    expect(await decoded(stream)).toEqual(['commit 1']);
    client.destroy();
  });

  it('crashBefore escapes the retry loop at once: no request, no record', async () => {
    const stream = await createStream(kinesis.endpoint);
    const client = kinesisClient(kinesis.endpoint);
    const requests = countRequests(client);
    const faults = injectFaults(client, [{ commands: 'PutRecord', fault: 'crashBefore' }], {
      layer: 'inside-retries',
    });

    await expect(client.send(putRecord(stream, 'commit 1'))).rejects.toBeInstanceOf(SimulatedCrash);

    expect(faults.calls()).toBe(1);
    expect(requests.total()).toBe(0);
    expect(await decoded(stream)).toEqual([]);
    client.destroy();
  });
});
