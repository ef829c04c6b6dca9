import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isBlockedAddress } from './address-guard.js';
import { Dispatcher } from './dispatcher.js';
import { newWebhookSecret, SecretBox } from './secret-box.js';
import { filterMatches, isExhausted, retryDelayMs, signatureHeader, verifySignature } from './webhook.js';

describe('signature', () => {
  it('is HMAC-SHA256 over "<t>.<body>" in hex, as documented', () => {
    const body = '{"id":"e1","data":{}}';
    const expected = createHmac('sha256', 'whsec_x').update(`1700000000.${body}`).digest('hex');
    expect(signatureHeader('whsec_x', body, 1_700_000_000)).toBe(`t=1700000000,v1=${expected}`);
  });
  it('verifies, and refuses a changed body, a wrong secret, an old timestamp, a malformed header', () => {
    const h = signatureHeader('s1', 'body', 1000);
    expect(verifySignature('s1', 'body', h, 1000)).toBe(true);
    expect(verifySignature('s1', 'body', h, 1299)).toBe(true);
    expect(verifySignature('s1', 'body', h, 1301)).toBe(false);
    expect(verifySignature('s1', 'bodY', h, 1000)).toBe(false);
    expect(verifySignature('s2', 'body', h, 1000)).toBe(false);
    expect(verifySignature('s1', 'body', 'v1=abc', 1000)).toBe(false);
    expect(verifySignature('s1', 'body', h.replace(/v1=../, 'v1=00'), 1000)).toBe(false);
  });
});

describe('event-type filters', () => {
  it.each([
    ['*', 'exposure.finding.created', true],
    ['exposure', 'exposure.finding.created', true],
    ['exposure.*', 'exposure.finding.created', true],
    ['exposure.finding', 'exposure.finding', true],
    ['exposure.finding', 'exposure.findings.created', false],
    ['exposure.finding.created', 'exposure.finding.resolved', false],
    ['exp', 'exposure.finding.created', false],
  ] as const)('%s vs %s -> %s', (filter, type, ok) => {
    expect(filterMatches(filter, type)).toBe(ok);
  });
});

describe('retry schedule', () => {
  const policy = { retryBaseMs: 10_000, retryMaxMs: 21_600_000, maxAttempts: 15 };
  it('doubles from the base, caps at the maximum, with jitter between half and the full step', () => {
    expect(retryDelayMs(policy, 1, 0)).toBe(5_000);
    expect(retryDelayMs(policy, 1, 0.999_999)).toBe(10_000);
    expect(retryDelayMs(policy, 2, 0)).toBe(10_000);
    expect(retryDelayMs(policy, 5, 1)).toBe(160_000);
    expect(retryDelayMs(policy, 14, 1)).toBe(21_600_000);
    expect(retryDelayMs(policy, 40, 0)).toBe(10_800_000);
  });
  it('is exhausted at maxAttempts', () => {
    expect(isExhausted(policy, 14)).toBe(false);
    expect(isExhausted(policy, 15)).toBe(true);
  });
});

describe('address guard', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fd12::1',
    'fe80::1',
    'ff02::1',
    '::ffff:10.0.0.1',
    '::ffff:a00:1',
    '64:ff9b::7f00:1',
    '2001:db8::1',
    'not-an-ip',
  ])('blocks %s', (a) => {
    expect(isBlockedAddress(a)).toBe(true);
  });
  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (a) => {
    expect(isBlockedAddress(a)).toBe(false);
  });
});

describe('secrets at rest', () => {
  it('encrypts with a key (a different ciphertext each time) and opens it again; without a key stores in clear', () => {
    const secret = newWebhookSecret();
    const box = new SecretBox('k'.repeat(40));
    const a = box.seal(secret);
    const b = box.seal(secret);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret.slice(6));
    expect(box.open(a)).toBe(secret);
    expect(() => new SecretBox('x'.repeat(40)).open(a)).toThrow();
    expect(() => new SecretBox(undefined).open(a)).toThrow(/SECRET_KEY/);
    const plain = new SecretBox(undefined);
    expect(plain.open(plain.seal(secret))).toBe(secret);
    const tampered = `${a.slice(0, -2)}${a.endsWith('A') ? 'B' : 'A'}`;
    expect(() => box.open(tampered)).toThrow();
  });
});

describe('delivery body', () => {
  it('is the event envelope with the payload as data, unchanged', () => {
    const payload = '{"findingId":"F-1","n":[1,2]}';
    const body = Dispatcher.body({ eventId: 'e1', type: 'a.b', subject: 's', eventCreatedAt: 't', payload });
    expect(JSON.parse(body)).toEqual({
      id: 'e1',
      type: 'a.b',
      subject: 's',
      createdAt: 't',
      data: JSON.parse(payload),
    });
  });
});
