/** The simulator's SigV4 verifier, written from the specification: AWS's own test vector, the SDK's signer, tampering. */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256Node } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/transport';
import { sigV4Headers, sigV4Problem, type SignedRequest } from '../../simulator/sigv4';

const KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const secretFor = (k: string) => (k === KEY.accessKeyId ? KEY.secretAccessKey : undefined);

test("AWS's SigV4 test suite, get-vanilla, verifies", () => {
  const req: SignedRequest = {
    method: 'GET',
    url: '/',
    headers: {
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    },
    body: Buffer.alloc(0),
  };
  expect(sigV4Problem(req, secretFor)).toBeUndefined();
});

async function sdkSigned(body: string): Promise<SignedRequest> {
  const signer = new SignatureV4({ credentials: { ...KEY, sessionToken: 'tok' }, region: 'eu-west-1', service: 'cloudtrail', sha256: Sha256Node });
  const req = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: '/',
    headers: { host: '127.0.0.1:4566', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CloudTrail_20131101.DescribeTrails' },
    body,
  });
  const signed = (await signer.sign(req)) as HttpRequest;
  return { method: 'POST', url: '/', headers: signed.headers, body: Buffer.from(body) };
}

test("a request the SDK's signer signed verifies; changing what was signed does not", async () => {
  const ok = await sdkSigned('{"includeShadowTrails":true}');
  expect(sigV4Problem(ok, secretFor)).toBeUndefined();
  expect(sigV4Problem({ ...ok, body: Buffer.from('{"includeShadowTrails":false}') }, secretFor)).toMatch(/not the hash of the body sent/);
  expect(sigV4Problem({ ...ok, headers: { ...ok.headers, 'x-amz-target': 'CloudTrail_20131101.DeleteTrail' } }, secretFor)).toMatch(/does not match/);
  expect(sigV4Problem({ ...ok, headers: { ...ok.headers, host: '127.0.0.1:4567' } }, secretFor)).toMatch(/does not match/);
  expect(sigV4Problem(ok, () => 'another secret')).toMatch(/does not match/);
  expect(sigV4Problem({ ...ok, headers: { ...ok.headers, authorization: 'AWS4-HMAC-SHA256 Credential=x' } }, secretFor)).toMatch(/not a SigV4 header/);
  const { 'x-amz-security-token': _, ...withoutToken } = ok.headers;
  expect(sigV4Problem({ ...ok, headers: withoutToken }, secretFor)).toMatch(/x-amz-security-token was not sent/);
});

test('an unknown access key is left to the caller (answered as an unknown key, not a bad signature)', async () => {
  expect(sigV4Problem(await sdkSigned('{}'), () => undefined)).toBeUndefined();
});

test('sigV4Headers signs what sigV4Problem accepts', () => {
  const headers = { host: 'localhost:1', 'content-type': 'application/x-www-form-urlencoded' };
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const signed = sigV4Headers({ method: 'POST', url: '/?a=b%20c', headers, body }, KEY, 'us-east-1', 'sts');
  expect(sigV4Problem({ method: 'POST', url: '/?a=b%20c', headers: { ...headers, ...signed }, body: Buffer.from(body) }, secretFor)).toBeUndefined();
  // No content hash header: the body itself is hashed, so changing it breaks the signature.
  expect(sigV4Problem({ method: 'POST', url: '/?a=b%20c', headers: { ...headers, ...signed }, body: Buffer.from(`${body}&x=1`) }, secretFor)).toMatch(/does not match/);
});
