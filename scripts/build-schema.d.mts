// Types of scripts/build-schema.mjs for the TypeScript tests that import it.
export interface MetaForSchema {
  readonly id: string;
  readonly shortDescription: string;
  readonly optionsSchema?: Readonly<Record<string, unknown>>;
}
export type JsonSchema = Record<string, any>;
export const SCHEMA_PATH: string;
export const ENGINE_RULE_IDS: readonly string[];
export function ruleEntry(meta: MetaForSchema): JsonSchema;
export function buildSchema(schema: JsonSchema, metas: readonly MetaForSchema[]): JsonSchema;
export function addRuleEntry(schema: JsonSchema, meta: MetaForSchema): JsonSchema;
export function formatSchema(value: unknown, width?: number): string;
export function schemaText(currentText: string, metas: readonly MetaForSchema[]): string;
