import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The signer's common name; readers show it, and it says what it is. */
export const TEST_SIGNER_NAME = 'CineWeave test signer (untrusted)';

export interface TestChain {
  /** The signing certificate, then the root (PEM). */
  certFile: string;
  /** The signing key (PKCS#8 PEM, EC P-256). */
  keyFile: string;
}

/**
 * A throwaway C2PA signing chain for the local stack and tests: a root CA and a signing
 * certificate it issued (C2PA refuses a self-signed signing certificate, and wants the
 * `emailProtection` or `documentSigning` key purpose on it). Manifests signed with it validate,
 * but readers report `signingCredential.untrusted`: the root is on no C2PA trust list.
 */
export async function createTestChain(dir: string, openssl = 'openssl'): Promise<TestChain> {
  await mkdir(dir, { recursive: true });
  const run = (args: string[]) => promisify(execFile)(openssl, args, { cwd: dir });
  const rootConfig = join(dir, 'root.cnf');
  const signerConfig = join(dir, 'signer.cnf');
  await writeFile(
    rootConfig,
    requestConfig('CineWeave test root (untrusted)', [
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier=hash',
    ]),
  );
  await writeFile(
    signerConfig,
    requestConfig(TEST_SIGNER_NAME, [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=emailProtection,1.3.6.1.5.5.7.3.36',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid:always',
    ]),
  );
  const ec = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  await run(['genpkey', ...ec, '-out', 'root.key']);
  await run(
    ['req', '-x509', '-new', '-key', 'root.key', '-sha256', '-days', '3650'].concat([
      '-config',
      'root.cnf',
      '-extensions',
      'ext',
      '-out',
      'root.pem',
    ]),
  );
  await run(['genpkey', ...ec, '-out', 'signer.key']);
  await run(['req', '-new', '-key', 'signer.key', '-config', 'signer.cnf', '-out', 'signer.csr']);
  await run(
    ['x509', '-req', '-in', 'signer.csr', '-CA', 'root.pem', '-CAkey', 'root.key']
      .concat(['-set_serial', `0x${Date.now().toString(16)}`, '-sha256', '-days', '825'])
      .concat(['-extfile', 'signer.cnf', '-extensions', 'ext', '-out', 'signer.pem']),
  );
  const chain =
    (await readFile(join(dir, 'signer.pem'), 'utf8')) + (await readFile(join(dir, 'root.pem'), 'utf8'));
  await writeFile(join(dir, 'chain.pem'), chain);
  // Only the chain and the signing key are needed from here on; the root key goes.
  await Promise.all(['root.key', 'signer.csr', 'root.cnf', 'signer.cnf'].map((name) => rm(join(dir, name))));
  return { certFile: join(dir, 'chain.pem'), keyFile: join(dir, 'signer.key') };
}

function requestConfig(commonName: string, extensions: string[]): string {
  return [
    '[req]',
    'distinguished_name=dn',
    'prompt=no',
    '[dn]',
    `CN=${commonName}`,
    'O=CineWeave',
    '[ext]',
    ...extensions,
    '',
  ].join('\n');
}
