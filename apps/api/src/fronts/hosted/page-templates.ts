import Mustache from 'mustache';

/** Per-project branding of the hosted pages (project settings); colours are `#rrggbb`, the logo an https URL. */
export interface Branding {
  displayName?: string | undefined;
  logoUrl?: string | undefined;
  primaryColor?: string | undefined;
  backgroundColor?: string | undefined;
}

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

/**
 * The hosted pages' look: one centred card, system fonts, 16px text, visible focus, WCAG AA contrast,
 * errors in red beside their field. It ships inline (no extra request) and is allowed by its hash in the
 * Content-Security-Policy (see hosted-answer.ts), so no other style can run. A project's colours replace the
 * defaults; they are checked as `#rrggbb` here too, so nothing else can reach the stylesheet.
 */
export function pageStyle(branding?: Branding): string {
  const primary = colour(branding?.primaryColor, '#1d4ed8');
  const background = colour(branding?.backgroundColor, '#f4f4f5');
  return `
*{box-sizing:border-box}
html{color-scheme:light}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px 16px;background:${background};color:#18181b;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{width:100%;max-width:420px;background:#fff;border-radius:12px;padding:32px;box-shadow:0 1px 3px rgba(0,0,0,.08),0 8px 24px rgba(0,0,0,.06)}
.project{margin:0 0 20px;font-size:14px;font-weight:600;color:#52525b}
.logo{display:block;max-height:48px;max-width:200px;margin:0 0 12px}
h1{margin:0 0 16px;font-size:24px;line-height:1.25}
p{margin:0 0 16px}
.notice{padding:12px 14px;border-radius:8px;font-size:15px}
.notice-info{background:#eff6ff;color:#1e3a8a}
.notice-error{background:#fef2f2;color:#991b1b}
.field{margin:0 0 18px}
label{display:block;margin:0 0 6px;font-weight:600;font-size:15px}
.check label{display:inline;font-weight:400;margin-left:8px}
input[type=text],input[type=email],input[type=password],input[type=number]{width:100%;padding:10px 12px;border:1px solid #a1a1aa;border-radius:8px;font:inherit;color:inherit;background:#fff}
input:focus,button:focus,a:focus{outline:3px solid #93c5fd;outline-offset:1px}
input[aria-invalid=true]{border-color:#b91c1c}
.hint{margin:6px 0 0;font-size:14px;color:#52525b}
.field-error{margin:6px 0 0;font-size:14px;color:#b91c1c}
form+form{margin-top:12px}
button{width:100%;padding:12px 16px;border:0;border-radius:8px;background:${primary};color:#fff;font:inherit;font-weight:600;cursor:pointer}
button:hover{filter:brightness(.9)}
button.secondary{background:#fff;color:${primary};border:1px solid #a1a1aa}
.divider{margin:20px 0 8px;text-align:center;font-size:14px;color:#52525b}
.qr{display:block;width:200px;height:200px;margin:0 auto 12px}
.secret{font-family:ui-monospace,monospace;word-break:break-all;background:#f4f4f5;padding:8px;border-radius:6px}
.codes{font-family:ui-monospace,monospace;columns:2}
a{color:${primary}}
.links{margin:20px 0 0;font-size:15px}
`;
}

function colour(value: string | undefined, fallback: string): string {
  return value !== undefined && HEX_COLOUR.test(value) ? value : fallback;
}

