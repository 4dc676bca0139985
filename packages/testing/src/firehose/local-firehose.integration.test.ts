import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import {
  CreateDeliveryStreamCommand,
  type CreateDeliveryStreamCommandInput,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  type ExtendedS3DestinationConfiguration,
  type FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-firehose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../internal/free-port.js';
import { FirehoseDeliveryError } from './firehose-errors.js';
import { startTestS3, type TestS3 } from './firehose-test-support.js';
import type {
  FirehoseTransformationEvent,
  TransformationFunction,
} from './firehose-transformation.js';
import { type LocalFirehose, startLocalFirehose } from './local-firehose.js';

const BUCKET = 'archive';
const ROLE = 'arn:aws:iam::000000000000:role/firehose';
const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:transform';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

let s3: TestS3;
let firehose: LocalFirehose;
let client: FirehoseClient;
let now = new Date('2024-05-01T13:45:10.123Z');
let streamCounter = 0;

const nextName = (label: string) => {
  streamCounter += 1;
  return `${label}-${streamCounter}`;
};

const createStream = async (
  name: string,
  destination: Partial<ExtendedS3DestinationConfiguration> = {},
  extra: Partial<CreateDeliveryStreamCommandInput> = {},
) => {
  await client.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: name,
      ExtendedS3DestinationConfiguration: {
        RoleARN: ROLE,
        BucketARN: `arn:aws:s3:::${BUCKET}`,
        Prefix: `${name}/`,
        ...destination,
      },
      ...extra,
    }),
  );
};

const putBatch = (name: string, records: readonly (string | Uint8Array)[]) =>
  client.send(
    new PutRecordBatchCommand({
      DeliveryStreamName: name,
      Records: records.map((data) => ({
        Data: typeof data === 'string' ? Buffer.from(data) : data,
      })),
    }),
  );

const keysUnder = (prefix: string) => s3.keys(BUCKET, prefix);
const read = (key: string) => s3.object(BUCKET, key);

/** The rejection of `promise`, which must reject. */
const rejectionOf = async (
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
};

const ndjson = (count: number, from = 0) =>
  Array.from(
    { length: count },
    (_, index) => `${JSON.stringify({ seq: from + index, body: 'x'.repeat(index % 50) })}\n`,
  );

const lambdaProcessing = (parameters: Record<string, string> = {}) => ({
  ProcessingConfiguration: {
    Enabled: true,
    Processors: [
      {
        Type: 'Lambda' as const,
        Parameters: Object.entries({ LambdaArn: LAMBDA, ...parameters }).map(
          ([ParameterName, ParameterValue]) => ({
            ParameterName: ParameterName as 'LambdaArn',
            ParameterValue,
          }),
        ),
      },
    ],
  },
});

beforeAll(async () => {
  s3 = await startTestS3([BUCKET]);
  firehose = await startLocalFirehose({ s3: s3.client, clock: () => now });
  client = firehose.client();
});

afterAll(async () => {
  await firehose?.stop();
  await s3?.stop();
});

beforeEach(() => {
  now = new Date('2024-05-01T13:45:10.123Z');
  firehose.rejectRecords(undefined);
});

