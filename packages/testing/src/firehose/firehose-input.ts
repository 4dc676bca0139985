import { FirehoseApiError, serializationError } from './firehose-errors.js';

/**
 * Reads a JSON request body the way an AWS JSON 1.1 service does: a value of the wrong JSON type
 * is a `SerializationException`; a value that breaks a model constraint (required, length, range,
 * pattern, enum) is collected, and all of them are reported together as one `ValidationException`
 * in the AWS wording ("2 validation errors detected: Value null at 'deliveryStreamName' failed to
 * satisfy constraint: Member must not be null; ...").
 */

type Json = Record<string, unknown>;

interface StringRule {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
  readonly oneOf?: readonly string[];
}

interface NumberRule {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The member name in validation messages: AWS lower-cases the first letter. */
const memberPath = (parent: string, key: string) => {
  const member = key.charAt(0).toLowerCase() + key.slice(1);
  return parent === '' ? member : `${parent}.${member}`;
};

const shortValue = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A view of one JSON object of the request, with the path used in error messages. */
export class InputReader {
  private constructor(
    private readonly value: Json,
    readonly path: string,
    private readonly violations: string[],
  ) {}

  /** Starts reading a request body (already parsed JSON). */
  static root(body: unknown): InputReader {
    if (!isObject(body)) throw serializationError('The request body must be a JSON object');
    return new InputReader(body, '', []);
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  private violate(path: string, value: unknown, constraint: string) {
    const shown = value === undefined || value === null ? 'null' : `'${shortValue(value)}'`;
    this.violations.push(`Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  private violateWithoutValue(path: string, constraint: string) {
    this.violations.push(`Value at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  private raw(key: string): unknown {
    const value = this.value[key];
    return value === null ? undefined : value;
  }

  private typeError(key: string, expected: string): never {
    throw serializationError(`Expected ${expected} at '${memberPath(this.path, key)}'`);
  }

  string(key: string, rule: StringRule = {}): string | undefined {
    const value = this.raw(key);
    const path = memberPath(this.path, key);
    if (value === undefined) {
      if (rule.required) this.violate(path, value, 'Member must not be null');
      return undefined;
    }
    if (typeof value !== 'string') this.typeError(key, 'a string');
    if (rule.min !== undefined && value.length < rule.min) {
      this.violate(path, value, `Member must have length greater than or equal to ${rule.min}`);
    }
    if (rule.max !== undefined && value.length > rule.max) {
      this.violate(path, value, `Member must have length less than or equal to ${rule.max}`);
    }
    if (rule.pattern !== undefined && !rule.pattern.test(value)) {
      this.violate(
        path,
        value,
        `Member must satisfy regular expression pattern: ${rule.pattern.source.replace(/^\^|\$$/g, '')}`,
      );
    }
    if (rule.oneOf !== undefined && !rule.oneOf.includes(value)) {
      this.violate(path, value, `Member must satisfy enum value set: [${rule.oneOf.join(', ')}]`);
    }
    return value;
  }

  number(key: string, rule: NumberRule = {}): number | undefined {
    const value = this.raw(key);
    const path = memberPath(this.path, key);
    if (value === undefined) {
      if (rule.required) this.violate(path, value, 'Member must not be null');
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) this.typeError(key, 'a number');
    if (rule.integer && !Number.isInteger(value)) this.typeError(key, 'an integer');
    if (rule.min !== undefined && value < rule.min) {
      this.violate(path, value, `Member must have value greater than or equal to ${rule.min}`);
    }
    if (rule.max !== undefined && value > rule.max) {
      this.violate(path, value, `Member must have value less than or equal to ${rule.max}`);
    }
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') this.typeError(key, 'a boolean');
    return value;
  }

  /** A base64 blob member, decoded. `max` limits the decoded length. */
  blob(key: string, rule: { readonly required?: boolean; readonly max?: number } = {}) {
    const value = this.raw(key);
    const path = memberPath(this.path, key);
    if (value === undefined) {
      if (rule.required) this.violate(path, value, 'Member must not be null');
      return undefined;
    }
    if (typeof value !== 'string' || !BASE64.test(value)) this.typeError(key, 'base64 data');
    const bytes = Buffer.from(value, 'base64');
    if (rule.max !== undefined && bytes.length > rule.max) {
      this.violateWithoutValue(path, `Member must have length less than or equal to ${rule.max}`);
    }
    return bytes;
  }

  object(key: string, rule: { readonly required?: boolean } = {}): InputReader | undefined {
    const value = this.raw(key);
    const path = memberPath(this.path, key);
    if (value === undefined) {
      if (rule.required) this.violate(path, value, 'Member must not be null');
      return undefined;
    }
    if (!isObject(value)) this.typeError(key, 'an object');
    return new InputReader(value, path, this.violations);
  }

  /** A list of objects; `min`/`max` constrain its length. */
  list(
    key: string,
    rule: { readonly required?: boolean; readonly min?: number; readonly max?: number } = {},
  ): InputReader[] | undefined {
    const value = this.raw(key);
    const path = memberPath(this.path, key);
    if (value === undefined) {
      if (rule.required) this.violate(path, value, 'Member must not be null');
      return undefined;
    }
    if (!Array.isArray(value)) this.typeError(key, 'a list');
    if (rule.min !== undefined && value.length < rule.min) {
      this.violateWithoutValue(
        path,
        `Member must have length greater than or equal to ${rule.min}`,
      );
    }
    if (rule.max !== undefined && value.length > rule.max) {
      this.violateWithoutValue(path, `Member must have length less than or equal to ${rule.max}`);
    }
    return value.map((item, index) => {
      const itemPath = `${path}.${index + 1}.member`;
      if (!isObject(item)) {
        throw serializationError(`Expected an object at '${itemPath}'`);
      }
      return new InputReader(item, itemPath, this.violations);
    });
  }

  /** The raw JSON value of a member (for echoing configuration back in Describe). */
  json(key: string): unknown {
    return this.raw(key);
  }

  /** Throws a ValidationException naming every violated constraint, if there is any. */
  finish(): void {
    const count = this.violations.length;
    if (count === 0) return;
    throw new FirehoseApiError(
      'ValidationException',
      `${count} validation error${count === 1 ? '' : 's'} detected: ${this.violations.join('; ')}`,
    );
  }
}
