// `npm run operator:credential -- <name>`: mints an operator credential for the operator API (/admin).
// Prints the credential (give it to the operator once; it is not stored anywhere) and the
// OPERATOR_CREDENTIALS entry holding only its SHA-256, to append to the service's configuration.
import { createHash, randomBytes } from 'node:crypto';

const name = process.argv[2];
if (!name || !/^[A-Za-z0-9._-]{1,32}$/.test(name)) {
  console.error('usage: npm run operator:credential -- <name>   (letters, digits, . _ -; up to 32)');
  process.exit(2);
}
const credential = `wxop_${randomBytes(32).toString('base64url')}`;
const hash = createHash('sha256').update(credential).digest('hex');
console.log(`credential for ${name} (shown once; send it as Authorization: Bearer …):\n  ${credential}`);
console.log(`append to OPERATOR_CREDENTIALS (comma-separated):\n  ${name}:${hash}`);
