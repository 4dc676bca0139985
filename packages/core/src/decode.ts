import type * as t from 'io-ts';
import { err, ok, type Result } from 'neverthrow';
import type { ValidationError, ValidationIssue } from './errors.js';

const MAX_RENDERED_VALUE = 60;

const renderValue = (value: unknown): string => {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_RENDERED_VALUE ? `${text.slice(0, MAX_RENDERED_VALUE)}…` : text;
};

/**
 * io-ts reports one error per failing branch of a union and one per enclosing type; keep the
 * deepest context of each error and name every path once.
 */
const toIssue = (error: t.ValidationError): ValidationIssue => {
  const keys: string[] = [];
  error.context.forEach((entry, index) => {
    const parent = error.context[index - 1]?.type as { _tag?: string } | undefined;
    // Union and intersection members appear as keys "0", "1", ...: not part of the input's path.
    if (entry.key === '' || parent?._tag === 'UnionType' || parent?._tag === 'IntersectionType')
      return;
    keys.push(entry.key);
  });
  const path = keys.join('.');
  const last = error.context[error.context.length - 1];
  const issue: ValidationIssue = {
    path,
    expected: last?.type.name ?? 'unknown',
    actual: renderValue(error.value),
  };
  return error.message === undefined ? issue : { ...issue, message: error.message };
};

/** Collapses io-ts errors into one issue per path; union branches are merged into one line. */
export const toValidationIssues = (errors: readonly t.ValidationError[]): ValidationIssue[] => {
  const byPath = new Map<string, ValidationIssue>();
  for (const error of errors) {
    const issue = toIssue(error);
    const seen = byPath.get(issue.path);
    if (seen === undefined) {
      byPath.set(issue.path, issue);
    } else if (!seen.expected.split(' | ').includes(issue.expected)) {
      byPath.set(issue.path, { ...seen, expected: `${seen.expected} | ${issue.expected}` });
    }
  }
  return [...byPath.values()];
};

/** Builds a {@link ValidationError} whose message lists every failing path. */
export const validationError = (
  subject: string,
  issues: readonly ValidationIssue[],
): ValidationError => ({
  kind: 'ValidationError',
  subject,
  issues,
  message: `invalid ${subject}: ${issues
    .map(
      (issue) =>
        `${issue.path === '' ? '(root)' : issue.path}: ${issue.message ?? `expected ${issue.expected}, got ${issue.actual}`}`,
    )
    .join('; ')}`,
});

/**
 * Decodes `input` with an io-ts codec; a failure is a {@link ValidationError} naming every
 * failing path. `subject` says what was decoded, for the message.
 *
 * @example
 * ```ts
 * const result = decodeWith(t.type({ sku: t.string }), { sku: 1 }, 'command AddProduct');
 * // err: "invalid command AddProduct: sku: expected string, got 1"
 * ```
 */
export const decodeWith = <A, O>(
  codec: t.Type<A, O, unknown>,
  input: unknown,
  subject: string,
): Result<A, ValidationError> => {
  const decoded = codec.decode(input);
  if (decoded._tag === 'Left')
    return err(validationError(subject, toValidationIssues(decoded.left)));
  return ok(decoded.right);
};
