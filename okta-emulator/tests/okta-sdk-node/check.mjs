// Drives okta-emulator (or any Okta org) with the official Okta SDK for Node.js,
// @okta/okta-sdk-nodejs, through the SDK's own API only (no raw HTTP).
//
//   node check.mjs ORG_URL API_TOKEN [--expect-429]
//
// With --expect-429 the caller has arranged for the next GET /api/v1/users/me to answer 429 once
// (okta-emulator: a fault rule); the script then checks that the SDK's DefaultRequestExecutor
// recognises it as a retryable rate limit (X-Rate-Limit-Reset and Date present) and backs off.
//
// Prints one line per check ("ok   <check>") and exits 1 with "FAIL <check>: <why>" on the first
// mismatch. Everything it creates is named sdk-check-<random> and deleted again at the end.
// Run by tests/okta_sdk_node.rs after `npm ci`.

import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
const okta = require('@okta/okta-sdk-nodejs');
const sdkVersion = require('@okta/okta-sdk-nodejs/package.json').version;

const [orgUrl, token, ...flags] = process.argv.slice(2);
const expect429 = flags.includes('--expect-429');
if (!orgUrl || !token || flags.some((f) => f !== '--expect-429')) {
  console.error('usage: node check.mjs ORG_URL API_TOKEN [--expect-429]');
  process.exit(2);
}

class CheckFailed extends Error {}

let current = '(setup)';
let count = 0;

/** Runs one named check; `fn` returns an optional detail for the "ok" line. */
async function check(name, fn) {
  current = name;
  const detail = await fn();
  count += 1;
  console.log(`ok   ${name}${detail ? ` (${detail})` : ''}`);
}

function assert(cond, message) {
  if (!cond) throw new CheckFailed(message);
}

function eq(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  assert(a === e, `${what}: expected ${e}, got ${a}`);
}

/** Collects an SDK Collection (async iterator that follows `Link: rel="next"`). */
async function all(collection) {
  const items = [];
  for await (const item of collection) {
    items.push(item);
  }
  return items;
}

/** Expects `promise` to reject with an Okta API error of this status and errorCode. */
async function rejects(promise, status, errorCode, what) {
  try {
    await promise;
  } catch (e) {
    assert(e.status === status, `${what}: expected HTTP ${status}, got ${e.status}: ${e.message}`);
    assert(
      e.errorCode === errorCode,
      `${what}: expected ${errorCode}, got ${e.errorCode}: ${e.message}`,
    );
    return `${status} ${errorCode}`;
  }
  throw new CheckFailed(`${what}: expected HTTP ${status} ${errorCode}, but it succeeded`);
}

const client = new okta.Client({ orgUrl, token });
const apps = client.applicationApi;
const secretsApi = client.applicationSSOPublicKeysApi;
const groupsApi = client.groupApi;
const tokensApi = client.apiTokenApi;
const usersApi = client.userApi;

const tag = `sdk-check-${randomBytes(4).toString('hex')}`;
const redirect = 'https://pomerium.example.com/oauth2/callback';

function oidcWebApp(label) {
  return {
    name: 'oidc_client',
    label,
    signOnMode: 'OPENID_CONNECT',
    credentials: {
      oauthClient: { token_endpoint_auth_method: 'client_secret_basic', autoKeyRotation: true },
    },
    settings: {
      oauthClient: {
        application_type: 'web',
        redirect_uris: [redirect],
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token'],
        consent_method: 'TRUSTED',
        issuer_mode: 'ORG_URL',
      },
    },
  };
}

