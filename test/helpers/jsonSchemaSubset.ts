/**
 * A JSON Schema validator for the subset docs/tenant-secret.schema.json uses (type, const, enum,
 * required, properties, boolean schemas, minLength, pattern, minimum, allOf, if/then) so the contract
 * is checked against the published file itself. A keyword outside the subset is an error, not a pass.
 */
export type Schema = boolean | { [keyword: string]: unknown };

const KNOWN = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'type',
  'const',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'minLength',
  'pattern',
  'minimum',
  'allOf',
  'if',
  'then',
]);

export function validate(schema: Schema, value: unknown, path = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: must be absent`];
  const unknown = Object.keys(schema).filter((keyword) => !KNOWN.has(keyword));
  if (unknown.length) throw new Error(`${path}: keywords outside the subset: ${unknown.join(', ')}`);
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== true) {
    throw new Error(`${path}: only additionalProperties: true is supported`);
  }
  const errors: string[] = [];
  const s = schema as Record<string, any>;
  if (s.type !== undefined && !hasType(value, s.type)) return [`${path}: expected ${s.type}`];
  if ('const' in s && value !== s.const) errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
  if (s.enum && !s.enum.includes(value)) errors.push(`${path}: expected one of ${JSON.stringify(s.enum)}`);
  if (typeof value === 'string') {
    if (s.minLength !== undefined && value.length < s.minLength) errors.push(`${path}: shorter than ${s.minLength}`);
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) errors.push(`${path}: does not match ${s.pattern}`);
  }
  if (typeof value === 'number' && s.minimum !== undefined && value < s.minimum) errors.push(`${path}: below ${s.minimum}`);
  if (isObject(value)) {
    for (const name of s.required ?? []) if (!(name in value)) errors.push(`${path}.${name}: required`);
    for (const [name, sub] of Object.entries(s.properties ?? {})) {
      if (name in value) errors.push(...validate(sub as Schema, value[name], `${path}.${name}`));
    }
  }
  for (const sub of s.allOf ?? []) errors.push(...validate(sub as Schema, value, path));
  if (s.if !== undefined && validate(s.if, value, path).length === 0 && s.then !== undefined) {
    errors.push(...validate(s.then, value, path));
  }
  return errors;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(value: unknown, type: string): boolean {
  if (type === 'object') return isObject(value);
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'array') return Array.isArray(value);
  return typeof value === type;
}
