import { DEFAULT_TEMPLATES, GERMAN_TEMPLATES, TEST_EMAIL } from './default-templates';
import { canonicalLocale, EMAIL_KIND_NAMES, EMAIL_KINDS, localeChain } from '../projects/email-kinds';
import { MAX_SECTION_DEPTH, renderTemplate, templateProblems } from './template-renderer';

describe('email templates', () => {
  it.each(EMAIL_KIND_NAMES)('ships a valid default for %s that renders every variable', (kind) => {
    const template = DEFAULT_TEMPLATES[kind];
    expect(templateProblems(template, EMAIL_KINDS[kind])).toEqual([]);
    const variables = Object.fromEntries(EMAIL_KINDS[kind].map((name) => [name, `«${name}»`]));
    const rendered = renderTemplate(template, variables);
    expect(rendered.subject).toContain('«projectName»');
    expect(rendered.html).toContain('lang="en"');
    expect(rendered.html).not.toMatch(/{{|}}/);
    expect(rendered.text).not.toMatch(/{{|}}/);
    for (const name of ['code', 'link']) {
      if ((EMAIL_KINDS[kind] as readonly string[]).includes(name)) {
        expect(rendered.html).toContain(`«${name}»`);
        expect(rendered.text).toContain(`«${name}»`);
      }
    }
  });

  it.each(EMAIL_KIND_NAMES)('ships a German %s with the same variables, marked lang="de"', (kind) => {
    const template = GERMAN_TEMPLATES[kind];
    expect(templateProblems(template, EMAIL_KINDS[kind])).toEqual([]);
    const variables = Object.fromEntries(EMAIL_KINDS[kind].map((name) => [name, `«${name}»`]));
    const german = renderTemplate(template, variables);
    const english = renderTemplate(DEFAULT_TEMPLATES[kind], variables);
    expect(german.html).toContain('lang="de"');
    expect(german.html).toContain('Gesendet von «projectName» an «email».');
    expect(german.subject).not.toBe(english.subject);
    expect(german.text).not.toMatch(/{{|}}/);
    // Every variable the English template shows, the German one shows too.
    for (const name of EMAIL_KINDS[kind]) {
      if (english.text.includes(`«${name}»`)) expect(german.text).toContain(`«${name}»`);
      if (english.html.includes(`«${name}»`)) expect(german.html).toContain(`«${name}»`);
    }
  });

  it('the test email is valid too', () => {
    expect(templateProblems(TEST_EMAIL, ['projectName', 'email'])).toEqual([]);
  });

  it('escapes variables in HTML, not in the plain-text parts', () => {
    const name = `<a href="https://evil.example">Bob</a> & 'co'`;
    const rendered = renderTemplate(DEFAULT_TEMPLATES.welcome, {
      projectName: 'Acme & Sons',
      name,
      email: 'bob@example.com',
    });
    expect(rendered.html).not.toContain('<a href="https://evil.example">');
    expect(rendered.html).toContain(
      '&lt;a href&#x3D;&quot;https:&#x2F;&#x2F;evil.example&quot;&gt;Bob&lt;&#x2F;a&gt; &amp; &#39;co&#39;',
    );
    expect(rendered.text).toContain(`Hi ${name},`);
    expect(rendered.subject).toBe('Welcome to Acme & Sons');
  });

  it('keeps the subject on one line', () => {
    const rendered = renderTemplate(
      { subject: 'Hi {{name}}', html: 'x', text: 'x' },
      { name: 'Bob\r\nBcc: victim@example.com' },
    );
    expect(rendered.subject).toBe('Hi Bob Bcc: victim@example.com');
  });

  it('optional variables render as sections', () => {
    const rendered = renderTemplate(DEFAULT_TEMPLATES.new_sign_in, {
      projectName: 'P',
      email: 'e@x',
      signedInAt: 'today',
    });
    expect(rendered.text).toContain('Hello,');
    expect(rendered.text).toContain('signed in to on today.');
  });

  it('refuses templates that do not compile, name unknown variables, use partials or unescaped HTML', () => {
    const allowed = EMAIL_KINDS.login_otp;
    expect(
      templateProblems(
        { subject: 'Code {{code}}', html: '<p>{{code}}</p>', text: '{{#name}}Hi {{name}}{{/name}} {{code}}' },
        allowed,
      ),
    ).toEqual([]);
    expect(templateProblems({ subject: 'Code {{code', html: 'x', text: 'x' }, allowed)).toEqual([
      expect.stringMatching(/^subject: Unclosed tag/),
    ]);
    expect(templateProblems({ subject: 'x', html: '{{#name}}x', text: 'x' }, allowed)).toEqual([
      expect.stringMatching(/^html: Unclosed section/),
    ]);
    expect(templateProblems({ subject: 'x', html: '<p>{{password}}</p>', text: '{{link}}' }, allowed)).toEqual([
      expect.stringMatching(/^html: unknown variable 'password'/),
      expect.stringMatching(/^text: unknown variable 'link'/),
    ]);
    expect(templateProblems({ subject: 'x', html: '{{{code}}} {{& name}}', text: '{{> footer}}' }, allowed)).toEqual([
      "html: unescaped output of 'code' is not allowed in HTML; use {{code}}",
      "html: unescaped output of 'name' is not allowed in HTML; use {{name}}",
      'text: partials ({{> footer}}) are not supported',
    ]);
    // Unescaped output is fine in plain text, where there is no markup to inject.
    expect(templateProblems({ subject: '{{{code}}}', html: 'x', text: '{{{name}}}' }, allowed)).toEqual([]);
  });

  it('refuses sections nested deeper than rendering can recurse, without overflowing the stack itself', () => {
    const allowed = EMAIL_KINDS.login_otp;
    const nested = (depth: number) => `${'{{#name}}'.repeat(depth)}x${'{{/name}}'.repeat(depth)}`;
    expect(templateProblems({ subject: 'x', html: nested(MAX_SECTION_DEPTH), text: 'x' }, allowed)).toEqual([]);
    expect(templateProblems({ subject: 'x', html: 'x', text: nested(5000) }, allowed)).toEqual([
      `text: sections ({{#…}} / {{^…}}) are nested more than ${MAX_SECTION_DEPTH} deep`,
    ]);
    expect(templateProblems({ subject: nested(MAX_SECTION_DEPTH + 1), html: 'x', text: 'x' }, allowed)).toHaveLength(1);
  });

  it('canonicalises BCP 47 tags and falls back language, then English', () => {
    expect(canonicalLocale('de-ch')).toBe('de-CH');
    expect(canonicalLocale('not a tag')).toBeUndefined();
    expect(localeChain('de-CH')).toEqual(['de-CH', 'de', 'en']);
    expect(localeChain('en-GB')).toEqual(['en-GB', 'en']);
    expect(localeChain('en')).toEqual(['en']);
  });
});
