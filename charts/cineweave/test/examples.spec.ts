// The minimal values files the root README's cluster section shows (examples/): each store choice
// with each sign-in choice must render, and say what its comment promises.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { byKind, renderChart, type KubeObject } from './support/render.ts';
import { chartDir } from './support/tools.ts';

const STORES = ['bundled-stores.yaml', 'external-services.yaml'];
const SIGN_IN = ['oidc.yaml', 'clerk.yaml'];

function render(...files: string[]): Promise<KubeObject[]> {
  return renderChart(
    null,
    files.flatMap((file) => ['--values', `examples/${file}`]),
  );
}

function configValue(objects: KubeObject[], key: string): string | undefined {
  for (const object of [...byKind(objects, 'ConfigMap'), ...byKind(objects, 'Secret')]) {
    const data = { ...(object['data'] as object), ...(object['stringData'] as object) } as Record<
      string,
      string
    >;
    if (key in data) return data[key];
  }
  return undefined;
}

describe('values examples', () => {
  it('should hold exactly the store and sign-in examples the README shows', () => {
    expect(readdirSync(`${chartDir}examples`).sort()).toEqual([...STORES, ...SIGN_IN].sort());
  });

  it.each(STORES.flatMap((stores) => SIGN_IN.map((signIn) => [stores, signIn])))(
    'should render with helm template when given %s and %s',
    async (stores, signIn) => {
      const objects = await render(stores, signIn);
      expect(byKind(objects, 'Deployment').length).toBeGreaterThanOrEqual(3);
      expect(configValue(objects, 'AUTH_MODE')).toBe(signIn.replace('.yaml', ''));
    },
  );

  it('should run Postgres, Redis and MinIO in the release when given the bundled stores', async () => {
    const names = byKind(await render('bundled-stores.yaml', 'oidc.yaml'), 'StatefulSet').map(
      (set) => set.metadata.name,
    );
    expect(names.sort()).toEqual(['cw-cineweave-minio', 'cw-cineweave-postgresql', 'cw-cineweave-redis']);
  });

  it('should run no store and point the API at yours when given the external services', async () => {
    const objects = await render('external-services.yaml', 'clerk.yaml');
    expect(byKind(objects, 'StatefulSet')).toEqual([]);
    expect(configValue(objects, 'DATABASE_URL')).toMatch(/@postgres\.example\.com:5432\//);
    expect(configValue(objects, 'REDIS_URL')).toMatch(/^rediss:\/\/.*@redis\.example\.com/);
    expect(configValue(objects, 'S3_ENDPOINT')).toBe('https://s3.eu-west-2.amazonaws.com');
  });
});