describe('control plane', () => {
  it('creates, describes, lists and deletes delivery streams', async () => {
    const name = nextName('control');
    const created = await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          RoleARN: ROLE,
          BucketARN: `arn:aws:s3:::${BUCKET}`,
          Prefix: 'control/',
          BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 },
          CompressionFormat: 'GZIP',
          ...lambdaProcessing(),
        },
      }),
    );
    expect(created.DeliveryStreamARN).toBe(
      `arn:aws:firehose:us-east-1:000000000000:deliverystream/${name}`,
    );

    const { DeliveryStreamDescription: description } = await client.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }),
    );
    expect(description).toMatchObject({
      DeliveryStreamName: name,
      DeliveryStreamARN: created.DeliveryStreamARN,
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'DirectPut',
      VersionId: '1',
      CreateTimestamp: now,
      HasMoreDestinations: false,
    });
    expect(description?.Destinations).toHaveLength(1);
    expect(description?.Destinations?.[0]?.DestinationId).toBe('destinationId-000000000001');
    expect(description?.Destinations?.[0]?.ExtendedS3DestinationDescription).toMatchObject({
      RoleARN: ROLE,
      BucketARN: `arn:aws:s3:::${BUCKET}`,
      Prefix: 'control/',
      BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 },
      CompressionFormat: 'GZIP',
      EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
      ProcessingConfiguration: {
        Enabled: true,
        Processors: [
          { Type: 'Lambda', Parameters: [{ ParameterName: 'LambdaArn', ParameterValue: LAMBDA }] },
        ],
      },
    });
    expect(description?.Destinations?.[0]?.S3DestinationDescription).toMatchObject({
      BucketARN: `arn:aws:s3:::${BUCKET}`,
      BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 },
    });

    const listed = await client.send(new ListDeliveryStreamsCommand({ Limit: 10_000 }));
    expect(listed.DeliveryStreamNames).toContain(name);
    expect(listed.DeliveryStreamNames).toEqual([...(listed.DeliveryStreamNames ?? [])].sort());

    await client.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: name }));
    const afterDelete = await client.send(new ListDeliveryStreamsCommand({ Limit: 10_000 }));
    expect(afterDelete.DeliveryStreamNames).not.toContain(name);
    const describeDeleted = await rejectionOf(
      client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name })),
    );
    expect(describeDeleted).toBeInstanceOf(ResourceNotFoundException);
  });

  it('pages ListDeliveryStreams with Limit and ExclusiveStartDeliveryStreamName', async () => {
    const base = nextName('list');
    const names = [`${base}-a`, `${base}-b`, `${base}-c`];
    for (const name of names) await createStream(name);
    const page = await client.send(
      new ListDeliveryStreamsCommand({ Limit: 1, ExclusiveStartDeliveryStreamName: names[0] }),
    );
    expect(page.DeliveryStreamNames).toEqual([names[1]]);
    expect(page.HasMoreDeliveryStreams).toBe(true);
    const rest = await client.send(
      new ListDeliveryStreamsCommand({ Limit: 10_000, ExclusiveStartDeliveryStreamName: names[1] }),
    );
    expect(rest.DeliveryStreamNames?.[0]).toBe(names[2]);
    expect(rest.HasMoreDeliveryStreams).toBe(false);
  });

  it('answers ResourceNotFoundException for an unknown stream, in every data and control call', async () => {
    const calls = [
      client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'no-such-stream' })),
      client.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: 'no-such-stream' })),
      client.send(
        new PutRecordCommand({
          DeliveryStreamName: 'no-such-stream',
          Record: { Data: Buffer.from('x') },
        }),
      ),
      putBatch('no-such-stream', ['x']),
    ];
    for (const call of calls) {
      const error = await rejectionOf(call);
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.name).toBe('ResourceNotFoundException');
      expect(error.message).toBe(
        'Firehose stream no-such-stream under account 000000000000 not found.',
      );
      expect(error.$metadata?.httpStatusCode).toBe(400);
    }
  });

  it('refuses a second stream of the same name with ResourceInUseException', async () => {
    const name = nextName('twice');
    await createStream(name);
    await expect(createStream(name)).rejects.toBeInstanceOf(ResourceInUseException);
  });

  it('surfaces ValidationException and InvalidArgumentException by name', async () => {
    const validation = await rejectionOf(createStream('bad name!'));
    expect(validation.name).toBe('ValidationException');
    expect(validation.message).toContain("at 'deliveryStreamName' failed to satisfy constraint");
    const invalid = await rejectionOf(
      createStream(nextName('expr'), { Prefix: 'd=!{timestamp:yyyy}/' }),
    );
    expect(invalid.name).toBe('InvalidArgumentException');
    expect(invalid.message).toBe(
      "ErrorOutputPrefix can't be null when Prefix contains expressions",
    );
  });
});

