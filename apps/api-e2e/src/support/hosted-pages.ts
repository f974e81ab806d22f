import { parseSetCookie } from 'cookie';

// The hosted pages ({issuer}/ui/…) as a browser uses them, without rendering: a cookie jar, forms read out of
// the served HTML and posted back form-encoded.

/** A browser, minus rendering: keeps cookies per name, follows nothing by itself. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Page> {
    return this.receive(await fetch(url, { headers: this.headers(), redirect: 'manual' }));
  }

  async post(url: string, fields: Record<string, string>): Promise<Page> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });
    return this.receive(response);
  }

  /** Fills a page's form like a user: its hidden fields as served, plus what was typed. */
  submit(page: Page, typed: Record<string, string>, override: Record<string, string> = {}): Promise<Page> {
    const form = page.form();
    return this.post(form.action, { ...form.hidden, ...typed, ...override });
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  private headers(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') } : {};
  }

  private async receive(response: Response): Promise<Page> {
    for (const header of response.headers.getSetCookie()) {
      const cookie = parseSetCookie(header);
      this.cookies.set(cookie.name, cookie.value ?? '');
    }
    return new Page(response.status, response.headers, await response.text());
  }
}

/** Mustache escapes these; a browser decodes them. */
export const decode = (text: string) =>
  text.replace(
    /&(amp|lt|gt|quot|#39|#x2F|#x60|#x3D);/g,
    (_, entity: string) =>
      ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x2F': '/', '#x60': '`', '#x3D': '=' })[entity]!,
  );

export interface PageForm {
  action: string;
  hidden: Record<string, string>;
  fields: string[];
}

export class Page {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly html: string,
  ) {}

  get title(): string {
    return decode(/<h1 id="page-title">([^<]*)<\/h1>/.exec(this.html)?.[1] ?? '');
  }

  get location(): string | null {
    return this.headers.get('location');
  }

  form(): PageForm {
    const [form] = this.forms();
    if (!form) throw new Error(`no form in page "${this.title}" (${this.status}):\n${this.html}`);
    return form;
  }

  /** Every form of the page, in order (a step's own form, then the buttons offering its other options). */
  forms(): PageForm[] {
    return [...this.html.matchAll(/<form method="post" action="([^"]*)">([\s\S]*?)<\/form>/g)].map((form) => {
      const inputs = [...form[2]!.matchAll(/<input type="([^"]+)"[^>]*name="([^"]+)"(?: value="([^"]*)")?/g)];
      return {
        action: decode(form[1]!),
        hidden: Object.fromEntries(
          inputs.filter((m) => m[1] === 'hidden').map((m) => [decode(m[2]!), decode(m[3] ?? '')]),
        ),
        fields: inputs.filter((m) => m[1] !== 'hidden').map((m) => decode(m[2]!)),
      };
    });
  }

  /** The message shown beside a field, if any. */
  fieldError(param: string): string | undefined {
    const match = new RegExp(`<p class="field-error" id="field-${param.replace(/\./g, '\\.')}-error">([^<]*)</p>`).exec(
      this.html,
    );
    return match ? decode(match[1]!) : undefined;
  }

  inputTag(param: string): string | undefined {
    return new RegExp(`<input [^>]*name="${param.replace(/\./g, '\\.')}"[^>]*>`).exec(this.html)?.[0];
  }

  notices(): string[] {
    return [...this.html.matchAll(/<p class="notice [^"]+" role="[^"]+">([^<]*)<\/p>/g)].map((m) => decode(m[1]!));
  }

  links(): Array<{ href: string; label: string }> {
    return [...this.html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => ({
      href: decode(m[1]!),
      label: decode(m[2]!),
    }));
  }
}
