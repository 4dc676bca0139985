import { describe, expect, it } from 'vitest';
import {
  compileDatePattern,
  dataPrefixTemplate,
  errorPrefixTemplate,
  evaluatePrefix,
  formatDate,
  objectName,
  PrefixError,
  parsePrefix,
  wallClock,
} from './firehose-prefix.js';

const instant = new Date('2024-03-05T07:08:09.045Z');
const format = (pattern: string, timeZone?: string) =>
  formatDate(compileDatePattern(pattern), wallClock(instant, timeZone));

describe('Java DateTimeFormatter patterns', () => {
  it('renders the numeric fields Firehose prefixes use, zero-padded to the letter count', () => {
    expect(format('yyyy/MM/dd/HH/')).toBe('2024/03/05/07/');
    expect(format('yyyy-MM-dd HH:mm:ss.SSS')).toBe('2024-03-05 07:08:09.045');
    expect(format('y M d H m s')).toBe('2024 3 5 7 8 9');
    expect(format('yy')).toBe('24');
    expect(format('DDD')).toBe('065');
    expect(format('hh a')).toBe('07 AM');
  });

  it('renders month and weekday names and quoted literals', () => {
    expect(format('MMM MMMM EEE EEEE')).toBe('Mar March Tue Tuesday');
    expect(format("yyyy'T'HH")).toBe('2024T07');
    expect(format("'year='yyyy''")).toBe("year=2024'");
  });

  it('uses a custom time zone for every field', () => {
    // 07:08 UTC is 16:08 in Tokyo (UTC+9), and 02:08 the same day in New York (UTC-5 in March).
    expect(format('yyyy/MM/dd/HH', 'Asia/Tokyo')).toBe('2024/03/05/16');
    expect(format('yyyy/MM/dd/HH', 'America/New_York')).toBe('2024/03/05/02');
    expect(
      formatDate(
        compileDatePattern('yyyy-MM-dd'),
        wallClock(new Date('2024-12-31T20:00:00Z'), 'Asia/Tokyo'),
      ),
    ).toBe('2025-01-01');
  });

  it('rejects what Java rejects: too many letters, reserved characters, unterminated quotes', () => {
    expect(() => compileDatePattern('ddd')).toThrow(/Too many pattern letters: d/);
    expect(() => compileDatePattern('yyyy#')).toThrow(/reserved character/);
    expect(() => compileDatePattern("yyyy'T")).toThrow(/Unterminated quote/);
    expect(() => compileDatePattern('')).toThrow(PrefixError);
  });

  it('says which letters the local server does not render', () => {
    expect(() => compileDatePattern('yyyy Z')).toThrow(/'Z'.*not supported by the local Firehose/);
  });
});

describe('prefix expressions', () => {
  it('splits literal text and expressions', () => {
    expect(
      parsePrefix("a/!{timestamp:yyyy'}'}/!{firehose:random-string}/k=!{partitionKeyFromLambda:k}")
        .parts,
    ).toEqual([
      { kind: 'literal', text: 'a/' },
      { kind: 'timestamp', pattern: compileDatePattern("yyyy'}'") },
      { kind: 'literal', text: '/' },
      { kind: 'random-string' },
      { kind: 'literal', text: '/k=' },
      { kind: 'partition-key', source: 'lambda', key: 'k' },
    ]);
  });

  it('refuses a stray !{, an unknown namespace and an unknown firehose value', () => {
    expect(() => parsePrefix('a/!{timestamp:yyyy')).toThrow(/Unterminated expression/);
    expect(() => parsePrefix('a/!{nope}')).toThrow(/no namespace/);
    expect(() => parsePrefix('a/!{region:x}')).toThrow(/Unknown namespace region/);
    expect(() => parsePrefix('a/!{firehose:stream-name}')).toThrow(/firehose namespace/);
  });

  it('appends the default YYYY/MM/dd/HH/ only to a prefix without timestamps or partition keys', () => {
    const context = { instant };
    expect(evaluatePrefix(dataPrefixTemplate(''), context)).toBe('2024/03/05/07/');
    expect(evaluatePrefix(dataPrefixTemplate('events/'), context)).toBe('events/2024/03/05/07/');
    expect(evaluatePrefix(dataPrefixTemplate('events'), context)).toBe('events2024/03/05/07/');
    expect(evaluatePrefix(dataPrefixTemplate('d=!{timestamp:yyyy-MM-dd}/'), context)).toBe(
      'd=2024-03-05/',
    );
    expect(
      evaluatePrefix(dataPrefixTemplate('t=!{partitionKeyFromLambda:t}/'), {
        instant,
        partitionKeys: { t: 'acme' },
      }),
    ).toBe('t=acme/');
  });

  it('evaluates error prefixes as the Firehose documentation shows', () => {
    const failed = { instant, errorOutputType: 'processing-failed' };
    expect(evaluatePrefix(errorPrefixTemplate(undefined, ''), failed)).toBe(
      'processing-failed/2024/03/05/07/',
    );
    expect(evaluatePrefix(errorPrefixTemplate(undefined, 'myFirehosePrefix/'), failed)).toBe(
      'myFirehosePrefix/processing-failed/2024/03/05/07/',
    );
    expect(evaluatePrefix(errorPrefixTemplate('errors/', 'data/'), failed)).toBe(
      'errors/processing-failed/2024/03/05/07/',
    );
    expect(
      evaluatePrefix(
        errorPrefixTemplate(
          'myFirehoseFailures/!{firehose:error-output-type}/!{timestamp:yyyy}/anyMonth/!{timestamp:dd}',
          '',
        ),
        failed,
      ),
    ).toBe('myFirehoseFailures/processing-failed/2024/anyMonth/05');
  });

  it('gives every random-string a new 11-character value', () => {
    const template = parsePrefix('!{firehose:random-string}/!{firehose:random-string}/');
    const [first, second] = evaluatePrefix(template, { instant }).split('/');
    expect(first).toHaveLength(11);
    expect(second).toHaveLength(11);
    expect(first).not.toBe(second);
  });

  it('fails evaluation when a partition key is missing', () => {
    expect(() =>
      evaluatePrefix(parsePrefix('t=!{partitionKeyFromLambda:t}/'), { instant, partitionKeys: {} }),
    ).toThrow(/partition key t/);
  });
});

describe('object names', () => {
  it('follow <stream>-<version>-YYYY-MM-dd-HH-mm-ss-<uuid><extension>', () => {
    const name = objectName({
      deliveryStreamName: 'archive',
      version: '1',
      instant,
      extension: '.gz',
    });
    expect(name).toMatch(
      /^archive-1-2024-03-05-07-08-09-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.gz$/,
    );
  });
});
