/**
 * A real OpenID Connect provider for sign-in tests: panva's oidc-provider on a free port of this machine, with its
 * own accounts and its development login form (any password is accepted for a known login). Samtykke talks to it
 * over HTTP exactly as to a company's provider.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';

export interface TestAccount {
  /** What is typed in the provider's login form; also the subject. */
  readonly login: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly name?: string;
}

/**
 * A client the provider mistreats, as a faulty or hostile provider would. The token is still the real provider's,
 * signed with its key and returned from its token endpoint; only its audience or its times are wrong.
 */
export type Misbehaviour =
  /** The ID token is issued to this other client of the provider. */
  | { readonly audience: string }
  /** The ID token was issued and expired this many seconds ago, as from a provider whose clock runs behind. */
  | { readonly expiredSecondsAgo: number };

export interface TestClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly misbehaviour?: Misbehaviour;
}

export interface OidcTestProvider {
  /** `http://localhost:<port>`: another site than the Samtykke under test on 127.0.0.1, as a real provider is. */
  readonly issuer: string;
  close(): Promise<void>;
}

const SCOPES = 'openid email profile';

export async function startOidcProvider(options: { clients: readonly TestClient[]; accounts: readonly TestAccount[] }): Promise<OidcTestProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
  const accounts = new Map(options.accounts.map((account) => [account.login, account]));
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

  const provider = new Provider(issuer, {
    clients: options.clients.map(
      (client): ClientMetadata => ({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [...client.redirectUris],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      }),
    ),
    jwks: { keys: [{ ...signingKey, kid: 'test-signing-key', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['oidc-provider test cookie key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 300, Interaction: 600, Session: 3600 },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, email: account.email, email_verified: account.emailVerified, ...(account.name ? { name: account.name } : {}) }),
      };
    },
    // Samtykke is the company's own application: no consent screen, as providers set it up for first-party apps.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = session.grantIdFor(client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(SCOPES);
      await grant.save();
      return grant;
    },
  });
  misbehave(provider, options.clients);
  // The development interactions warn on every start; the tests know.
  provider.on('server_error', (_ctx, error) => console.error('oidc-provider server_error', error));
  server.on('request', provider.callback());
  return {
    issuer,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Makes the provider issue the wrong ID token to the clients that ask for it (see Misbehaviour). */
function misbehave(provider: Provider, clients: readonly TestClient[]): void {
  const faults = new Map(clients.filter((client) => client.misbehaviour).map((client) => [client.clientId, client.misbehaviour!]));
  if (faults.size === 0) return;
  type IdToken = InstanceType<typeof provider.IdToken>;
  const prototype = provider.IdToken.prototype as IdToken;
  const issue = prototype.issue;
  prototype.issue = async function issueMisbehaving(this: IdToken, context) {
    const fault = context.use === 'idtoken' ? faults.get(this.client.clientId) : undefined;
    if (!fault) return issue.call(this, context);
    if ('audience' in fault) {
      const other = await provider.Client.find(fault.audience);
      if (!other) throw new Error(`No client ${fault.audience} at the test provider`);
      // The audience is the client the token is issued to.
      (this as { client: IdToken['client'] }).client = other;
      return issue.call(this, context);
    }
    // Both times from the slow clock: issued a while ago, for a few minutes, and over by now.
    const now = Math.floor(Date.now() / 1000);
    this.set('iat', now - fault.expiredSecondsAgo - 300);
    return issue.call(this, { ...context, expiresAt: now - fault.expiredSecondsAgo });
  };
}

/**
 * What a browser does between the sign-in page and the callback, without one: follows the redirects to the
 * provider, submits its login form, and stops at the redirect back to Samtykke. Cookies are kept per host.
 */
export async function passThroughProvider(authorizationUrl: string, login: string, callbackPrefix: string): Promise<URL> {
  const jar = new Map<string, string>();
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      jar.set(name!.trim(), value.join('='));
    }
  };
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  let url = authorizationUrl;
  for (let step = 0; step < 10; step++) {
    if (url.startsWith(callbackPrefix)) return new URL(url);
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: cookie() } });
    remember(response);
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url).href;
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"[^>]*method="post"/.exec(html)?.[1];
    if (!action || !html.includes('name="login"')) throw new Error(`The provider showed no login form (${response.status}): ${html.slice(0, 400)}`);
    const submitted = await fetch(new URL(action, url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login, password: 'any password will do' }),
    });
    remember(submitted);
    url = new URL(submitted.headers.get('location')!, url).href;
  }
  throw new Error('The provider never sent the browser back');
}
