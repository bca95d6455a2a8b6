// install-model (the chart's model build Job) against the hub stand-in: pull, build, and on a
// second run with the model present, nothing at all.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../src/hub/hub-client.ts';
import { hubSource, installModel } from '../src/hub/install-model.ts';
import { HubStandIn } from './support/hub-stand-in.ts';
import { writeTinyOfficialCheckpoint } from './support/tiny-official.ts';

const REPO = 'Wan-AI/Wan2.2-TI2V-5B';

describe(installModel.name, () => {
  let dir: string;
  let hub: HubStandIn;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cw-install-'));
    await writeTinyOfficialCheckpoint(join(dir, 'hub'));
    hub = await HubStandIn.start(REPO, join(dir, 'hub'));
  }, 60_000);
  afterAll(async () => {
    await hub.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'should pull and build once, then do nothing while the model built from that commit is there',
    { timeout: 120_000 },
    async () => {
      const lines: string[] = [];
      const install = (precision: 'fp32' | 'fp16') =>
        installModel({
          repo: REPO,
          revision: hub.commit,
          weightsDir: join(dir, 'weights'),
          out: join(dir, 'model'),
          precision,
          target: 'cpu',
          client: new HubClient({ endpoint: hub.endpoint }),
          log: (line) => lines.push(line),
        });

      expect(await install('fp32')).toBe('built');
      const manifest = JSON.parse(await readFile(join(dir, 'model', 'model.json'), 'utf8')) as {
        source: string;
      };
      expect(manifest.source).toBe(hubSource(REPO, hub.commit));

      hub.requests.length = 0;
      expect(await install('fp32')).toBe('present');
      expect(hub.requests).toEqual([]);
      expect(lines.at(-1)).toBe(
        `${join(dir, 'model')} already holds ${REPO}@${hub.commit} (fp32, cpu): nothing to do`,
      );

      // Another precision rebuilds from the weights already pulled: no file is downloaded again.
      expect(await install('fp16')).toBe('built');
      expect(hub.requests.filter((request) => request.host === 'cdn')).toEqual([]);
    },
  );
});
