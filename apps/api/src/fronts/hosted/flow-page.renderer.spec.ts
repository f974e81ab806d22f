import type { FlowStepResponse } from '@keyway/flow-types';
import { FlowPageRenderer } from './flow-page.renderer';
import { pageStyle } from './page-templates';
import { contentSecurityPolicy, formTargetOf } from './hosted-answer';
import { createHash } from 'node:crypto';

const renderer = new FlowPageRenderer();
const context = { projectName: 'Acme', action: 'https://id.example/t/acme/ui/registration', csrfToken: 'c'.repeat(43) };

function step(overrides: Partial<FlowStepResponse['nextStep']> = {}): FlowStepResponse {
  return {
    flowId: '11111111-2222-4333-8444-555555555555',
    flowStatus: 'INCOMPLETE',
    flowType: 'REGISTRATION',
    links: [],
    nextStep: {
      stepType: 'AUTHENTICATOR_PROMPT',
      authenticators: [
        {
          authenticatorId: 'UGFzc3dvcmRSZWdpc3RyYXRpb246TE9DQUw',
          authenticator: 'Password registration',
          idp: 'LOCAL',
          metadata: {
            i18nKey: 'action.password.registration',
            promptType: 'USER_PROMPT',
            // Deliberately out of order: the page follows `order`, not the array.
            params: [
              {
                param: 'password',
                type: 'STRING',
                order: 2,
                i18nKey: 'param.password',
                displayName: 'Password',
                confidential: true,
              },
              {
                param: 'traits.email',
                type: 'STRING',
                order: 0,
                i18nKey: 'param.email',
                displayName: 'E-mail',
                confidential: false,
              },
              {
                param: 'traits.newsletter',
                type: 'BOOLEAN',
                order: 1,
                i18nKey: 'param.newsletter',
                displayName: 'Newsletter',
                confidential: false,
              },
            ],
          },
          requiredParams: ['traits.email', 'password'],
        },
      ],
      ...overrides,
    },
  };
}

/** The input elements of a page, in document order, as tag strings. */
const inputs = (html: string) => [...html.matchAll(/<input [^>]*>/g)].map((m) => m[0]);

