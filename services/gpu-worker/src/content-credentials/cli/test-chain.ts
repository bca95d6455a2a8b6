// Writes a throwaway C2PA signing chain (root CA + signing certificate, EC P-256) for the local
// stack and tests: `node src/content-credentials/cli/test-chain.ts --out DIR`. Prints the two
// environment lines for the worker. Manifests signed with it verify as "untrusted signer".
import { parseArgs } from 'node:util';
import { createTestChain } from '../test-chain.ts';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
if (!values.out) {
  process.stderr.write('Usage: test-chain --out DIR\n');
  process.exit(64);
}
const chain = await createTestChain(values.out);
process.stdout.write(
  `CONTENT_CREDENTIALS_CERT_FILE=${chain.certFile}\nCONTENT_CREDENTIALS_KEY_FILE=${chain.keyFile}\n`,
);
