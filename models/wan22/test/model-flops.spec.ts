import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ditFlopsPerCall, flopReport, pipelineShape } from '../bench/model-flops/flops.ts';
import { WAN22_TI2V_5B } from '../src/dit/dit-config.ts';
import { UMT5_XXL } from '../src/t5/t5-config.ts';
import { WAN22_VAE_CONFIG } from '../src/vae/vae-config.ts';

const size = { width: 1280, height: 704, frames: 121 };

describe(flopReport.name, () => {
  it('should give about 52 PFLOP of DiT work for 1280x704x121, 50 steps with CFG', () => {
    const r = flopReport(UMT5_XXL, WAN22_TI2V_5B, WAN22_VAE_CONFIG, {
      size,
      steps: 50,
      cfg: true,
      peakTflops: 989,
    });
    expect(r.shape).toEqual({ latentFrames: 31, latentHeight: 44, latentWidth: 80, tokens: 27280 });
    expect(r.ditPerVideo / 1e15).toBeGreaterThan(50);
    expect(r.ditPerVideo / 1e15).toBeLessThan(54);
    expect(r.parameters.dit / 1e9).toBeCloseTo(5.0, 1);
    expect(r.lowerBoundSeconds).toBeCloseTo(r.totalPerVideo / 989e12, 6);
  });

  it('should halve the DiT work when guidance is off', () => {
    const on = flopReport(UMT5_XXL, WAN22_TI2V_5B, WAN22_VAE_CONFIG, {
      size,
      steps: 50,
      cfg: true,
      peakTflops: 1,
    });
    const off = flopReport(UMT5_XXL, WAN22_TI2V_5B, WAN22_VAE_CONFIG, {
      size,
      steps: 50,
      cfg: false,
      peakTflops: 1,
    });
    expect(off.ditPerVideo * 2).toBe(on.ditPerVideo);
  });

  it('should grow quadratically in tokens through self-attention when the video is longer', () => {
    const short = ditFlopsPerCall(WAN22_TI2V_5B, 10_000);
    const long = ditFlopsPerCall(WAN22_TI2V_5B, 20_000);
    expect(long / short).toBeGreaterThan(2);
  });

  it('should refuse a frame count that the VAE cannot encode', () => {
    expect(() => pipelineShape(WAN22_TI2V_5B, WAN22_VAE_CONFIG, { ...size, frames: 120 })).toThrow(/1 \+ 4k/);
  });
});

describe('model-flops CLI', () => {
  it(
    'should print parameters, FLOPs and the lower bound when given the built-in TI2V-5B config',
    { timeout: 30_000 },
    () => {
      const cli = join(import.meta.dirname, '../bench/model-flops/model-flops.ts');
      const run = spawnSync(process.execPath, [cli, '--preset', 'ti2v-5b', '--tflops', '989'], {
        encoding: 'utf8',
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/DiT per video \(50 steps\) 5[12]\.\d+ PFLOP/);
      expect(run.stdout).toMatch(/lower bound at 989 TFLOP\/s: \d+\.\d s/);
    },
  );
});