describe('FlowPageRenderer', () => {
  it('renders the params as labelled fields in their order, confidential ones as password inputs', () => {
    const html = renderer.step(step(), context);
    const visible = inputs(html).filter((tag) => !tag.includes('type="hidden"'));
    expect(visible.map((tag) => /name="([^"]+)"/.exec(tag)?.[1])).toEqual([
      'traits.email',
      'traits.newsletter',
      'password',
    ]);
    expect(visible[0]).toContain('type="email"');
    expect(visible[0]).toContain('autocomplete="email"');
    expect(visible[0]).toContain('required');
    expect(visible[1]).toContain('type="checkbox"');
    expect(visible[1]).not.toContain('required');
    expect(visible[2]).toContain('type="password"');
    expect(visible[2]).toContain('autocomplete="new-password"');
    expect(html).toContain('<label for="field-traits.email">E-mail</label>');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<h1 id="page-title">Create your account</h1>');
  });

  it('posts the AuthnRequest fields: flowId, authenticatorId and the CSRF token as hidden fields', () => {
    const html = renderer.step(step(), context);
    const hidden = inputs(html).filter((tag) => tag.includes('type="hidden"'));
    expect(hidden).toEqual([
      '<input type="hidden" name="flowId" value="11111111-2222-4333-8444-555555555555">',
      '<input type="hidden" name="authenticatorId" value="UGFzc3dvcmRSZWdpc3RyYXRpb246TE9DQUw">',
      `<input type="hidden" name="csrf_token" value="${'c'.repeat(43)}">`,
    ]);
    expect(html).toContain(
      '<form method="post" action="https:&#x2F;&#x2F;id.example&#x2F;t&#x2F;acme&#x2F;ui&#x2F;registration">',
    );
  });

  it('shows a message with a field context beside its field, and the others as notices', () => {
    const html = renderer.step(
      step({
        messages: [
          {
            type: 'ERROR',
            messageId: 'msg_trait_invalid',
            message: 'traits.email: must be an email address',
            i18nKey: 'k',
            context: [{ key: 'field', value: 'traits.email' }],
          },
          { type: 'ERROR', messageId: 'msg_too_many', message: 'Something general', i18nKey: 'k' },
          {
            type: 'INFO',
            messageId: 'msg_info',
            message: 'For your information',
            i18nKey: 'k',
            context: [{ key: 'field', value: 'not.a.field' }],
          },
        ],
      }),
      context,
    );
    const email = inputs(html).find((tag) => tag.includes('name="traits.email"'))!;
    expect(email).toContain('aria-invalid="true"');
    expect(email).toContain('aria-describedby="field-traits.email-error"');
    expect(html).toContain('<p class="field-error" id="field-traits.email-error">must be an email address</p>');
    expect(html).toContain('<p class="notice notice-error" role="alert">Something general</p>');
    expect(html).toContain('<p class="notice notice-info" role="status">For your information</p>');
    expect(inputs(html).find((tag) => tag.includes('name="password"'))).not.toContain('aria-invalid');
  });

  it('refills typed values except confidential ones', () => {
    const html = renderer.step(step(), {
      ...context,
      values: { 'traits.email': 'a@example.com', password: 'secret-value', 'traits.newsletter': 'true' },
    });
    expect(inputs(html).find((tag) => tag.includes('name="traits.email"'))).toContain('value="a@example.com"');
    expect(inputs(html).find((tag) => tag.includes('name="traits.newsletter"'))).toContain(' checked');
    expect(html).not.toContain('secret-value');
  });

  it('escapes hostile values everywhere they appear', () => {
    const evil = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
    const hostile = step({
      messages: [
        {
          type: 'ERROR',
          messageId: 'm',
          message: `traits.email: ${evil}`,
          i18nKey: 'k',
          context: [{ key: 'field', value: 'traits.email' }],
        },
      ],
    });
    hostile.nextStep.authenticators[0]!.metadata.params![1]!.displayName = evil;
    const html = renderer.step(hostile, {
      ...context,
      projectName: evil,
      values: { 'traits.email': evil },
      hidden: { restart: evil },
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/"><script/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;&#x2F;script&gt;');
    const notice = renderer.notice({
      projectName: evil,
      title: evil,
      paragraphs: [evil],
      links: [{ href: `javascript:${evil}`, label: evil }],
    });
    expect(notice).not.toContain('<script>');
    expect(notice).not.toContain('<img');
  });

  it('renders a step without user params (a link to open from the mail) without a form', () => {
    const html = renderer.step(
      step({
        authenticators: [
          {
            authenticatorId: 'x',
            authenticator: 'Email verification link',
            idp: 'LOCAL',
            metadata: { i18nKey: 'action.email.verification.link', promptType: 'INTERNAL_PROMPT', params: [] },
          },
        ],
        messages: [{ type: 'INFO', messageId: 'msg_verification_link_sent', message: 'We sent a link.', i18nKey: 'k' }],
      }),
      context,
    );
    expect(html).not.toContain('<form');
    expect(html).toContain('<h1 id="page-title">Check your email</h1>');
    expect(html).toContain('We sent a link.');
  });

  it('ships its stylesheet under the CSP hash, and nothing else may load', () => {
    const html = renderer.notice({ projectName: 'Acme', title: 'Done' });
    const css = pageStyle();
    expect(html).toContain(`<style>${css}</style>`);
    const hash = `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
    const csp = contentSecurityPolicy(html, [
      formTargetOf('com.example.app:/oauth2redirect')!,
      formTargetOf('http://127.0.0.1:5000/cb')!,
    ]);
    expect(csp).toBe(
      `default-src 'none'; style-src ${hash}; form-action 'self' com.example.app: http://127.0.0.1:5000; frame-ancestors 'none'; base-uri 'none'`,
    );
    expect(formTargetOf(undefined)).toBeUndefined();
  });

  it('allows exactly the scripts and the logo a page carries', () => {
    const html = renderer.notice({
      projectName: 'Acme',
      title: 'Done',
      branding: { logoUrl: 'https://cdn.example.com/logo.svg?v=1&x=2', primaryColor: '#112233' },
    });
    expect(html).toContain('#112233');
    expect(contentSecurityPolicy(html)).toContain(`img-src https://cdn.example.com;`);
    expect(contentSecurityPolicy(html)).not.toContain('script-src');
  });

  it('keeps anything but #rrggbb colours out of the stylesheet', () => {
    const css = pageStyle({ primaryColor: 'red;}body{display:none', backgroundColor: '#abcdef' });
    expect(css).not.toContain('display:none');
    expect(css).toContain('#abcdef');
  });

  describe('login pages', () => {
    const login = { ...context, action: 'https://id.example/t/acme/ui/login', purpose: 'login' as const };
    const basic = {
      authenticatorId: 'QmFzaWNBdXRoZW50aWNhdG9yOkxPQ0FM',
      authenticator: 'Username & Password',
      idp: 'LOCAL',
      metadata: {
        i18nKey: 'authenticator.basic',
        promptType: 'USER_PROMPT' as const,
        params: [
          {
            param: 'username',
            type: 'STRING' as const,
            order: 0,
            i18nKey: 'username.param',
            displayName: 'Username',
            confidential: false,
          },
          {
            param: 'password',
            type: 'STRING' as const,
            order: 1,
            i18nKey: 'password.param',
            displayName: 'Password',
            confidential: true,
          },
        ],
      },
      requiredParams: ['username', 'password'],
    };
    const passkey = (challengeData?: string) => ({
      authenticatorId: 'RklET0F1dGhlbnRpY2F0b3I6TE9DQUw',
      authenticator: 'Passkey',
      idp: 'LOCAL',
      metadata: challengeData
        ? { i18nKey: 'authenticator.Fido', promptType: 'INTERNAL_PROMPT' as const, additionalData: { challengeData } }
        : { i18nKey: 'authenticator.Fido' },
      ...(challengeData ? { requiredParams: ['tokenResponse'] } : {}),
    });
    const page = (authenticators: unknown[], more: object = {}) =>
      renderer.step(
        {
          flowId: '11111111-2222-4333-8444-555555555555',
          nextStep: {
            stepType: authenticators.length > 1 ? 'MULTI_OPTIONS_PROMPT' : 'AUTHENTICATOR_PROMPT',
            authenticators,
          } as FlowStepResponse['nextStep'],
        },
        { ...login, ...more },
      );

    it('asks for the existing password, and offers passkeys in the username field when a passkey is offered', () => {
      const html = page([basic, passkey('Y2hhbGxlbmdl')]);
      expect(html).toContain('<h1 id="page-title">Choose how to sign in</h1>');
      expect(inputs(html).find((tag) => tag.includes('name="password"'))).toContain('autocomplete="current-password"');
      expect(inputs(html).find((tag) => tag.includes('name="username"'))).toContain('autocomplete="username webauthn"');
      // The passkey's form carries its challenge for the script, and an empty answer field the script fills.
      expect(html).toContain('data-passkey-challenge="Y2hhbGxlbmdl"');
      expect(html).toContain('name="tokenResponse" value=""');
      expect(html).toContain('<noscript>');
    });

    it('offers an option that is not yet selected as a button selecting it', () => {
      const html = page([basic, passkey()]);
      expect(html).toContain('<button type="submit" class="secondary">Use Passkey</button>');
      expect(html).toContain('<p class="divider">or</p>');
      expect(inputs(html).find((tag) => tag.includes('name="username"'))).toContain('autocomplete="username webauthn"');
    });

    it('shows an enrollment’s QR code and key', () => {
      const totp = {
        authenticatorId: 'dG90cDpMT0NBTA',
        authenticator: 'TOTP',
        idp: 'LOCAL',
        metadata: {
          i18nKey: 'authenticator.totp',
          promptType: 'USER_PROMPT' as const,
          params: [
            {
              param: 'token',
              type: 'STRING' as const,
              order: 0,
              i18nKey: 'totp.authenticator',
              displayName: 'Token',
              confidential: false,
            },
          ],
          additionalData: { enrollment: 'true', secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/x' },
        },
        requiredParams: ['token'],
      };
      const html = page([totp], { qrCodes: { dG90cDpMT0NBTA: '<svg id="qr"></svg>' } });
      expect(html).toContain('<svg id="qr"></svg>');
      expect(html).toContain('<p class="secret" id="totp-secret">JBSWY3DPEHPK3PXP</p>');
      expect(html).toContain('<label for="field-token">Verification code</label>');
      expect(inputs(html).find((tag) => tag.includes('name="token"'))).toContain('autocomplete="one-time-code"');
    });

    it('speaks German, translating flow messages by their i18nKey', () => {
      const html = renderer.step(
        {
          flowId: '11111111-2222-4333-8444-555555555555',
          nextStep: {
            stepType: 'AUTHENTICATOR_PROMPT',
            authenticators: [basic],
            messages: [
              {
                type: 'ERROR',
                messageId: 'msg_invalid_un_pw',
                message: 'Invalid username or password.',
                i18nKey: 'message.msg_invalid_un_pw',
              },
            ],
          } as FlowStepResponse['nextStep'],
        },
        { ...login, lang: 'de' },
      );
      expect(html).toContain('<html lang="de">');
      expect(html).toContain('<h1 id="page-title">Anmelden</h1>');
      expect(html).toContain('Benutzername oder Passwort ist falsch.');
      expect(html).toContain('<label for="field-password">Passwort</label>');
    });
  });
});