async function main() {
  console.log(`okta-sdk-nodejs ${sdkVersion} against ${orgUrl}`);

  if (expect429) {
    await check('rate limit: SDK backs off on 429 (X-Rate-Limit-Reset, Date)', async () => {
      // A short requestTimeout: the SDK either retries after a short back-off (and succeeds,
      // the fault answers once) or refuses to wait past the timeout. Both need the headers.
      const executor = new okta.DefaultRequestExecutor({ requestTimeout: 3000, maxRetries: 1 });
      const backoffs = [];
      executor.on('backoff', (_req, _res, requestId, delayMs) => backoffs.push({ requestId, delayMs }));
      const limited = new okta.Client({ orgUrl, token, requestExecutor: executor });
      try {
        const user = await limited.userApi.getUser({ userId: 'me' });
        eq(backoffs.length, 1, 'back-offs before success');
        assert(typeof backoffs[0].requestId === 'string', 'X-Okta-Request-Id on the 429');
        return `retried after ${backoffs[0].delayMs} ms as ${user.profile.login}`;
      } catch (e) {
        assert(
          /retry delay would exceed/.test(e.message),
          `expected a back-off refused by requestTimeout, got: ${e.status ?? ''} ${e.message}`,
        );
        return 'back-off computed, longer than the 3 s requestTimeout';
      }
    });
  }

  // --- users/me and API tokens -------------------------------------------------------------
  let me;
  await check('users: get current user (me)', async () => {
    me = await usersApi.getUser({ userId: 'me' });
    assert(typeof me.id === 'string' && me.id.startsWith('00u'), `me.id: got ${me.id}`);
    assert(me.profile && typeof me.profile.login === 'string', 'me.profile.login missing');
    eq(me.status, 'ACTIVE', 'me.status');
    return me.profile.login;
  });

  let tokens;
  await check('api tokens: list', async () => {
    tokens = await all(await tokensApi.listApiTokens());
    assert(tokens.length >= 1, 'no API tokens listed');
    for (const t of tokens) {
      assert(typeof t.id === 'string' && t.id.length > 0, 'token without id');
      assert(t.tokenWindow, `token ${t.id} without tokenWindow`);
    }
    assert(
      tokens.some((t) => t.userId === me.id),
      `no token owned by the current user ${me.id}`,
    );
    return `${tokens.length} token(s)`;
  });

  await check('api tokens: get', async () => {
    const mine = tokens.find((t) => t.userId === me.id);
    const got = await tokensApi.getApiToken({ apiTokenId: mine.id });
    eq(got.id, mine.id, 'token id');
    eq(got.name, mine.name, 'token name');
    eq(got.userId, me.id, 'token userId');
    assert(got.expiresAt instanceof Date || typeof got.expiresAt === 'string', 'expiresAt');
    return got.name;
  });

  await check('api tokens: get unknown answers 404', () =>
    rejects(tokensApi.getApiToken({ apiTokenId: '00Tnotatoken000000000' }), 404, 'E0000007', 'get'),
  );

  // --- groups ------------------------------------------------------------------------------
  const groupName = `${tag}-group`;
  let group;
  await check('groups: create', async () => {
    group = await groupsApi.createGroup({
      group: { profile: { name: groupName, description: 'created by the Okta Node SDK check' } },
    });
    assert(typeof group.id === 'string' && group.id.startsWith('00g'), `group id ${group.id}`);
    eq(group.type, 'OKTA_GROUP', 'group type');
    eq(group.profile.name, groupName, 'group name');
    return group.id;
  });

  await check('groups: get', async () => {
    const got = await groupsApi.getGroup({ groupId: group.id });
    eq(got.id, group.id, 'group id');
    eq(got.profile.name, groupName, 'group name');
    eq(got.profile.description, 'created by the Okta Node SDK check', 'group description');
    return null;
  });

  await check('groups: list with q', async () => {
    const found = await all(await groupsApi.listGroups({ q: tag }));
    eq(
      found.map((g) => g.id),
      [group.id],
      `groups q=${tag}`,
    );
    return null;
  });

  await check('groups: list with search profile.name eq', async () => {
    const found = await all(
      await groupsApi.listGroups({ search: `profile.name eq "${groupName}"` }),
    );
    eq(
      found.map((g) => g.id),
      [group.id],
      'groups search',
    );
    const none = await all(
      await groupsApi.listGroups({ search: `profile.name eq "${groupName}-nope"` }),
    );
    eq(none.length, 0, 'groups search for a missing name');
    return null;
  });

  await check('groups: list with search type eq OKTA_GROUP and sw', async () => {
    const found = await all(
      await groupsApi.listGroups({
        search: `type eq "OKTA_GROUP" and profile.name sw "${tag}"`,
      }),
    );
    eq(
      found.map((g) => g.id),
      [group.id],
      'groups search',
    );
    return null;
  });

  await check('groups: list pages through Link rel=next (search, sortBy)', async () => {
    // Created in this order: `other` matches the searches, `stray` (in between) must not.
    const stray = await groupsApi.createGroup({ group: { profile: { name: `x-${tag}-stray` } } });
    const other = await groupsApi.createGroup({ group: { profile: { name: `${tag}-other` } } });
    try {
      const byQ = await all(await groupsApi.listGroups({ q: tag, limit: 1 }));
      eq(byQ.map((g) => g.id).sort(), [group.id, other.id].sort(), 'groups q over two pages');
      const bySearch = await all(
        await groupsApi.listGroups({ search: `profile.name sw "${tag}"`, limit: 1 }),
      );
      eq(
        bySearch.map((g) => g.id).sort(),
        [group.id, other.id].sort(),
        'groups search over two pages',
      );
      const byOr = await all(
        await groupsApi.listGroups({
          search: `profile.name eq "${groupName}" or profile.name eq "${tag}-other"`,
          limit: 1,
        }),
      );
      eq(byOr.map((g) => g.id), [group.id, other.id], 'groups search (or) over two pages');
      for (const [sortOrder, expected] of [
        ['desc', [other.id, group.id]],
        ['asc', [group.id, other.id]],
      ]) {
        const sorted = await all(
          await groupsApi.listGroups({
            search: `profile.name sw "${tag}"`,
            sortBy: 'profile.name',
            sortOrder,
            limit: 1,
          }),
        );
        eq(sorted.map((g) => g.id), expected, `groups search sortBy=profile.name ${sortOrder}`);
      }
    } finally {
      await groupsApi.deleteGroup({ groupId: other.id });
      await groupsApi.deleteGroup({ groupId: stray.id });
    }
    return null;
  });

  await check('groups: list with filter id eq', async () => {
    const found = await all(await groupsApi.listGroups({ filter: `id eq "${group.id}"` }));
    eq(
      found.map((g) => g.id),
      [group.id],
      'groups filter',
    );
    return null;
  });

  await check('groups: filter on lastUpdated / lastMembershipUpdated (directory sync pass)', async () => {
    // What directory sync sends on every pass after the first: groups changed since `t`.
    const changedSince = async (t) =>
      (
        await all(
          await groupsApi.listGroups({
            filter: `type eq "OKTA_GROUP" and (lastUpdated gt "${t}" or lastMembershipUpdated gt "${t}")`,
          }),
        )
      ).map((g) => g.id);
    const me = await usersApi.getUser({ userId: 'me' });
    const before = await groupsApi.getGroup({ groupId: group.id });
    const since = new Date(
      Math.max(new Date(before.lastUpdated).getTime(), new Date(before.lastMembershipUpdated).getTime()),
    ).toISOString();
    assert(!(await changedSince(since)).includes(group.id), 'an unchanged group was listed');
    // Okta's timestamps have whole seconds: change the membership a second later.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await groupsApi.assignUserToGroup({ groupId: group.id, userId: me.id });
    try {
      const after = await groupsApi.getGroup({ groupId: group.id });
      assert(
        new Date(after.lastMembershipUpdated).getTime() > new Date(since).getTime(),
        'lastMembershipUpdated moved on',
      );
      eq(
        new Date(after.lastUpdated).getTime(),
        new Date(before.lastUpdated).getTime(),
        'lastUpdated (profile) unchanged by a membership change',
      );
      assert((await changedSince(since)).includes(group.id), 'the changed group was not listed');
    } finally {
      await groupsApi.unassignUserFromGroup({ groupId: group.id, userId: me.id });
    }
    await rejects(
      groupsApi.listGroups({ filter: 'lastUpdated gt "yesterday"' }).then(all),
      400,
      'E0000031',
      'groups filter with a bad timestamp',
    );
    return null;
  });

  // --- apps ----------------------------------------------------------------------------------
  const label = `${tag}-app`;
  let app;
  let createdSecret;
  await check('apps: create OIDC web app (oidc_client)', async () => {
    app = await apps.createApplication({ application: oidcWebApp(label) });
    assert(typeof app.id === 'string' && app.id.startsWith('0oa'), `app id ${app.id}`);
    eq(app.name, 'oidc_client', 'app name');
    eq(app.label, label, 'app label');
    eq(app.signOnMode, 'OPENID_CONNECT', 'signOnMode');
    eq(app.status, 'ACTIVE', 'status');
    const oc = app.credentials.oauthClient;
    eq(oc.client_id, app.id, 'client_id');
    assert(typeof oc.client_secret === 'string' && oc.client_secret.length >= 14, 'client_secret');
    createdSecret = oc.client_secret;
    eq(app.settings.oauthClient.redirect_uris, [redirect], 'redirect_uris');
    eq(app.settings.oauthClient.grant_types, ['authorization_code', 'refresh_token'], 'grants');
    return app.id;
  });

  await check('apps: get', async () => {
    const got = await apps.getApplication({ appId: app.id });
    eq(got.id, app.id, 'app id');
    eq(got.label, label, 'app label');
    eq(got.status, 'ACTIVE', 'status');
    eq(got.settings.oauthClient.application_type, 'web', 'application_type');
    assert(got.credentials.oauthClient.client_secret === undefined, 'GET returned client_secret');
    return null;
  });

  await check('apps: list with q', async () => {
    const found = await all(await apps.listApplications({ q: tag }));
    eq(
      found.map((a) => a.id),
      [app.id],
      `apps q=${tag}`,
    );
    return null;
  });

  await check('apps: list with filter', async () => {
    const found = await all(
      await apps.listApplications({ filter: 'status eq "ACTIVE" and name eq "oidc_client"' }),
    );
    assert(
      found.some((a) => a.id === app.id),
      'app missing from filter status eq "ACTIVE" and name eq "oidc_client"',
    );
    assert(
      found.every((a) => a.status === 'ACTIVE' && a.name === 'oidc_client'),
      'filter returned an app that does not match',
    );
    const inactive = await all(await apps.listApplications({ filter: 'status eq "INACTIVE"' }));
    assert(!inactive.some((a) => a.id === app.id), 'active app listed as INACTIVE');
    return `${found.length} app(s)`;
  });

  await check('apps: list pages through Link rel=next', async () => {
    const second = await apps.createApplication({ application: oidcWebApp(`${label}-2`) });
    try {
      const found = await all(await apps.listApplications({ q: tag, limit: 1 }));
      eq(found.map((a) => a.id).sort(), [app.id, second.id].sort(), 'apps over two pages');
    } finally {
      await apps.deactivateApplication({ appId: second.id });
      await apps.deleteApplication({ appId: second.id });
    }
    return null;
  });

  await check('apps: update (replace)', async () => {
    const current = await apps.getApplication({ appId: app.id });
    current.label = `${label}-renamed`;
    current.settings.oauthClient.redirect_uris = [redirect, 'https://other.example.com/callback'];
    const updated = await apps.replaceApplication({ appId: app.id, application: current });
    eq(updated.label, `${label}-renamed`, 'label after update');
    eq(
      updated.settings.oauthClient.redirect_uris,
      [redirect, 'https://other.example.com/callback'],
      'redirect_uris after update',
    );
    eq(updated.credentials.oauthClient.client_secret, createdSecret, 'secret kept on update');
    const got = await apps.getApplication({ appId: app.id });
    eq(got.label, `${label}-renamed`, 'label read back');
    return null;
  });

  await check('apps: invalid update answers 400 E0000001', () =>
    apps.getApplication({ appId: app.id }).then((cur) => {
      cur.settings.oauthClient.redirect_uris = ['https://bad.example.com/cb#fragment'];
      return rejects(
        apps.replaceApplication({ appId: app.id, application: cur }),
        400,
        'E0000001',
        'update with a fragment',
      );
    }),
  );

  // --- client secrets ------------------------------------------------------------------------
  let secrets;
  await check('client secrets: list', async () => {
    secrets = await all(await secretsApi.listOAuth2ClientSecrets({ appId: app.id }));
    eq(secrets.length, 1, 'secrets after create');
    eq(secrets[0].status, 'ACTIVE', 'secret status');
    eq(secrets[0].client_secret, createdSecret, 'listed secret');
    return secrets[0].id;
  });

  let second;
  await check('client secrets: create', async () => {
    second = await secretsApi.createOAuth2ClientSecret({ appId: app.id });
    assert(typeof second.id === 'string' && second.id.length > 0, 'secret id');
    eq(second.status, 'ACTIVE', 'new secret status');
    assert(
      typeof second.client_secret === 'string' && second.client_secret !== createdSecret,
      'new secret value',
    );
    const listed = await all(await secretsApi.listOAuth2ClientSecrets({ appId: app.id }));
    eq(listed.length, 2, 'secrets after second create');
    return second.id;
  });

  await check('client secrets: deleting an ACTIVE secret answers 400', () =>
    rejects(
      secretsApi.deleteOAuth2ClientSecret({ appId: app.id, secretId: secrets[0].id }),
      400,
      'E0000001',
      'delete active',
    ),
  );

  await check('client secrets: deactivate', async () => {
    const deactivated = await secretsApi.deactivateOAuth2ClientSecret({
      appId: app.id,
      secretId: secrets[0].id,
    });
    eq(deactivated.id, secrets[0].id, 'deactivated id');
    eq(deactivated.status, 'INACTIVE', 'status after deactivate');
    return null;
  });

  await check('client secrets: delete', async () => {
    await secretsApi.deleteOAuth2ClientSecret({ appId: app.id, secretId: secrets[0].id });
    const listed = await all(await secretsApi.listOAuth2ClientSecrets({ appId: app.id }));
    eq(
      listed.map((s) => s.id),
      [second.id],
      'secrets after delete',
    );
    return null;
  });

  // --- app group assignments -----------------------------------------------------------------
  await check('app groups: assign', async () => {
    const a = await apps.assignGroupToApplication({
      appId: app.id,
      groupId: group.id,
      applicationGroupAssignment: { priority: 0 },
    });
    eq(a.id, group.id, 'assignment id');
    eq(a.priority, 0, 'assignment priority');
    return null;
  });

  await check('app groups: list', async () => {
    const listed = await all(await apps.listApplicationGroupAssignments({ appId: app.id }));
    eq(
      listed.map((a) => a.id),
      [group.id],
      'assignments',
    );
    const withGroup = await all(
      await apps.listApplicationGroupAssignments({ appId: app.id, expand: 'group' }),
    );
    eq(withGroup[0]._embedded?.group?.profile?.name, groupName, 'expand=group');
    const byFilter = await all(
      await apps.listApplications({ filter: `group.id eq "${group.id}"` }),
    );
    eq(
      byFilter.map((x) => x.id),
      [app.id],
      'apps filter group.id',
    );
    return null;
  });

  await check('app groups: unassign', async () => {
    await apps.unassignApplicationFromGroup({ appId: app.id, groupId: group.id });
    const listed = await all(await apps.listApplicationGroupAssignments({ appId: app.id }));
    eq(listed.length, 0, 'assignments after unassign');
    return null;
  });

  // --- policies (Identity Engine): access policies, their rules, an app mapped to one -------
  const policyApi = client.policyApi;
  const listOf = async (result) => (Array.isArray(result) ? result : all(result));
  let systemPolicy;
  let accessPolicy;
  let accessRule;

  await check('policies: list ACCESS_POLICY holds exactly one system policy', async () => {
    const listed = await listOf(await policyApi.listPolicies({ type: 'ACCESS_POLICY' }));
    const system = listed.filter((p) => p.system === true);
    eq(system.length, 1, 'system ACCESS_POLICY count');
    systemPolicy = system[0];
    const password = await listOf(await policyApi.listPolicies({ type: 'PASSWORD' }));
    assert(password.some((p) => p.system === true), 'a system PASSWORD policy');
    return `${listed.length} access policies, default "${systemPolicy.name}"`;
  });

  await check('policies: unknown type answers 400 E0000002', () =>
    // The list is a lazy Collection: the request goes out when it is read.
    rejects(
      policyApi.listPolicies({ type: 'NOT_A_TYPE' }).then(listOf),
      400,
      'E0000002',
      'bad type',
    ),
  );

  await check('policies: create an access policy with a rule', async () => {
    accessPolicy = await policyApi.createPolicy({
      policy: { type: 'ACCESS_POLICY', name: tag, description: 'sdk check' },
    });
    assert(accessPolicy.id?.startsWith('rst'), `policy id ${accessPolicy.id}`);
    eq(accessPolicy.system, false, 'system');
    accessRule = await policyApi.createPolicyRule({
      policyId: accessPolicy.id,
      policyRule: {
        type: 'ACCESS_POLICY',
        name: `${tag}-rule`,
        actions: {
          appSignOn: {
            access: 'ALLOW',
            verificationMethod: { factorMode: '1FA', type: 'ASSURANCE', reauthenticateIn: 'PT2H' },
          },
        },
      },
    });
    const rules = await listOf(await policyApi.listPolicyRules({ policyId: accessPolicy.id }));
    eq(
      rules.map((r) => r.name),
      [`${tag}-rule`, 'Catch-all Rule'],
      'rules (the catch-all last)',
    );
    const got = await policyApi.getPolicy({ policyId: accessPolicy.id });
    eq(got.name, tag, 'get policy name');
    return null;
  });

  await check('policies: assign an app to the access policy', async () => {
    await apps.assignApplicationPolicy({ appId: app.id, policyId: accessPolicy.id });
    const got = await apps.getApplication({ appId: app.id });
    const href = got._links?.accessPolicy?.href ?? '';
    assert(href.endsWith(`/api/v1/policies/${accessPolicy.id}`), `accessPolicy href ${href}`);
    const mapped = await listOf(await policyApi.listPolicyApps({ policyId: accessPolicy.id }));
    eq(
      mapped.map((a) => a.id),
      [app.id],
      'apps of the policy',
    );
    return null;
  });

  await check('policies: a mapped or system policy is not deleted', async () => {
    await rejects(
      policyApi.deletePolicy({ policyId: accessPolicy.id }),
      400,
      'E0000001',
      'delete mapped policy',
    );
    await rejects(
      policyApi.deletePolicy({ policyId: systemPolicy.id }),
      403,
      'E0000006',
      'delete system policy',
    );
    return null;
  });

  await check('policies: move the app back, delete rule and policy', async () => {
    await apps.assignApplicationPolicy({ appId: app.id, policyId: systemPolicy.id });
    const got = await apps.getApplication({ appId: app.id });
    assert(
      got._links?.accessPolicy?.href?.endsWith(`/api/v1/policies/${systemPolicy.id}`),
      'accessPolicy back to the default',
    );
    await policyApi.deletePolicyRule({ policyId: accessPolicy.id, ruleId: accessRule.id });
    await policyApi.deletePolicy({ policyId: accessPolicy.id });
    await rejects(
      policyApi.getPolicy({ policyId: accessPolicy.id }),
      404,
      'E0000007',
      'get deleted policy',
    );
    return null;
  });

  // --- app lifecycle and delete --------------------------------------------------------------
  await check('apps: deleting an ACTIVE app answers 403 E0000056', () =>
    rejects(apps.deleteApplication({ appId: app.id }), 403, 'E0000056', 'delete active app'),
  );

  await check('apps: deactivate', async () => {
    await apps.deactivateApplication({ appId: app.id });
    const got = await apps.getApplication({ appId: app.id });
    eq(got.status, 'INACTIVE', 'status after deactivate');
    return null;
  });

  await check('apps: delete', async () => {
    await apps.deleteApplication({ appId: app.id });
    await rejects(apps.getApplication({ appId: app.id }), 404, 'E0000007', 'get deleted app');
    return null;
  });

  await check('groups: delete', async () => {
    await groupsApi.deleteGroup({ groupId: group.id });
    await rejects(groupsApi.getGroup({ groupId: group.id }), 404, 'E0000007', 'get deleted group');
    return null;
  });

  // --- authorization servers, claims, scopes, policies ---------------------------------------
  const asApi = client.authorizationServerApi;
  let server;
  await check('authorization servers: the built-in default one', async () => {
    const d = await asApi.getAuthorizationServer({ authServerId: 'default' });
    eq(d.name, 'default', 'default name');
    // The SDK's model has no `default` field; the issuer names the built-in server.
    assert(d.issuer?.endsWith('/oauth2/default'), `default issuer ${d.issuer}`);
    eq(d.audiences, ['api://default'], 'default audiences');
    return d.id;
  });

  await check('authorization servers: create', async () => {
    server = await asApi.createAuthorizationServer({
      authorizationServer: {
        name: tag,
        description: 'sdk check',
        audiences: ['api://sdk-check'],
        credentials: { signing: { rotationMode: 'AUTO' } },
      },
    });
    assert(server.id?.startsWith('aus'), `server id ${server.id}`);
    eq(server.issuerMode, 'ORG_URL', 'issuerMode');
    eq(server.credentials?.signing?.rotationMode, 'AUTO', 'rotationMode');
    return server.id;
  });

  await check('authorization servers: list with q', async () => {
    const listed = await all(await asApi.listAuthorizationServers({ q: tag }));
    eq(
      listed.map((x) => x.id),
      [server.id],
      'servers matching q',
    );
    return null;
  });

  await check('authorization servers: missing fields answer 400 E0000001', () =>
    rejects(
      asApi.createAuthorizationServer({ authorizationServer: { name: `${tag}-x` } }),
      400,
      'E0000001',
      'create without description and audiences',
    ),
  );

  let claim;
  await check('authorization server claims: create a groups claim', async () => {
    claim = await asApi.createOAuth2Claim({
      authServerId: server.id,
      oAuth2Claim: {
        name: 'groups',
        status: 'ACTIVE',
        claimType: 'IDENTITY',
        valueType: 'GROUPS',
        group_filter_type: 'REGEX',
        value: '.*',
        alwaysIncludeInToken: true,
        conditions: { scopes: [] },
      },
    });
    assert(claim.id?.startsWith('ocl'), `claim id ${claim.id}`);
    eq(claim.group_filter_type, 'REGEX', 'group_filter_type');
    return claim.id;
  });

  await check('authorization server claims: list, replace, bad regex, delete', async () => {
    const listed = await all(await asApi.listOAuth2Claims({ authServerId: server.id }));
    assert(listed.some((c) => c.id === claim.id), 'claim not listed');
    assert(listed.some((c) => c.name === 'sub' && c.system), 'system claim sub not listed');
    const replaced = await asApi.replaceOAuth2Claim({
      authServerId: server.id,
      claimId: claim.id,
      oAuth2Claim: { ...claim, group_filter_type: 'STARTS_WITH', value: 'eng' },
    });
    eq(replaced.group_filter_type, 'STARTS_WITH', 'replaced filter');
    await rejects(
      asApi.replaceOAuth2Claim({
        authServerId: server.id,
        claimId: claim.id,
        oAuth2Claim: { ...claim, value: 'eng-(' },
      }),
      400,
      'E0000001',
      'regex that does not compile',
    );
    await asApi.deleteOAuth2Claim({ authServerId: server.id, claimId: claim.id });
    await rejects(
      asApi.getOAuth2Claim({ authServerId: server.id, claimId: claim.id }),
      404,
      'E0000007',
      'get deleted claim',
    );
    return null;
  });

  await check('authorization server scopes: create and delete', async () => {
    const scope = await asApi.createOAuth2Scope({
      authServerId: server.id,
      oAuth2Scope: { name: 'groups', description: 'groups', metadataPublish: 'ALL_CLIENTS' },
    });
    assert(scope.id?.startsWith('scp'), `scope id ${scope.id}`);
    await asApi.deleteOAuth2Scope({ authServerId: server.id, scopeId: scope.id });
    return null;
  });

  await check('authorization server policies: policy and rule', async () => {
    const policy = await asApi.createAuthorizationServerPolicy({
      authServerId: server.id,
      policy: {
        type: 'OAUTH_AUTHORIZATION_POLICY',
        name: 'sdk check',
        description: 'sdk check',
        priority: 1,
        status: 'ACTIVE',
        conditions: { clients: { include: ['ALL_CLIENTS'] } },
      },
    });
    assert(policy.id?.startsWith('00p'), `policy id ${policy.id}`);
    const rule = await asApi.createAuthorizationServerPolicyRule({
      authServerId: server.id,
      policyId: policy.id,
      policyRule: {
        type: 'RESOURCE_ACCESS',
        name: 'everyone',
        priority: 1,
        conditions: {
          grantTypes: { include: ['authorization_code'] },
          people: { groups: { include: ['EVERYONE'] } },
          scopes: { include: ['*'] },
        },
        actions: { token: { accessTokenLifetimeMinutes: 60 } },
      },
    });
    assert(rule.id?.startsWith('0pr'), `rule id ${rule.id}`);
    eq(rule.actions?.token?.refreshTokenWindowMinutes, 10080, 'default refresh window');
    const rules = await all(
      await asApi.listAuthorizationServerPolicyRules({ authServerId: server.id, policyId: policy.id }),
    );
    eq(
      rules.map((r) => r.id),
      [rule.id],
      'rules',
    );
    return null;
  });

  await check('authorization servers: deactivate and delete', async () => {
    await asApi.deactivateAuthorizationServer({ authServerId: server.id });
    await asApi.deleteAuthorizationServer({ authServerId: server.id });
    await rejects(
      asApi.getAuthorizationServer({ authServerId: server.id }),
      404,
      'E0000007',
      'get deleted server',
    );
    return null;
  });

  // The token in use still works (nothing above revoked it).
  await check('users: current user again after the run', async () => {
    const again = await usersApi.getUser({ userId: 'me' });
    eq(again.id, me.id, 'me.id');
    return null;
  });

  console.log(`all ${count} checks passed`);
}

try {
  await main();
} catch (e) {
  const why =
    e instanceof CheckFailed
      ? e.message
      : `${e.constructor?.name ?? 'Error'}: ${e.message}${e.status ? ` (HTTP ${e.status})` : ''}` +
        `${e.errorCauses?.length ? ` causes ${JSON.stringify(e.errorCauses)}` : ''}` +
        `\n${e.stack ?? ''}`;
  console.log(`FAIL ${current}: ${why}`);
  process.exit(1);
}
