import {
  DEFAULT_MODEL_CATALOG,
  DEFAULT_PRICING,
  extendCatalog,
  type ModelCatalog,
  type PricingTable,
  PricingTableSchema,
} from '@cineweave/contracts';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type Env, EnvSchema } from './config.schema.ts';

/** The validated configuration, injected wherever a setting is read. */
export class AppConfig {
  constructor(
    readonly env: Env,
    /** The built-in model catalog with the install's MODEL_CATALOG_FILE applied. */
    readonly catalog: ModelCatalog = DEFAULT_MODEL_CATALOG,
    /** The install's price table: PRICING_TABLE_FILE's, else the contracts' default. */
    readonly pricing: PricingTable = DEFAULT_PRICING,
  ) {}

  get isDevAuth(): boolean {
    return this.env.AUTH_MODE === 'dev';
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The API cannot start; fix these environment variables:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment, listing every problem at once. Messages name the variable and what is
 * wrong with it, never its value: some of them are secrets.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const empty = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = EnvSchema.safeParse(empty);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map(
        (issue) => `${issue.path.map(String).join('.') || '(environment)'}: ${issue.message}`,
      ),
    );
  }
  const problems: string[] = [];
  const catalog = loadCatalog(result.data, problems);
  const pricing = loadPricing(result.data, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return new AppConfig(result.data, catalog, pricing);
}

/** Every problem `loadConfig` would refuse `source` for (none: it starts). */
export function configProblems(source: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** What is wrong with a JSON file that failed to read, parse or validate. */
function fileProblem(error: unknown): string {
  return error instanceof z.ZodError
    ? error.issues.map((issue) => `[${issue.path.join('.')}] ${issue.message}`).join('; ')
    : (error as Error).message;
}

/** The price table of this install; a file that is missing, not JSON or not valid stops the start. */
function loadPricing(env: Env, problems: string[]): PricingTable {
  if (!env.PRICING_TABLE_FILE) return DEFAULT_PRICING;
  try {
    return PricingTableSchema.parse(JSON.parse(readFileSync(env.PRICING_TABLE_FILE, 'utf8')));
  } catch (error) {
    problems.push(`PRICING_TABLE_FILE: is not a valid price table: ${fileProblem(error)}`);
    return DEFAULT_PRICING;
  }
}

/** The catalog of this install; a file that is missing, not JSON or not valid stops the start. */
function loadCatalog(env: Env, problems: string[]): ModelCatalog {
  let catalog = DEFAULT_MODEL_CATALOG;
  if (env.MODEL_CATALOG_FILE) {
    try {
      catalog = extendCatalog(
        DEFAULT_MODEL_CATALOG,
        JSON.parse(readFileSync(env.MODEL_CATALOG_FILE, 'utf8')),
      );
    } catch (error) {
      problems.push(`MODEL_CATALOG_FILE: is not a valid model catalog: ${fileProblem(error)}`);
    }
  }
  if (!catalog.some((model) => model.id === env.DEFAULT_MODEL)) {
    problems.push(
      `DEFAULT_MODEL: ${env.DEFAULT_MODEL} is not in the model catalog (${catalog.map((m) => m.id).join(', ')})`,
    );
  }
  return catalog;
}
