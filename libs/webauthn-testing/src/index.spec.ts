import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { SoftwareAuthenticator } from './index';

// The test authenticator is only useful if an independent verifier accepts what it produces.
describe('SoftwareAuthenticator', () => {
  const origin = 'https://login.example.com';
  const rpID = 'example.com';

  it('registers with a none attestation and signs assertions that @simplewebauthn/server verifies', async () => {
    const authenticator = new SoftwareAuthenticator({ origin });
    const creation = await generateRegistrationOptions({
      rpName: 'Example',
      rpID,
      userName: 'a@example.com',
      attestationType: 'none',
    });
    const registration = await verifyRegistrationResponse({
      response: authenticator.create(creation),
      expectedChallenge: creation.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
    });
    expect(registration).toMatchObject({
      verified: true,
      registrationInfo: { fmt: 'none', userVerified: true, credentialDeviceType: 'singleDevice' },
    });
    const credential = registration.registrationInfo!.credential;

    const request = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: credential.id }] });
    const assertion = authenticator.get(request);
    expect(assertion.response.userHandle).toBe(creation.user.id);
    const verified = await verifyAuthenticationResponse({
      response: assertion,
      expectedChallenge: request.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential,
    });
    expect(verified.authenticationInfo).toMatchObject({ newCounter: 1, userVerified: true });
  });

  it('produces what the overrides ask for, so verifiers can be shown to refuse it', async () => {
    const authenticator = new SoftwareAuthenticator({ origin, synced: true, counts: false });
    const creation = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'a@example.com' });
    const { registrationInfo } = await verifyRegistrationResponse({
      response: authenticator.create(creation),
      expectedChallenge: creation.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
    });
    expect(registrationInfo).toMatchObject({ credentialDeviceType: 'multiDevice', credentialBackedUp: true });
    const credential = registrationInfo!.credential;
    const request = await generateAuthenticationOptions({ rpID });
    const verify = (response: ReturnType<SoftwareAuthenticator['get']>) =>
      verifyAuthenticationResponse({
        response,
        expectedChallenge: request.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        credential,
      });

    expect((await verify(authenticator.get(request))).authenticationInfo.newCounter).toBe(0);
    await expect(verify(authenticator.get(request, { origin: 'https://evil.example' }))).rejects.toThrow(/origin/);
    await expect(verify(authenticator.get(request, { rpId: 'evil.example' }))).rejects.toThrow(/RP ID/);
    await expect(verify(authenticator.get(request, { challenge: 'AAAA' }))).rejects.toThrow(/challenge/);
    await expect(verify(authenticator.get(request, { userVerified: false }))).rejects.toThrow(/User verification/);
  });
});
