import { createHash } from 'node:crypto';

/**
 * The hosted pages' look: one centred card, system fonts, 16px text, visible focus, WCAG AA contrast,
 * errors in red beside their field. It ships inline (no extra request) and is allowed by its hash in the
 * Content-Security-Policy, so no other style can run.
 */
export const PAGE_CSS = `
*{box-sizing:border-box}
html{color-scheme:light}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px 16px;background:#f4f4f5;color:#18181b;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{width:100%;max-width:420px;background:#fff;border-radius:12px;padding:32px;box-shadow:0 1px 3px rgba(0,0,0,.08),0 8px 24px rgba(0,0,0,.06)}
.project{margin:0 0 20px;font-size:14px;font-weight:600;color:#52525b}
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
button{width:100%;padding:12px 16px;border:0;border-radius:8px;background:#1d4ed8;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button:hover{background:#1e40af}
a{color:#1d4ed8}
.links{margin:20px 0 0;font-size:15px}
`;

/** CSP source for the stylesheet above: its SHA-256, so `style-src` needs no 'unsafe-inline'. */
export const PAGE_CSS_HASH = `'sha256-${createHash('sha256').update(PAGE_CSS).digest('base64')}'`;

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
<p class="project">{{projectName}}</p>
<h1 id="page-title">{{title}}</h1>
{{#notices}}
<p class="notice notice-{{kind}}" role="{{role}}">{{text}}</p>
{{/notices}}
{{#paragraphs}}
<p>{{.}}</p>
{{/paragraphs}}
{{#forms}}
<form method="post" action="{{action}}">
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
<button type="submit">{{submit}}</button>
</form>
{{/forms}}
{{#links.length}}
<p class="links">{{#links}}<a href="{{href}}">{{label}}</a> {{/links}}</p>
{{/links.length}}
</main>
</body>
</html>
`;