describe('delivery to S3', () => {
  it('writes a PutRecordBatch of NDJSON lines as one object, byte for byte, under the default key layout', async () => {
    const name = nextName('ndjson');
    await createStream(name, { Prefix: undefined });
    const lines = ndjson(1200);
    const recordIds: string[] = [];
    for (let start = 0; start < lines.length; start += 400) {
      const result = await putBatch(name, lines.slice(start, start + 400));
      expect(result.FailedPutCount).toBe(0);
      expect(result.Encrypted).toBe(false);
      for (const response of result.RequestResponses ?? []) {
        expect(response.ErrorCode).toBeUndefined();
        recordIds.push(response.RecordId ?? '');
      }
    }
    expect(new Set(recordIds).size).toBe(1200);
    expect(await s3.keys(BUCKET, '2024/05/01/13/')).not.toContainEqual(
      expect.stringContaining(name),
    );

    await firehose.flush(name);

    const keys = (await s3.keys(BUCKET, '2024/')).filter((key) => key.includes(`/${name}-`));
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^2024/05/01/13/${name}-1-2024-05-01-13-45-10-${UUID}$`));
    const body = await read(keys[0] ?? '');
    expect(body.equals(Buffer.from(lines.join('')))).toBe(true);
  });

  it('concatenates records as-is: no delimiter is added between them', async () => {
    const name = nextName('raw');
    await createStream(name);
    await client.send(
      new PutRecordCommand({ DeliveryStreamName: name, Record: { Data: Buffer.from('{"a":1}') } }),
    );
    await putBatch(name, ['{"b":2}', new Uint8Array([0, 255, 10, 13])]);
    await firehose.flush();
    const [key, ...others] = await keysUnder(`${name}/`);
    expect(others).toEqual([]);
    expect(key).toMatch(
      new RegExp(`^${name}/2024/05/01/13/${name}-1-2024-05-01-13-45-10-${UUID}$`),
    );
    expect(
      (await read(key ?? '')).equals(
        Buffer.concat([Buffer.from('{"a":1}{"b":2}'), Buffer.from([0, 255, 10, 13])]),
      ),
    ).toBe(true);
  });

  it('names the object after the arrival time of its oldest record', async () => {
    const name = nextName('oldest');
    await createStream(name);
    now = new Date('2024-12-31T23:59:58.500Z');
    await putBatch(name, ['first\n']);
    now = new Date('2025-01-01T00:00:03.000Z');
    await putBatch(name, ['second\n']);
    await firehose.flush(name);
    const keys = await keysUnder(`${name}/`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(
      new RegExp(`^${name}/2024/12/31/23/${name}-1-2024-12-31-23-59-58-${UUID}$`),
    );
    expect((await read(keys[0] ?? '')).toString()).toBe('first\nsecond\n');
  });

  it('writes an object when the buffer reaches SizeInMBs, keeping the rest buffered', async () => {
    const name = nextName('size');
    await createStream(name, { BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 900 } });
    // 300 records of 4 KiB: the 256th brings the buffer to exactly 1 MiB.
    const records = Array.from(
      { length: 300 },
      (_, index) => `${String(index).padStart(4, '0')}${'r'.repeat(4091)}\n`,
    );
    expect(Buffer.byteLength(records[0] ?? '')).toBe(4096);
    for (let start = 0; start < records.length; start += 100)
      await putBatch(name, records.slice(start, start + 100));

    await waitUntil(async () => (await keysUnder(`${name}/`)).length === 1, {
      timeoutMs: 10_000,
      what: 'the size-triggered object',
    });
    const [first] = await keysUnder(`${name}/`);
    expect((await read(first ?? '')).toString()).toBe(records.slice(0, 256).join(''));

    await firehose.flush(name);
    const keys = await keysUnder(`${name}/`);
    expect(keys).toHaveLength(2);
    const second = keys.find((key) => key !== first) ?? '';
    expect((await read(second)).toString()).toBe(records.slice(256).join(''));
  });

  it('writes an object when IntervalInSeconds elapses, without a flush', async () => {
    const name = nextName('interval');
    await createStream(name, { BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 1 } });
    const started = Date.now();
    await putBatch(name, ['one\n', 'two\n']);
    expect(await keysUnder(`${name}/`)).toEqual([]);
    await waitUntil(async () => (await keysUnder(`${name}/`)).length > 0, {
      timeoutMs: 10_000,
      intervalMs: 25,
      what: 'the interval-triggered object',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const keys = await keysUnder(`${name}/`);
    expect(keys).toHaveLength(1);
    expect((await read(keys[0] ?? '')).toString()).toBe('one\ntwo\n');
  });

  it('gzips objects and adds .gz (or the configured FileExtension)', async () => {
    const name = nextName('gzip');
    await createStream(name, { CompressionFormat: 'GZIP' });
    const lines = ndjson(500);
    await putBatch(name, lines);
    await firehose.flush(name);
    const [key] = await keysUnder(`${name}/`);
    expect(key).toMatch(
      new RegExp(`^${name}/2024/05/01/13/${name}-1-2024-05-01-13-45-10-${UUID}\\.gz$`),
    );
    const body = await read(key ?? '');
    expect(body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(body).toString()).toBe(lines.join(''));

    const custom = nextName('gzip-ext');
    await createStream(custom, { CompressionFormat: 'GZIP', FileExtension: '.ndjson.gz' });
    await putBatch(custom, ['x\n']);
    await firehose.flush(custom);
    expect(await keysUnder(`${custom}/`)).toEqual([expect.stringMatching(/\.ndjson\.gz$/)]);
  });

  it('evaluates !{timestamp:...} prefixes instead of the default time layout', async () => {
    const name = nextName('timestamp');
    await createStream(name, {
      Prefix: `${name}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/`,
      ErrorOutputPrefix: `${name}-errors/!{firehose:error-output-type}/`,
    });
    await putBatch(name, ['a\n']);
    await firehose.flush(name);
    expect(await keysUnder(`${name}/`)).toEqual([
      expect.stringMatching(
        new RegExp(`^${name}/year=2024/month=05/day=01/${name}-1-2024-05-01-13-45-10-${UUID}$`),
      ),
    ]);
  });

  it('adds a newline to every record with the AppendDelimiterToRecord processor', async () => {
    const name = nextName('delimiter');
    await createStream(name, {
      ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] },
    });
    await putBatch(name, ['{"a":1}', '{"a":2}']);
    await firehose.flush(name);
    const [key] = await keysUnder(`${name}/`);
    expect((await read(key ?? '')).toString()).toBe('{"a":1}\n{"a":2}\n');
  });

  it('delivers what a deleted stream had buffered', async () => {
    const name = nextName('deleted');
    await createStream(name);
    await putBatch(name, ['kept\n']);
    await client.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: name }));
    await firehose.flush();
    const keys = await keysUnder(`${name}/`);
    expect(keys).toHaveLength(1);
    expect((await read(keys[0] ?? '')).toString()).toBe('kept\n');
  });
});

describe('PutRecordBatch limits', () => {
  const KIB = 1024;

  it('refuses more than 500 records with ValidationException and buffers none of them', async () => {
    const name = nextName('count');
    await createStream(name);
    const error = await rejectionOf(putBatch(name, ndjson(501)));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to 500",
    );
    const empty = await rejectionOf(putBatch(name, []));
    expect(empty.name).toBe('ValidationException');
    expect((await putBatch(name, ndjson(500))).FailedPutCount).toBe(0);
    await firehose.flush(name);
    const [key] = await keysUnder(`${name}/`);
    expect((await read(key ?? '')).toString()).toBe(ndjson(500).join(''));
  });

  it('refuses a record over 1,000 KiB (decoded) with ValidationException; exactly 1,000 KiB is fine', async () => {
    const name = nextName('record-size');
    await createStream(name);
    const tooBig = Buffer.alloc(1000 * KIB + 1, 0x61);
    const batchError = await rejectionOf(putBatch(name, ['small\n', tooBig]));
    expect(batchError.name).toBe('ValidationException');
    expect(batchError.message).toContain(
      "at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1024000",
    );
    const putError = await rejectionOf(
      client.send(new PutRecordCommand({ DeliveryStreamName: name, Record: { Data: tooBig } })),
    );
    expect(putError.name).toBe('ValidationException');
    expect(putError.message).toContain("at 'record.data'");

    const atLimit = Buffer.alloc(1000 * KIB, 0x62);
    expect((await putBatch(name, [atLimit])).FailedPutCount).toBe(0);
    await firehose.flush(name);
    const keys = await keysUnder(`${name}/`);
    expect(keys).toHaveLength(1);
    expect((await read(keys[0] ?? '')).equals(atLimit)).toBe(true);
  });

  it('refuses a batch over 4 MiB with InvalidArgumentException and buffers none of it', async () => {
    const name = nextName('batch-size');
    await createStream(name);
    const records = Array.from({ length: 5 }, () => Buffer.alloc(1000 * KIB - 10, 0x63));
    const error = await rejectionOf(putBatch(name, records));
    expect(error.name).toBe('InvalidArgumentException');
    expect(error.message).toContain('Records size exceeds 4 MB limit');
    await firehose.flush(name);
    expect(await keysUnder(`${name}/`)).toEqual([]);
    // 4 MiB exactly is allowed: four records at the 1,000 KiB limit and one of 96 KiB.
    const exact = [1, 2, 3, 4].map((fill) => Buffer.alloc(1000 * KIB, fill));
    exact.push(Buffer.alloc(96 * KIB, 5));
    expect(exact.reduce((sum, buffer) => sum + buffer.length, 0)).toBe(4 * 1024 * KIB);
    expect((await putBatch(name, exact)).FailedPutCount).toBe(0);
    await firehose.flush(name);
    const keys = await keysUnder(`${name}/`);
    expect(keys).toHaveLength(1);
    expect((await read(keys[0] ?? '')).equals(Buffer.concat(exact))).toBe(true);
  });
});

describe('throttled records', () => {
  it('answers refused entries with ServiceUnavailableException and buffers only the accepted ones', async () => {
    const name = nextName('throttled');
    await createStream(name);
    firehose.rejectRecords(
      (record) => record.deliveryStreamName === name && record.index % 2 === 1,
    );
    const lines = ndjson(10);
    const result = await putBatch(name, lines);
    expect(result.FailedPutCount).toBe(5);
    result.RequestResponses?.forEach((response, index) => {
      if (index % 2 === 1) {
        expect(response).toEqual({
          ErrorCode: 'ServiceUnavailableException',
          ErrorMessage: 'Slow down.',
        });
      } else {
        expect(response.RecordId).toEqual(expect.any(String));
        expect(response.ErrorCode).toBeUndefined();
      }
    });
    firehose.rejectRecords(undefined);
    await firehose.flush(name);
    const [key] = await keysUnder(`${name}/`);
    expect((await read(key ?? '')).toString()).toBe(
      lines.filter((_, index) => index % 2 === 0).join(''),
    );
  });
});

describe('transformation', () => {
  const decode = (data: string) =>
    JSON.parse(Buffer.from(data, 'base64').toString()) as Record<string, unknown>;
  const encode = (text: string) => Buffer.from(text).toString('base64');

  /** Upper-cases `name` and adds a newline; `fail` and `drop` records say what to answer. */
  const transform: TransformationFunction = (event) => ({
    records: event.records.map((record) => {
      const value = decode(record.data);
      if (value.fail === true)
        return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
      if (value.drop === true)
        return { recordId: record.recordId, result: 'Dropped', data: record.data };
      return {
        recordId: record.recordId,
        result: 'Ok',
        data: encode(`${JSON.stringify({ ...value, name: String(value.name).toUpperCase() })}\n`),
      };
    }),
  });

  it('invokes the function with the Firehose event and routes Ok, Dropped and ProcessingFailed', async () => {
    const name = nextName('transform');
    const events: FirehoseTransformationEvent[] = [];
    firehose.registerTransformation(LAMBDA, async (event) => {
      events.push(event);
      return transform(event);
    });
    await createStream(name, { Prefix: `${name}/`, ...lambdaProcessing() });
    const inputs = [
      { name: 'ada' },
      { name: 'bob', fail: true },
      { name: 'cy', drop: true },
      { name: 'dee' },
      { name: 'eve', fail: true },
    ].map((value) => JSON.stringify(value));
    const put = await putBatch(name, inputs);
    const recordIds = (put.RequestResponses ?? []).map((response) => response.RecordId);

    await firehose.flush(name);

    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      invocationId: expect.stringMatching(new RegExp(`^${UUID}$`)),
      deliveryStreamArn: `arn:aws:firehose:us-east-1:000000000000:deliverystream/${name}`,
      region: 'us-east-1',
      records: inputs.map((input, index) => ({
        recordId: recordIds[index],
        approximateArrivalTimestamp: now.getTime(),
        data: encode(input),
      })),
    });

    const dataKeys = (await keysUnder(`${name}/`)).filter(
      (key) => !key.startsWith(`${name}/processing-failed/`),
    );
    expect(dataKeys).toEqual([
      expect.stringMatching(new RegExp(`^${name}/2024/05/01/13/${name}-1-`)),
    ]);
    expect((await read(dataKeys[0] ?? '')).toString()).toBe('{"name":"ADA"}\n{"name":"DEE"}\n');

    // No ErrorOutputPrefix: failed records go to <Prefix>processing-failed/YYYY/MM/dd/HH/.
    const errorKeys = await keysUnder(`${name}/processing-failed/`);
    expect(errorKeys).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${name}/processing-failed/2024/05/01/13/${name}-1-2024-05-01-13-45-10-${UUID}$`,
        ),
      ),
    ]);
    const errorLines = (await read(errorKeys[0] ?? '')).toString().split('\n');
    expect(errorLines.pop()).toBe('');
    expect(errorLines.map((line) => JSON.parse(line))).toEqual([
      {
        attemptsMade: 1,
        arrivalTimestamp: now.getTime(),
        errorCode: 'Lambda.ProcessingFailedStatus',
        errorMessage: 'ProcessingFailed status set for record',
        attemptEndingTimestamp: now.getTime(),
        rawData: encode(inputs[1] ?? ''),
        lambdaArn: LAMBDA,
      },
      {
        attemptsMade: 1,
        arrivalTimestamp: now.getTime(),
        errorCode: 'Lambda.ProcessingFailedStatus',
        errorMessage: 'ProcessingFailed status set for record',
        attemptEndingTimestamp: now.getTime(),
        rawData: encode(inputs[4] ?? ''),
        lambdaArn: LAMBDA,
      },
    ]);
  });

  it('uses ErrorOutputPrefix with !{firehose:error-output-type} resolved to processing-failed', async () => {
    const name = nextName('error-prefix');
    firehose.registerTransformation(LAMBDA, transform);
    await createStream(name, {
      Prefix: `${name}/data/`,
      ErrorOutputPrefix: `${name}/errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/`,
      ...lambdaProcessing(),
    });
    await putBatch(name, [JSON.stringify({ name: 'x', fail: true })]);
    await firehose.flush(name);
    expect(await keysUnder(`${name}/`)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${name}/errors/processing-failed/2024-05-01/${name}-1-2024-05-01-13-45-10-${UUID}$`,
        ),
      ),
    ]);
  });

  it('retries a throwing function NumberOfRetries times, then sends the batch to the error prefix', async () => {
    const name = nextName('throwing');
    let calls = 0;
    firehose.registerTransformation(LAMBDA, () => {
      calls += 1;
      throw new Error('function crashed');
    });
    await createStream(name, lambdaProcessing({ NumberOfRetries: '2' }));
    await putBatch(name, ['{"name":"a"}', '{"name":"b"}']);
    await firehose.flush(name);
    expect(calls).toBe(3);
    const keys = await keysUnder(`${name}/`);
    expect(keys).toEqual([
      expect.stringMatching(new RegExp(`^${name}/processing-failed/2024/05/01/13/`)),
    ]);
    const lines = (await read(keys[0] ?? ''))
      .toString()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(
      lines.map((line) => [
        line.errorCode,
        line.attemptsMade,
        Buffer.from(line.rawData, 'base64').toString(),
      ]),
    ).toEqual([
      ['Lambda.FunctionError', 3, '{"name":"a"}'],
      ['Lambda.FunctionError', 3, '{"name":"b"}'],
    ]);
  });

  it('fails exactly the records the function did not answer (Lambda.MissingRecordId)', async () => {
    const name = nextName('missing-id');
    firehose.registerTransformation(LAMBDA, (event) => ({
      records: event.records
        .filter((_, index) => index !== 1)
        .map((record) => ({
          recordId: record.recordId,
          result: 'Ok',
          data: encode(`${Buffer.from(record.data, 'base64')}\n`),
        })),
    }));
    await createStream(name, lambdaProcessing());
    await putBatch(name, ['a', 'b', 'c']);
    await firehose.flush(name);
    const dataKeys = (await keysUnder(`${name}/2024/`)).filter(Boolean);
    expect(dataKeys).toHaveLength(1);
    expect((await read(dataKeys[0] ?? '')).toString()).toBe('a\nc\n');
    const [errorKey] = await keysUnder(`${name}/processing-failed/`);
    const [line, ...rest] = (await read(errorKey ?? '')).toString().trim().split('\n');
    expect(rest).toEqual([]);
    expect(JSON.parse(line ?? '')).toMatchObject({
      errorCode: 'Lambda.MissingRecordId',
      rawData: encode('b'),
      lambdaArn: LAMBDA,
    });
  });

  it('writes nothing for a batch whose records are all dropped', async () => {
    const name = nextName('all-dropped');
    firehose.registerTransformation(LAMBDA, (event) => ({
      records: event.records.map((record) => ({
        recordId: record.recordId,
        result: 'Dropped',
        data: record.data,
      })),
    }));
    await createStream(name, lambdaProcessing());
    await putBatch(name, ['a', 'b']);
    await firehose.flush(name);
    expect(await keysUnder(`${name}/`)).toEqual([]);
  });

  it('invokes the function when the processor buffer fills, before any flush', async () => {
    const name = nextName('processor-buffer');
    let invoked = 0;
    firehose.registerTransformation(LAMBDA, (event) => {
      invoked += event.records.length;
      return transform(event);
    });
    await createStream(name, {
      BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 900 },
      ...lambdaProcessing({ BufferSizeInMBs: '0.2' }),
    });
    // 0.2 MiB is 209,715 bytes: 51 records of 4,096 bytes stay below it, the 52nd crosses it.
    const record = (index: number) =>
      JSON.stringify({ name: `n${index}`, pad: 'p'.repeat(4096 - 30) }).padEnd(4096, ' ');
    await putBatch(
      name,
      Array.from({ length: 51 }, (_, index) => record(index)),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(invoked).toBe(0);
    await putBatch(name, [record(51)]);
    await waitUntil(async () => invoked === 52, {
      timeoutMs: 5_000,
      what: 'the processor-buffer invocation',
    });
    expect(await keysUnder(`${name}/`)).toEqual([]);
    await firehose.flush(name);
    expect(await keysUnder(`${name}/`)).toHaveLength(1);
  });

  it('rejects flush while no function is registered for the ARN, and delivers once one is', async () => {
    const name = nextName('unregistered');
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:registered-later';
    await createStream(name, {
      ProcessingConfiguration: {
        Enabled: true,
        Processors: [
          { Type: 'Lambda', Parameters: [{ ParameterName: 'LambdaArn', ParameterValue: arn }] },
        ],
      },
    });
    await putBatch(name, ['{"name":"late"}']);
    const error = await rejectionOf(firehose.flush(name));
    expect(error).toBeInstanceOf(FirehoseDeliveryError);
    expect((error as FirehoseDeliveryError).failures).toEqual([
      expect.objectContaining({
        deliveryStreamName: name,
        stage: 'transformation',
        recordCount: 1,
      }),
    ]);
    expect(error.message).toContain(`No transformation is registered for ${arn}`);
    firehose.registerTransformation(arn, transform);
    await firehose.flush(name);
    const [key] = await keysUnder(`${name}/`);
    expect((await read(key ?? '')).toString()).toBe('{"name":"LATE"}\n');
  });
});

describe('dynamic partitioning', () => {
  it('writes one object per partition key value and sends records without the key to partitioning-failed', async () => {
    const name = nextName('partitioned');
    firehose.registerTransformation(LAMBDA, (event) => ({
      records: event.records.map((record) => {
        const value = JSON.parse(Buffer.from(record.data, 'base64').toString()) as {
          tenant?: string;
        };
        return {
          recordId: record.recordId,
          result: 'Ok',
          data: Buffer.from(`${JSON.stringify(value)}\n`).toString('base64'),
          metadata: {
            partitionKeys: value.tenant === undefined ? {} : { tenant: value.tenant, ignored: 'x' },
          },
        };
      }),
    }));
    await createStream(name, {
      Prefix: `${name}/tenant=!{partitionKeyFromLambda:tenant}/`,
      ErrorOutputPrefix: `${name}/errors/!{firehose:error-output-type}/`,
      DynamicPartitioningConfiguration: { Enabled: true },
      ...lambdaProcessing(),
    });
    const records = [
      { tenant: 'acme', n: 1 },
      { tenant: 'globex', n: 2 },
      { tenant: 'acme', n: 3 },
      { n: 4 },
    ].map((value) => JSON.stringify(value));
    await putBatch(name, records);
    await firehose.flush(name);

    const keys = await keysUnder(`${name}/`);
    expect(keys).toHaveLength(3);
    const objectKey = (prefix: string) => {
      const found = keys.filter((key) => key.startsWith(prefix));
      expect(found).toEqual([
        expect.stringMatching(new RegExp(`^${prefix}${name}-1-2024-05-01-13-45-10-${UUID}$`)),
      ]);
      return found[0] ?? '';
    };
    expect((await read(objectKey(`${name}/tenant=acme/`))).toString()).toBe(
      `${records[0]}\n${records[2]}\n`,
    );
    expect((await read(objectKey(`${name}/tenant=globex/`))).toString()).toBe(`${records[1]}\n`);
    const failed = JSON.parse(
      (await read(objectKey(`${name}/errors/partitioning-failed/`))).toString(),
    ) as {
      rawData: string;
      errorCode: string;
    };
    expect(Buffer.from(failed.rawData, 'base64').toString()).toBe(records[3]);
    expect(failed.errorCode).toBe('DynamicPartitioning.MetadataExtractionFailed');
  });
});

describe('S3 failures', () => {
  it('keeps records when S3 refuses the write, rejects flush, and delivers them once S3 accepts', async () => {
    const name = nextName('missing-bucket');
    const bucket = `later-${streamCounter}`;
    await createStream(name, { BucketARN: `arn:aws:s3:::${bucket}` });
    await putBatch(name, ['one\n', 'two\n']);

    const error = await rejectionOf(firehose.flush(name));
    expect(error).toBeInstanceOf(FirehoseDeliveryError);
    const [failure, ...more] = (error as FirehoseDeliveryError).failures;
    expect(more).toEqual([]);
    expect(failure).toMatchObject({
      deliveryStreamName: name,
      stage: 's3-write',
      bucket,
      recordCount: 2,
    });
    expect(failure?.cause).toMatchObject({ name: 'NoSuchBucket' });
    // Still refused, still kept.
    await expect(firehose.flush(name)).rejects.toBeInstanceOf(FirehoseDeliveryError);

    await s3.createBucket(bucket);
    await firehose.flush(name);
    const keys = await s3.keys(bucket);
    expect(keys).toHaveLength(1);
    expect((await s3.object(bucket, keys[0] ?? '')).toString()).toBe('one\ntwo\n');
  });
});

describe('stop', () => {
  it('delivers buffered records, closes the server and can be called twice', async () => {
    const local = await startLocalFirehose({ s3: s3.client, clock: () => now });
    const localClient = local.client();
    const name = nextName('stopped');
    await localClient.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        S3DestinationConfiguration: {
          RoleARN: ROLE,
          BucketARN: `arn:aws:s3:::${BUCKET}`,
          Prefix: `${name}/`,
        },
      }),
    );
    await localClient.send(
      new PutRecordCommand({ DeliveryStreamName: name, Record: { Data: Buffer.from('last\n') } }),
    );
    const stopping = local.stop();
    expect(local.stop()).toBe(stopping);
    await stopping;
    const keys = await keysUnder(`${name}/`);
    expect(keys).toEqual([expect.stringMatching(new RegExp(`^${name}/2024/05/01/13/${name}-1-`))]);
    expect((await read(keys[0] ?? '')).toString()).toBe('last\n');
    const refused = await rejectionOf(fetch(local.endpoint, { method: 'POST' }));
    expect(refused).toBeInstanceOf(Error);
  });

  it('rejects with FirehoseDeliveryError when buffered records cannot be written, and still closes', async () => {
    const local = await startLocalFirehose({ s3: s3.client, clock: () => now });
    const localClient = local.client();
    const name = nextName('stop-fails');
    await localClient.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        S3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::never-created' },
      }),
    );
    await localClient.send(
      new PutRecordCommand({ DeliveryStreamName: name, Record: { Data: Buffer.from('lost?') } }),
    );
    const error = await rejectionOf(local.stop());
    expect(error).toBeInstanceOf(FirehoseDeliveryError);
    expect((error as FirehoseDeliveryError).failures).toEqual([
      expect.objectContaining({
        deliveryStreamName: name,
        bucket: 'never-created',
        recordCount: 1,
      }),
    ]);
    await expect(fetch(local.endpoint, { method: 'POST' })).rejects.toThrow();
  });

  it('delivers every record answered with a RecordId when PutRecords race stop()', async () => {
    const local = await startLocalFirehose({ s3: s3.client, clock: () => now });
    const localClient = local.client();
    const name = nextName('stop-race');
    await localClient.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        S3DestinationConfiguration: {
          RoleARN: ROLE,
          BucketARN: `arn:aws:s3:::${BUCKET}`,
          Prefix: `${name}/`,
        },
      }),
    );
    // One call deterministically under way when stop() starts: its headers are in, its body
    // arrives only afterwards.
    const url = new URL(local.endpoint);
    const body = JSON.stringify({
      DeliveryStreamName: name,
      Record: { Data: Buffer.from('slow\n').toString('base64') },
    });
    const slowCall = httpRequest({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Firehose_20150804.PutRecord',
        'content-length': Buffer.byteLength(body),
      },
    });
    const slowAnswer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      slowCall.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      });
      slowCall.on('error', reject);
    });
    slowCall.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));

    // And many concurrent SDK calls: stop() starts once a third are answered, the rest race it
    // (answered, refused while draining, or refused a connection).
    let answered = 0;
    let thirdAnswered: () => void = () => {};
    const third = new Promise<void>((resolve) => {
      thirdAnswered = resolve;
    });
    const puts = Array.from({ length: 60 }, (_, index) =>
      localClient
        .send(
          new PutRecordCommand({
            DeliveryStreamName: name,
            Record: { Data: Buffer.from(`record-${index}\n`) },
          }),
        )
        .then(
          (output) => ({ line: `record-${index}`, recordId: output.RecordId }),
          () => ({ line: `record-${index}`, recordId: undefined }),
        )
        .finally(() => {
          answered += 1;
          if (answered === 20) thirdAnswered();
        }),
    );
    await third;
    const stopping = local.stop();
    setTimeout(() => slowCall.end(body.slice(10)), 100);
    const [answers, slow] = await Promise.all([Promise.all(puts), slowAnswer, stopping]);

    expect(slow.status).toBe(200);
    expect(JSON.parse(slow.body)).toMatchObject({ RecordId: expect.any(String) });
    const acknowledged = [
      'slow',
      ...answers.flatMap((answer) => (answer.recordId === undefined ? [] : [answer.line])),
    ];
    const delivered: string[] = [];
    for (const key of await keysUnder(`${name}/`)) {
      delivered.push(...(await read(key)).toString().split('\n').filter(Boolean));
    }
    expect(delivered.sort()).toEqual(acknowledged.sort());
    expect(acknowledged.length).toBeGreaterThan(20);
  });
});
