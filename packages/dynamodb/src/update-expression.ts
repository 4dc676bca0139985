import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Collects the names and values of one request's expressions as placeholders, so that every
 * attribute name is safe (several of ours, like `state`, are DynamoDB reserved words) and only
 * placeholders that are used are sent (DynamoDB refuses unused ones).
 */
export class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  readonly #keys = new Map<string, string>();

  /** A placeholder for one of the item's own attribute names (plain identifiers). */
  name(attribute: string): string {
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  /** A placeholder for a map key chosen by the caller (a command id: any characters). */
  key(key: string): string {
    let placeholder = this.#keys.get(key);
    if (placeholder === undefined) {
      placeholder = `#k${this.#keys.size}`;
      this.#keys.set(key, placeholder);
      this.names[placeholder] = key;
    }
    return placeholder;
  }

  /** A placeholder for a value. */
  value(value: AttributeValue): string {
    const placeholder = `:v${Object.keys(this.values).length}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** The placeholders as request parameters (values left out when there are none). */
  params(): {
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues?: Record<string, AttributeValue>;
  } {
    return Object.keys(this.values).length === 0
      ? { ExpressionAttributeNames: this.names }
      : { ExpressionAttributeNames: this.names, ExpressionAttributeValues: this.values };
  }
}
