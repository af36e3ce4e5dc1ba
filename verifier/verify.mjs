/*
 * The independent verifier: Digital Bazaar's reference libraries, with their defaults (JSON-LD
 * safe mode on), checking what Plombiers signs. Nothing here is Plombiers code.
 *
 * One process reads requests, one JSON object per line on stdin, and answers each with one JSON
 * line on stdout, in order:
 *
 *   {"id": …, "kind": "credential" | "status-list" | "profile",
 *    "document": {…},                  the document to check
 *    "documents": {"<url>": {…}, …},   the issuer profiles and status lists as the site serves them
 *    "now": "2026-…Z"}                 optional: the verification time of a credential
 *
 *   → {"id": …, "outcome": "verified" | "revoked" | "rejected", "errors": ["…"], …}
 *
 * The document loader serves the JSON-LD contexts of Digital Bazaar's context packages, the
 * Open Badges contexts pinned in plombiers/credentials/standards (no npm package has them) and
 * the documents given with the request; any other URL is refused (no network). A URL with a
 * fragment is a verification method: the loader picks it from its controller document, with
 * that document's @context, as an HTTP client dereferencing the fragment would.
 *
 * The first line written is {"ready": true, "versions": {…}, "contexts": {…}}: the libraries'
 * versions, and for each pinned context that a Digital Bazaar package also ships, whether the
 * two are the same document.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {createInterface} from 'node:readline';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {isDeepStrictEqual} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import jsonld from 'jsonld';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const standards = process.env.PLOMBIERS_STANDARDS_DIR ||
  join(here, '..', 'plombiers', 'credentials', 'standards');

// The contexts Digital Bazaar ships in its own packages.
const packaged = new Map([
  ...require('@digitalbazaar/credentials-context').contexts,
  ...require('@digitalbazaar/data-integrity-context').contexts,
  ...require('@digitalbazaar/multikey-context').contexts,
  ...require('did-context').contexts,
]);

const contexts = new Map(packaged);
const comparison = {};
const manifest = JSON.parse(readFileSync(join(standards, 'MANIFEST.json'), 'utf8'));
for(const [url, entry] of Object.entries(manifest.contexts)) {
  const bytes = readFileSync(join(standards, entry.file));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const pinned = JSON.parse(bytes.toString('utf8'));
  if(packaged.has(url)) {
    comparison[url] = isDeepStrictEqual(packaged.get(url), pinned) ?
      'same' : 'different';
  } else {
    // only the pinned copy exists (Open Badges): check it is the file the manifest names
    comparison[url] = sha256 === entry.sha256 ? 'pinned' : 'corrupt';
    contexts.set(url, pinned);
  }
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

function loaderFor(documents = {}) {
  return jsigs.extendContextLoader(async url => {
    if(contexts.has(url)) {
      return {
        contextUrl: null, documentUrl: url, document: contexts.get(url),
        tag: 'static'
      };
    }
    const [address, fragment] = url.split('#', 2);
    const document = documents[address];
    if(document === undefined) {
      throw new Error(`Document not available offline: ${url}`);
    }
    if(fragment === undefined) {
      return {contextUrl: null, documentUrl: url, document};
    }
    const method = [].concat(document.verificationMethod || [])
      .find(m => m && typeof m === 'object' && m.id === url);
    if(!method) {
      throw new Error(`${url} is not a verification method of ${address}`);
    }
    return {
      contextUrl: null, documentUrl: url,
      document: {'@context': document['@context'], ...method}
    };
  });
}

function messages(error, seen = new Set()) {
  if(!error || seen.has(error)) {
    return [];
  }
  seen.add(error);
  let own = error.message ? String(error.message) : String(error);
  // jsonld.js says which safe-mode rule a document broke in the error's details
  const event = error.details && error.details.event;
  if(event && event.code) {
    const term = event.details && (event.details.property || event.details.type ||
      event.details.id || event.details.term);
    own += ` (${event.code}${term ? `: ${JSON.stringify(term)}` : ''})`;
  }
  own = [own];
  const nested = [
    ...(Array.isArray(error.errors) ? error.errors : []),
    ...(error.cause ? [error.cause] : []),
  ].flatMap(e => messages(e, seen));
  return [...own, ...nested];
}

function errorsOf(result) {
  const found = [
    ...messages(result.error),
    ...(result.results || []).flatMap(r => messages(r.error)),
    ...(result.statusResult ? messages(result.statusResult.error) : []),
    ...((result.statusResult && result.statusResult.results) || [])
      .flatMap(r => messages(r.error)),
  ];
  return [...new Set(found)];
}

async function verifyCredential({document, documents, now}) {
  const result = await vc.verifyCredential({
    credential: document,
    suite,
    documentLoader: loaderFor(documents),
    checkStatus,
    ...(now ? {now} : {})
  });
  if(!result.verified) {
    return {outcome: 'rejected', errors: errorsOf(result)};
  }
  const statuses = (result.statusResult && result.statusResult.results) || [];
  const revoked = statuses.some(s => s.status === true);
  return {
    outcome: revoked ? 'revoked' : 'verified',
    errors: [],
    status: statuses.map(s => ({
      purpose: s.credentialStatus.statusPurpose, set: s.status
    }))
  };
}

async function verifyStatusList({document, documents, now}) {
  const result = await vc.verifyCredential({
    credential: document,
    suite,
    documentLoader: loaderFor(documents),
    ...(now ? {now} : {})
  });
  if(!result.verified) {
    return {outcome: 'rejected', errors: errorsOf(result)};
  }
  if(!jsonld.getValues(document, 'type')
    .includes('BitstringStatusListCredential')) {
    return {
      outcome: 'rejected',
      errors: ['Not a BitstringStatusListCredential.']
    };
  }
  return {outcome: 'verified', errors: []};
}

// An issuer profile is not signed: it is the controller document of the keys. It must expand
// in safe mode, and framed as jsonld-signatures frames a controller document for the
// `assertionMethod` proof purpose, it must list the keys it publishes.
async function checkProfile({document, documents}) {
  const documentLoader = loaderFor(documents);
  try {
    await jsonld.expand(document, {documentLoader, safe: true});
    const methods = [].concat(document.verificationMethod || []);
    const authorised = [];
    for(const method of methods) {
      const framed = await jsonld.frame(document, {
        '@context': jsigs.SECURITY_CONTEXT_URL,
        id: document.id,
        assertionMethod: {'@embed': '@never', id: method.id}
      }, {documentLoader, compactToRelative: false, safe: true});
      const values = jsonld.getValues(framed, 'assertionMethod')
        .map(v => (typeof v === 'object' ? v.id : v));
      if(values.includes(method.id)) {
        authorised.push(method.id);
      }
    }
    return {outcome: 'verified', errors: [], assertionMethod: authorised};
  } catch(error) {
    return {outcome: 'rejected', errors: messages(error)};
  }
}

const handlers = {
  'credential': verifyCredential,
  'status-list': verifyStatusList,
  'profile': checkProfile,
};

function version(name) {
  const file = join(here, 'node_modules', ...name.split('/'), 'package.json');
  return JSON.parse(readFileSync(file, 'utf8')).version;
}

process.stdout.write(JSON.stringify({
  ready: true,
  versions: Object.fromEntries([
    '@digitalbazaar/vc', '@digitalbazaar/data-integrity',
    '@digitalbazaar/eddsa-rdfc-2022-cryptosuite',
    '@digitalbazaar/vc-bitstring-status-list', 'jsonld', 'jsonld-signatures',
  ].map(name => [name, version(name)])),
  contexts: comparison,
}) + '\n');

const lines = createInterface({input: process.stdin, crlfDelay: Infinity});
for await (const line of lines) {
  if(!line.trim()) {
    continue;
  }
  let request;
  let answer;
  try {
    request = JSON.parse(line);
    const handler = handlers[request.kind];
    if(!handler) {
      throw new Error(`Unknown kind: ${request.kind}`);
    }
    answer = await handler(request);
  } catch(error) {
    answer = {outcome: 'rejected', errors: messages(error)};
  }
  process.stdout.write(
    JSON.stringify({id: request ? request.id : null, ...answer}) + '\n');
}
