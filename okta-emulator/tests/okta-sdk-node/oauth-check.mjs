// Drives okta-emulator (or any Okta org) with the official Okta SDK for Node.js in OAuth mode
// (authorizationMode 'PrivateKey'): the SDK signs its own client assertion, asks
// /oauth2/v1/token for a client_credentials token (and does the DPoP nonce dance when the app
// is DPoP-bound), then calls the Management API with it.
//
//   node oauth-check.mjs ORG_URL CLIENT_ID KEY_ID PRIVATE_KEY_PEM_FILE [--dpop] [--expire SECS]
//
// The service app must have the grants okta.apps.read and okta.groups.manage (not
// okta.users.read) and an admin role covering apps and groups. With --dpop the app is expected
// to be DPoP-bound; with --expire the access token lifetime is SECS and the script waits it out
// once, expecting the SDK to fetch a new token by itself.
//
// Prints one line per check and exits 1 with "FAIL <check>: <why>" on the first mismatch.
// Run by tests/okta_sdk_node.rs.

import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const okta = require('@okta/okta-sdk-nodejs');

const args = process.argv.slice(2);
const [orgUrl, clientId, keyId, pemFile] = args;
const dpop = args.includes('--dpop');
const expireAt = args.indexOf('--expire');
const expireSecs = expireAt >= 0 ? Number(args[expireAt + 1]) : 0;
if (!orgUrl || !clientId || !keyId || !pemFile) {
  console.error('usage: node oauth-check.mjs ORG_URL CLIENT_ID KEY_ID PEM_FILE [--dpop] [--expire SECS]');
  process.exit(2);
}

class CheckFailed extends Error {}
let current = '(setup)';
let count = 0;

async function check(name, fn) {
  current = name;
  const detail = await fn();
  count += 1;
  console.log(`ok   ${name}${detail ? ` (${detail})` : ''}`);
}

function assert(cond, message) {
  if (!cond) throw new CheckFailed(message);
}

async function all(collection) {
  const items = [];
  for await (const item of collection) {
    items.push(item);
  }
  return items;
}

const client = new okta.Client({
  orgUrl,
  authorizationMode: 'PrivateKey',
  clientId,
  keyId,
  scopes: ['okta.apps.read', 'okta.groups.manage'],
  privateKey: readFileSync(pemFile, 'utf8'),
  cacheMiddleware: null,
});

const name = `sdk-oauth-${randomBytes(4).toString('hex')}`;

try {
  await check('list apps with an OAuth token', async () => {
    const apps = await all(await client.applicationApi.listApplications());
    assert(apps.some((a) => a.credentials?.oauthClient?.client_id === clientId),
      'the service app is not in the list');
    return `${apps.length} apps`;
  });

  await check(dpop ? 'the token is DPoP-bound' : 'the token is a Bearer token', async () => {
    const oauth = client.oauth || client.http?.oauth;
    assert(oauth, 'no OAuth state on the client');
    assert(oauth.isDPoP === dpop, `isDPoP is ${oauth.isDPoP}`);
    const type = oauth.accessToken?.token_type;
    assert(type === (dpop ? 'DPoP' : 'Bearer'), `token_type ${type}`);
    assert((oauth.accessToken?.scope || '') === 'okta.apps.read okta.groups.manage',
      `scope ${oauth.accessToken?.scope}`);
  });

  let groupId;
  await check('create and delete a group (okta.groups.manage)', async () => {
    const g = await client.groupApi.createGroup({ group: { profile: { name, description: 'oauth check' } } });
    groupId = g.id;
    assert(g.profile.name === name, `name ${g.profile.name}`);
    await client.groupApi.deleteGroup({ groupId });
    groupId = undefined;
  });

  await check('a call outside the granted scopes is refused with 403', async () => {
    try {
      await all(await client.userApi.listUsers());
    } catch (e) {
      assert(e.status === 403, `status ${e.status}: ${e.message}`);
      return 'insufficient_scope';
    }
    throw new CheckFailed('listing users succeeded');
  });

  if (expireSecs > 0) {
    await check('an expired token is replaced by the SDK', async () => {
      const oauth = client.oauth || client.http?.oauth;
      const before = oauth.accessToken?.access_token;
      await new Promise((r) => setTimeout(r, (expireSecs + 1) * 1000));
      const apps = await all(await client.applicationApi.listApplications());
      assert(apps.length > 0, 'no apps after the token expired');
      assert(oauth.accessToken?.access_token !== before, 'the SDK kept the expired token');
    });
  }

  console.log(`all ${count} checks passed`);
} catch (e) {
  console.log(`FAIL ${current}: ${e instanceof CheckFailed ? e.message : (e.stack || e)}`);
  process.exit(1);
}
