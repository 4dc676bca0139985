import { describe, expect, it } from 'vitest';
import {
  type FirehoseTransformationEvent,
  invokeTransformation,
  type ReceivedRecord,
  type TransformationFunction,
} from './firehose-transformation.js';

const records: ReceivedRecord[] = ['a', 'b', 'c'].map((text, index) => ({
  recordId: `id-${index}`,
  data: Buffer.from(text),
  arrival: 1_700_000_000_000 + index,
}));
const context = {
  deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/s',
  region: 'us-east-1',
  numberOfRetries: 3,
  now: () => 1_700_000_009_999,
};
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('invokeTransformation', () => {
  it('passes the Firehose event and reads Ok, Dropped and ProcessingFailed per record', async () => {
    const events: FirehoseTransformationEvent[] = [];
    const outcome = await invokeTransformation(
      (event) => {
        events.push(event);
        return {
          records: [
            {
              recordId: 'id-0',
              result: 'Ok',
              data: b64('A\n'),
              metadata: { partitionKeys: { k: 'v' } },
            },
            { recordId: 'id-1', result: 'Dropped', data: event.records[1]?.data ?? '' },
            { recordId: 'id-2', result: 'ProcessingFailed', data: event.records[2]?.data ?? '' },
          ],
        };
      },
      records,
      context,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      invocationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      deliveryStreamArn: context.deliveryStreamArn,
      region: 'us-east-1',
      records: [
        { recordId: 'id-0', approximateArrivalTimestamp: 1_700_000_000_000, data: b64('a') },
        { recordId: 'id-1', approximateArrivalTimestamp: 1_700_000_000_001, data: b64('b') },
        { recordId: 'id-2', approximateArrivalTimestamp: 1_700_000_000_002, data: b64('c') },
      ],
    });
    expect(outcome.transformed).toEqual([
      { original: records[0], data: Buffer.from('A\n'), partitionKeys: { k: 'v' } },
    ]);
    expect(outcome.dropped).toEqual([records[1]]);
    expect(outcome.failed).toEqual([
      {
        original: records[2],
        errorCode: 'Lambda.ProcessingFailedStatus',
        errorMessage: 'ProcessingFailed status set for record',
        attemptsMade: 1,
        attemptEndingTimestamp: 1_700_000_009_999,
      },
    ]);
  });

  it('retries a throwing function NumberOfRetries times, then fails the batch with Lambda.FunctionError', async () => {
    let calls = 0;
    const invocationIds = new Set<string>();
    const outcome = await invokeTransformation(
      (event) => {
        calls += 1;
        invocationIds.add(event.invocationId);
        throw new Error('boom');
      },
      records,
      { ...context, numberOfRetries: 2 },
    );
    expect(calls).toBe(3);
    expect(invocationIds.size).toBe(3);
    expect(outcome.transformed).toEqual([]);
    expect(
      outcome.failed.map((failure) => [
        failure.original.recordId,
        failure.errorCode,
        failure.attemptsMade,
      ]),
    ).toEqual([
      ['id-0', 'Lambda.FunctionError', 3],
      ['id-1', 'Lambda.FunctionError', 3],
      ['id-2', 'Lambda.FunctionError', 3],
    ]);
  });

  it('delivers the batch when a retry succeeds', async () => {
    let calls = 0;
    const fn: TransformationFunction = async (event) => {
      calls += 1;
      if (calls === 1) throw new Error('transient');
      return {
        records: event.records.map((record) => ({
          recordId: record.recordId,
          result: 'Ok',
          data: record.data,
        })),
      };
    };
    const outcome = await invokeTransformation(fn, records, context);
    expect(outcome.transformed.map((record) => record.data.toString())).toEqual(['a', 'b', 'c']);
  });

  it('fails only the records whose id is missing, duplicated or whose entry is malformed', async () => {
    const outcome = await invokeTransformation(
      () => ({
        records: [
          { recordId: 'id-1', result: 'Ok', data: b64('B') },
          { recordId: 'id-1', result: 'Ok', data: b64('B again') },
          { recordId: 'id-2', result: 'Ok', data: 'not base64!' },
          { recordId: 'unknown', result: 'Ok', data: b64('stray') },
        ],
      }),
      records,
      context,
    );
    expect(outcome.transformed).toEqual([]);
    expect(outcome.failed.map((failure) => [failure.original.recordId, failure.errorCode])).toEqual(
      [
        ['id-0', 'Lambda.MissingRecordId'],
        ['id-1', 'Lambda.DuplicatedRecordId'],
        ['id-2', 'Lambda.JsonProcessingException'],
      ],
    );
  });

  it('fails every record when the response is not { records: [...] } or the result is unknown', async () => {
    const bad = await invokeTransformation(() => ({}) as never, records, context);
    expect(bad.failed.map((failure) => failure.errorCode)).toEqual([
      'Lambda.JsonProcessingException',
      'Lambda.JsonProcessingException',
      'Lambda.JsonProcessingException',
    ]);
    const unknown = await invokeTransformation(
      (event) => ({
        records: event.records.map((record) => ({
          recordId: record.recordId,
          result: 'Maybe' as 'Ok',
          data: record.data,
        })),
      }),
      records,
      context,
    );
    expect(unknown.failed).toHaveLength(3);
    expect(unknown.transformed).toHaveLength(0);
  });
});