/** The document around every page. Mustache escapes every {{value}}; only the fixed CSS is inserted raw. */
export const LAYOUT = `<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{title}} – {{projectName}}</title>
<style>{{{css}}}</style>
</head>
<body>
<main aria-labelledby="page-title">
{{#logoUrl}}<img class="logo" src="{{logoUrl}}" alt="">{{/logoUrl}}
<p class="project">{{projectName}}</p>
<h1 id="page-title">{{title}}</h1>
{{#notices}}
<p class="notice notice-{{kind}}" role="{{role}}">{{text}}</p>
{{/notices}}
{{#paragraphs}}
<p>{{.}}</p>
{{/paragraphs}}
{{#noscript}}<noscript><p class="notice notice-info">{{noscript}}</p></noscript>{{/noscript}}
{{#forms}}
{{#divider}}<p class="divider">{{or}}</p>{{/divider}}
<form method="post" action="{{action}}"{{#passkey}} data-passkey-challenge="{{challenge}}" data-passkey-failed="{{failed}}"{{/passkey}}>
{{#enrollment}}
<p>{{intro}}</p>
{{#qr}}<div class="qr" role="img" aria-label="QR code">{{{qr}}}</div>{{/qr}}
{{#secret}}<p>{{keyLabel}}</p><p class="secret" id="totp-secret">{{secret}}</p>{{/secret}}
{{/enrollment}}
{{#codes.length}}<ul class="codes">{{#codes}}<li>{{.}}</li>{{/codes}}</ul>{{/codes.length}}
{{#hidden}}
<input type="hidden" name="{{name}}" value="{{value}}">
{{/hidden}}
{{#fields}}
{{#checkbox}}
<div class="field check">
<input type="checkbox" id="{{id}}" name="{{name}}" value="true"{{#checked}} checked{{/checked}}{{#required}} required{{/required}}{{#error}} aria-invalid="true" aria-describedby="{{id}}-error"{{/error}}><label for="{{id}}">{{label}}</label>
{{#error}}<p class="field-error" id="{{id}}-error">{{error}}</p>{{/error}}
</div>
{{/checkbox}}
{{^checkbox}}
<div class="field">
<label for="{{id}}">{{label}}</label>
<input type="{{type}}" id="{{id}}" name="{{name}}"{{#value}} value="{{value}}"{{/value}}{{#autocomplete}} autocomplete="{{autocomplete}}"{{/autocomplete}}{{#inputmode}} inputmode="{{inputmode}}"{{/inputmode}}{{#required}} required aria-required="true"{{/required}}{{#describedBy}} aria-describedby="{{describedBy}}"{{/describedBy}}{{#error}} aria-invalid="true"{{/error}}>
{{#hint}}<p class="hint" id="{{id}}-hint">{{hint}}</p>{{/hint}}
{{#error}}<p class="field-error" id="{{id}}-error">{{error}}</p>{{/error}}
</div>
{{/checkbox}}
{{/fields}}
<button type="submit"{{#secondary}} class="secondary"{{/secondary}}>{{submit}}</button>
</form>
{{/forms}}
{{#links.length}}
<p class="links">{{#links}}<a href="{{href}}">{{label}}</a> {{/links}}</p>
{{/links.length}}
</main>
{{#scripts}}
<script src="{{.}}"></script>
{{/scripts}}
</body>
</html>
`;

/** Submits the form post response at once; allowed by its hash, like the stylesheet. */
const FORM_POST_SCRIPT = 'document.forms[0].submit()';

/**
 * OAuth 2.0 Form Post Response Mode: the response params as hidden fields of a form that posts itself to the
 * redirect_uri (a button where scripts are off).
 */
export function formPostPage(view: {
  action: string;
  params: Record<string, string>;
  title: string;
  submit: string;
  lang: string;
}): string {
  return Mustache.render(FORM_POST_LAYOUT, {
    ...view,
    fields: Object.entries(view.params).map(([name, value]) => ({ name, value })),
    css: pageStyle(),
    script: FORM_POST_SCRIPT,
  });
}

const FORM_POST_LAYOUT = `<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex">
<title>{{title}}</title>
<style>{{{css}}}</style>
</head>
<body>
<main>
<h1>{{title}}</h1>
<form method="post" action="{{action}}">
{{#fields}}
<input type="hidden" name="{{name}}" value="{{value}}">
{{/fields}}
<button type="submit">{{submit}}</button>
</form>
</main>
<script>{{{script}}}</script>
</body>
</html>
`;
