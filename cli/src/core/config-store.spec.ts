import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from './cli-error.ts';
import { configFile, normalizeApiUrl, readConfig, writeConfig } from './config-store.ts';
import { ExitCode } from './exit-codes.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cw-cli-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('config store', () => {
  it('should live under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(configFile({ XDG_CONFIG_HOME: '/x/conf' })).toBe('/x/conf/cineweave/config.json');
    // A relative XDG_CONFIG_HOME is invalid by the XDG spec and ignored.
    expect(configFile({ XDG_CONFIG_HOME: 'conf', HOME: '/home/ann' })).toMatch(
      /\/\.config\/cineweave\/config\.json$/,
    );
  });

  it('should write the file for its owner alone even under a permissive umask', async () => {
    const file = join(scratch, 'nested', 'cineweave', 'config.json');
    const previous = process.umask(0);
    try {
      await writeConfig(file, {
        apiUrl: 'https://v.example',
        hosts: { 'https://v.example': { apiKey: 'cw_a' } },
      });
      // Written twice: the second write replaces the file and must not widen its mode.
      await writeConfig(file, {
        apiUrl: 'https://v.example',
        hosts: { 'https://v.example': { apiKey: 'cw_b' } },
      });
    } finally {
      process.umask(previous);
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(scratch, 'nested', 'cineweave')).mode & 0o777).toBe(0o700);
    expect(await readConfig(file)).toEqual({
      apiUrl: 'https://v.example',
      hosts: { 'https://v.example': { apiKey: 'cw_b' } },
    });
  });

  it('should read a missing file as no configuration', async () => {
    expect(await readConfig(join(scratch, 'absent.json'))).toEqual({ hosts: {} });
  });

  it('should refuse a damaged file with a usage error saying how to recover', async () => {
    const file = join(scratch, 'config.json');
    writeFileSync(file, '{"hosts": {"x": {"apiKey": 3}}}');
    const error = await readConfig(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.Usage);
    expect((error as CliError).extra.hint).toContain('cineweave login');
  });

  it('should see one API in different spellings', () => {
    expect(normalizeApiUrl('HTTPS://Video.Example.com/api/')).toBe('https://video.example.com/api');
    expect(normalizeApiUrl('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
  });
});
