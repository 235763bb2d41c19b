import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/core/constants.js';
import { ENV_DESCRIPTIONS, FIELD_DESCRIPTIONS } from '../../scripts/configDescriptions.js';
import {
  CONFIG_SCHEMA_FILE,
  CONFIGURATION_DOC,
  renderConfigSchema,
  renderConfigurationDocs,
  schemaFieldPaths,
} from '../../scripts/generateConfigDocs.js';

const REGENERATE = 'docs are stale: run npm run docs:config and commit the result';

describe('docs/configuration.md and docs/config.schema.json', () => {
  it('are what npm run docs:config generates from the current schema', () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8'), REGENERATE).toBe(renderConfigurationDocs());
    expect(readFileSync(CONFIG_SCHEMA_FILE, 'utf8'), REGENERATE).toBe(renderConfigSchema());
  });

  it('describe every field of the schema, and no field the schema does not have', () => {
    const fields = schemaFieldPaths();
    expect(fields).toContain('targets.*.rateLimit.registrationsPerSecond');
    expect(fields.filter((path) => !FIELD_DESCRIPTIONS[path]?.trim())).toEqual([]);
    expect(Object.keys(FIELD_DESCRIPTIONS).filter((path) => !fields.includes(path))).toEqual([]);
    const doc = readFileSync(CONFIGURATION_DOC, 'utf8');
    expect(fields.filter((path) => !doc.includes(`| \`${path}\` |`))).toEqual([]);
  });

  it('describe every environment variable the function and the stack share', () => {
    const doc = readFileSync(CONFIGURATION_DOC, 'utf8');
    expect(Object.keys(ENV_DESCRIPTIONS).sort()).toEqual(Object.keys(ENV).sort());
    expect(Object.keys(ENV).filter((name) => !doc.includes(`| \`${name}\` |`))).toEqual([]);
  });

  it('gives editors a JSON Schema with a description on every field and the service defaults', () => {
    const schema = JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8'));
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['targets']);
    expect(schema.properties.secretNamePrefix.default).toBe('dcr/clients/');
    const target = schema.properties.targets.additionalProperties;
    expect(target.required).toEqual(['profile']);
    expect(target.properties.callerMetadata.default).toEqual(['client_name', 'contacts']);
    expect(target.properties.profile.description).toBe(FIELD_DESCRIPTIONS['targets.*.profile']);
  });
});
