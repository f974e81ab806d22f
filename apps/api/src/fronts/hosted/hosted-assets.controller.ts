import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

export const WEBAUTHN_LIBRARY_PATH = '/ui-assets/simplewebauthn-browser.js';
export const PASSKEY_SCRIPT_PATH = '/ui-assets/passkey.js';

/**
 * The passkey step of the hosted login: every form carrying a challenge (data-passkey-challenge = the app-native
 * `challengeData`, base64url JSON {requestId, publicKeyCredentialRequestOptions}) runs the browser's ceremony
 * through @simplewebauthn/browser when submitted, and posts `tokenResponse` = base64url JSON {requestId,
 * credential}, exactly what a native app sends. A username field marked `webauthn` also gets the browser's
 * passkey autofill (conditional mediation) with the same challenge.
 */
const PASSKEY_SCRIPT = `(function () {
  'use strict';
  var lib = window.SimpleWebAuthnBrowser;
  function decode(value) {
    var base64 = value.replace(/-/g, '+').replace(/_/g, '/');
    while (base64.length % 4) base64 += '=';
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return JSON.parse(new TextDecoder().decode(bytes));
  }
  function encode(value) {
    var bytes = new TextEncoder().encode(JSON.stringify(value));
    var binary = '';
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  }
  function answer(form, challenge, credential) {
    form.elements.namedItem('tokenResponse').value = encode({ requestId: challenge.requestId, credential: credential });
    form.submit();
  }
  function fail(form) {
    var notice = form.previousElementSibling;
    if (!notice || !notice.hasAttribute('data-passkey-error')) {
      notice = document.createElement('p');
      notice.className = 'notice notice-error';
      notice.setAttribute('role', 'alert');
      notice.setAttribute('data-passkey-error', '');
      form.parentNode.insertBefore(notice, form);
    }
    notice.textContent = form.getAttribute('data-passkey-failed');
  }
  var forms = document.querySelectorAll('form[data-passkey-challenge]');
  forms.forEach(function (form) {
    var challenge = decode(form.getAttribute('data-passkey-challenge'));
    var options = challenge.publicKeyCredentialRequestOptions;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      lib.startAuthentication({ optionsJSON: options }).then(
        function (credential) { answer(form, challenge, credential); },
        function () { fail(form); }
      );
    });
    var autofill = document.querySelector('input[autocomplete~="webauthn"]');
    if (autofill && lib.browserSupportsWebAuthnAutofill) {
      lib.browserSupportsWebAuthnAutofill().then(function (supported) {
        if (!supported) return;
        lib.startAuthentication({ optionsJSON: options, useBrowserAutofill: true }).then(
          function (credential) { answer(form, challenge, credential); },
          function () {}
        );
      });
    }
  });
})();
`;

/** The UMD build of @simplewebauthn/browser, read once from the installed package (same version as the server's). */
function webauthnLibrary(): string {
  const entry = require.resolve('@simplewebauthn/browser');
  return readFileSync(join(dirname(entry), '..', 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
}

/** Scripts of the hosted pages; each page's CSP allows exactly the ones it loads, by URL. */
@ApiExcludeController()
@Controller('ui-assets')
export class HostedAssetsController {
  private readonly library = webauthnLibrary();

  @Get('simplewebauthn-browser.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  @Header('x-content-type-options', 'nosniff')
  webauthn(): string {
    return this.library;
  }

  @Get('passkey.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  @Header('x-content-type-options', 'nosniff')
  passkey(): string {
    return PASSKEY_SCRIPT;
  }
}
