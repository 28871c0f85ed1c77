// A local OpenID provider for the single sign-on test: the certified `oidc-provider` package with
// one client (Clinlead), a few accounts and its development login form. Configured by one JSON
// argument: {"port", "clinlead", "client_id", "client_secret", "accounts": {login: email}}.
// Prints "ready <issuer>" once it listens.
import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${config.port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    redirect_uris: [`${config.clinlead}/oidc/callback/`],
    post_logout_redirect_uris: [`${config.clinlead}/accounts/login/`],
    // mozilla-django-oidc sends its credentials in the token request's body.
    token_endpoint_auth_method: 'client_secret_post',
  }],
  // The development login form takes any login; only the accounts below exist.
  async findAccount(ctx, id) {
    const email = config.accounts[id];
    if (!email) return undefined;
    return {
      accountId: id,
      async claims() { return { sub: id, email, email_verified: true, name: id }; },
    };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // Clinlead is a confidential client (it has a secret); PKCE stays optional for it.
  pkce: { required: () => false },
  cookies: { keys: ['clinlead-sso-test-only'] },
});

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
