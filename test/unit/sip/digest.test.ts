import t from 'tap';
import { createHash } from 'node:crypto';
import {
  NonceManager,
  buildAuthorization,
  computeHA1,
  digestResponse,
  formatChallenge,
  parseAlgorithm,
  parseDigestHeader,
  verifyAuthorization,
} from '../../../engine/sip/auth/digest.js';

// RFC 7616 §3.9.1
const RFC7616 = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nc: '00000001',
  qop: 'auth' as const,
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
};

// RFC 2617 §3.5
const RFC2617 = {
  username: 'Mufasa',
  password: 'Circle Of Life',
  realm: 'testrealm@host.com',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
  cnonce: '0a4f113b',
  nc: '00000001',
  qop: 'auth' as const,
};

t.test('published vectors', async (t) => {
  t.equal(digestResponse({ ...RFC7616, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec', 'RFC 7616 MD5');
  t.equal(
    digestResponse({ ...RFC7616, algorithm: 'SHA-256' }),
    '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    'RFC 7616 SHA-256',
  );
  t.equal(digestResponse({ ...RFC2617, algorithm: 'MD5' }), '6629fae49393a05397450978507c4ef1', 'RFC 2617 MD5');
});

t.test('RFC 7616 §3.9.1 Authorization header as printed (folded lines) parses to the vector', async (t) => {
  const header = [
    'Digest username="Mufasa",',
    '    realm="http-auth@example.org",',
    '    uri="/dir/index.html",',
    '    algorithm=SHA-256,',
    '    nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",',
    '    nc=00000001,',
    '    cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",',
    '    qop=auth,',
    '    response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",',
    '    opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  ].join('\r\n');
  const p = parseDigestHeader(header)!.params;
  t.same(p, {
    username: 'Mufasa',
    realm: RFC7616.realm,
    uri: RFC7616.uri,
    algorithm: 'SHA-256',
    nonce: RFC7616.nonce,
    nc: '00000001',
    cnonce: RFC7616.cnonce,
    qop: 'auth',
    response: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    opaque: RFC7616.opaque,
  });
  const computed = digestResponse({
    algorithm: parseAlgorithm(p.algorithm)!,
    username: p.username,
    realm: p.realm,
    password: RFC7616.password,
    method: 'GET',
    uri: p.uri,
    nonce: p.nonce,
    qop: 'auth',
    nc: p.nc,
    cnonce: p.cnonce,
  });
  t.equal(computed, p.response);
});

t.test('digestResponse variants', async (t) => {
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const ha1 = computeHA1('MD5', RFC2617.username, RFC2617.realm, RFC2617.password);
  t.equal(ha1, md5('Mufasa:testrealm@host.com:Circle Of Life'));
  t.equal(computeHA1('SHA-256-sess', 'u', 'r', 'p'), sha('u:r:p'), '-sess shares the base HA1');

  const { username: _u, realm: _r, password: _p, ...rest } = RFC2617;
  t.equal(
    digestResponse({ ...rest, username: 'Mufasa', realm: RFC2617.realm, ha1, algorithm: 'MD5' }),
    '6629fae49393a05397450978507c4ef1',
    'stored HA1 instead of password',
  );
  t.equal(
    digestResponse({ ...rest, username: 'Mufasa', realm: RFC2617.realm, ha1: ha1.toUpperCase(), algorithm: 'MD5' }),
    '6629fae49393a05397450978507c4ef1',
    'HA1 hex case does not matter',
  );

  // -sess: HA1 = H(H(user:realm:pass):nonce:cnonce) (RFC 7616 §3.4.2).
  const sessHa1 = sha(`${sha('Mufasa:http-auth@example.org:Circle of Life')}:${RFC7616.nonce}:${RFC7616.cnonce}`);
  const ha2 = sha('GET:/dir/index.html');
  t.equal(
    digestResponse({ ...RFC7616, algorithm: 'SHA-256-sess' }),
    sha(`${sessHa1}:${RFC7616.nonce}:00000001:${RFC7616.cnonce}:auth:${ha2}`),
  );
  const md5SessHa1 = md5(`${ha1}:${RFC2617.nonce}:${RFC2617.cnonce}`);
  t.equal(
    digestResponse({ ...RFC2617, algorithm: 'MD5-sess' }),
    md5(`${md5SessHa1}:${RFC2617.nonce}:00000001:0a4f113b:auth:${md5('GET:/dir/index.html')}`),
  );

  // No qop: RFC 2069 form, H(HA1:nonce:HA2) (RFC 3261 §22.4).
  const { qop: _q, nc: _n, cnonce: _c, ...noQop } = RFC2617;
  t.equal(
    digestResponse({ ...noQop, algorithm: 'MD5' }),
    md5(`${ha1}:${RFC2617.nonce}:${md5('GET:/dir/index.html')}`),
  );

  t.throws(() => digestResponse({ ...noQop, algorithm: 'MD5', qop: 'auth' }), TypeError, 'qop needs nc, cnonce');
  t.throws(() => digestResponse({ ...noQop, algorithm: 'MD5-sess' }), TypeError, '-sess needs cnonce');
});

t.test('parseAlgorithm', async (t) => {
  t.equal(parseAlgorithm(undefined), 'MD5', 'absent means MD5');
  t.equal(parseAlgorithm('sha-256-SESS'), 'SHA-256-sess', 'case-insensitive');
  t.equal(parseAlgorithm('SHA-512-256'), null);
});

t.test('parseDigestHeader', async (t) => {
  t.same(parseDigestHeader('Digest realm="a, b", nonce=xyz'), {
    scheme: 'Digest',
    params: { realm: 'a, b', nonce: 'xyz' },
  }, 'comma inside quotes');
  t.same(parseDigestHeader('Digest realm="say \\"hi\\" \\\\ \\x"')?.params, { realm: 'say "hi" \\ x' }, 'escapes');
  t.same(
    parseDigestHeader('  dIgEsT \t REALM = "r" ,\tNonce="n"  ,  Algorithm = MD5  ')?.params,
    { realm: 'r', nonce: 'n', algorithm: 'MD5' },
    'extra whitespace, case-insensitive scheme and names',
  );
  t.same(parseDigestHeader('Digest realm="r",\r\n nonce="n"')?.params, { realm: 'r', nonce: 'n' }, 'line folding');
  t.same(
    parseDigestHeader('Digest realm="r", x-custom="v", foo=bar')?.params,
    { realm: 'r', 'x-custom': 'v', foo: 'bar' },
    'unknown params kept',
  );
  t.same(parseDigestHeader('Digest realm="", nonce="caf\u00e9"')?.params, { realm: '', nonce: 'caf\u00e9' });
  t.same(parseDigestHeader('Digest constructor="x"')?.params, { constructor: 'x' }, 'no prototype confusion');

  const garbage = [
    '',
    '   ',
    'Digest',
    'Digest ',
    'Basic dXNlcjpwYXNz',
    'Basic realm="r"',
    'Digestrealm="r"',
    'Digest realm',
    'Digest realm=',
    'Digest realm=,nonce="n"',
    'Digest realm="unterminated',
    'Digest realm="trailing backslash\\',
    'Digest realm="r" nonce="n"',
    'Digest realm="r",',
    'Digest ,realm="r"',
    'Digest realm="r",,nonce="n"',
    'Digest realm="r"junk',
    'Digest realm=a b',
    'Digest realm=a/b',
    'Digest realm="r", realm="s"',
    'Digest realm="r", REALM="s"',
    'Digest realm="a\r\nb"',
    'Digest realm="r"\r\nnonce="n"',
    'Digest realm="a\u0000b"',
    'Digest "realm"="r"',
    'Digest =r',
  ];
  for (const g of garbage) t.equal(parseDigestHeader(g), null, JSON.stringify(g));

  const alphabet = 'Digest rRealm=",\\ \t\r\nab';
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  t.doesNotThrow(() => {
    for (let n = 0; n < 5000; n++) {
      let s = 'Digest ';
      for (let k = Math.floor(rand() * 30); k > 0; k--) s += alphabet[Math.floor(rand() * alphabet.length)];
      parseDigestHeader(s);
    }
  }, 'random input never throws');
});

t.test('formatChallenge', async (t) => {
  t.equal(
    formatChallenge({ realm: 'r', nonce: 'n', algorithm: 'SHA-256', qop: 'auth', stale: true, opaque: 'o' }),
    'Digest realm="r", nonce="n", opaque="o", algorithm=SHA-256, qop="auth", stale=TRUE',
  );
  t.equal(formatChallenge({ realm: 'r', nonce: 'n', algorithm: 'MD5', stale: false }), 'Digest realm="r", nonce="n", algorithm=MD5');
  const tricky = formatChallenge({ realm: 'a "b", \\c', nonce: 'n', algorithm: 'MD5' });
  t.same(parseDigestHeader(tricky)?.params, { realm: 'a "b", \\c', nonce: 'n', algorithm: 'MD5' }, 'round trip');
  t.throws(() => formatChallenge({ realm: 'r\r\nVia: evil', nonce: 'n', algorithm: 'MD5' }), RangeError);
});

t.test('NonceManager', async (t) => {
  let clock = 1_700_000_000_000;
  const secret = Buffer.alloc(32, 7);
  const nm = new NonceManager({ secret, lifetimeMs: 30_000, now: () => clock });
  const nonce = nm.issue();
  t.match(nonce, /^[A-Za-z0-9_-]+$/, 'token-safe');
  t.not(nm.issue(), nonce, 'unique');
  t.equal(nm.check(nonce), 'valid');

  t.test('tampering', async (t) => {
    for (let i = 0; i < nonce.length; i++) {
      const c = nonce[i] === 'A' ? 'B' : 'A';
      t.equal(nm.check(nonce.slice(0, i) + c + nonce.slice(i + 1)), 'invalid', `char ${i}`);
    }
    t.equal(nm.check(nonce + 'A'), 'invalid', 'longer');
    t.equal(nm.check(nonce.slice(1)), 'invalid', 'shorter');
    t.equal(nm.check(nonce.replace(/.$/, '=')), 'invalid', 'non-base64url');
    t.equal(nm.check(''), 'invalid');
    t.equal(nm.check('garbage'), 'invalid');
    const other = new NonceManager({ secret: Buffer.alloc(32, 8), lifetimeMs: 30_000, now: () => clock });
    t.equal(other.check(nonce), 'invalid', 'different secret');
    t.equal(new NonceManager({ secret, lifetimeMs: 30_000, now: () => clock }).check(nonce), 'valid', 'same secret');
  });

  t.test('staleness', async (t) => {
    const start = clock;
    clock = start + 30_000;
    t.equal(nm.check(nonce), 'valid', 'at the lifetime');
    clock = start + 30_001;
    t.equal(nm.check(nonce), 'stale', 'past the lifetime');
    clock = start - 1;
    t.equal(nm.check(nonce), 'stale', 'issued in the future');
    clock = start;
  });

  t.test('nonce-count', async (t) => {
    const n = nm.issue();
    t.ok(nm.acceptNonceCount(n, '00000001'));
    t.notOk(nm.acceptNonceCount(n, '00000001'), 'replay');
    t.ok(nm.acceptNonceCount(n, '00000003'), 'gaps allowed');
    t.notOk(nm.acceptNonceCount(n, '00000002'), 'lower than seen');
    t.ok(nm.acceptNonceCount(n, '0000000A'), 'hex, any case');
    t.notOk(nm.acceptNonceCount(n, '0000000b0'), 'wrong length');
    t.notOk(nm.acceptNonceCount(n, '0000000g'), 'not hex');
    t.notOk(nm.acceptNonceCount('bogus', '00000001'), 'invalid nonce');
    const old = nm.issue();
    clock += 30_001;
    t.notOk(nm.acceptNonceCount(old, '00000001'), 'stale nonce');
    clock -= 30_001;
  });

  t.test('tracking is bounded', async (t) => {
    let now = 0;
    const small = new NonceManager({ lifetimeMs: 1000, now: () => now, maxTracked: 2 });
    const a = small.issue();
    t.ok(small.acceptNonceCount(a, '00000001'));
    now = 500;
    const b = small.issue();
    const c = small.issue();
    t.ok(small.acceptNonceCount(b, '00000001'));
    now = 1001; // a has expired and is swept to make room
    t.ok(small.acceptNonceCount(c, '00000001'));
    t.notOk(small.acceptNonceCount(b, '00000001'), 'b still tracked');
    const d = small.issue();
    t.ok(small.acceptNonceCount(d, '00000001'), 'full of live nonces: b evicted');
    t.notOk(small.acceptNonceCount(b, '00000002'), 'evicted nonce refused rather than forgotten');
    t.notOk(small.acceptNonceCount(c, '00000001'), 'c still tracked');
    const e = small.issue();
    t.ok(small.acceptNonceCount(e, '00000001'), 'nonces issued after the eviction still accepted');
  });
});

t.test('verifyAuthorization', async (t) => {
  let clock = 1_700_000_000_000;
  const nonces = new NonceManager({ lifetimeMs: 60_000, now: () => clock });
  const realm = 'switchyard.test';
  const base = { realm, nonces, method: 'REGISTER' };
  const user = { username: 'alice', password: 's3cret', method: 'REGISTER', uri: 'sip:switchyard.test' };
  const challenge = (algorithm: 'MD5' | 'SHA-256' | 'MD5-sess' | 'SHA-256-sess' = 'MD5', withQop = true) =>
    parseDigestHeader(
      formatChallenge({ realm, nonce: nonces.issue(), algorithm, qop: withQop ? 'auth' : undefined, opaque: 'op' }),
    )!.params;
  const answer = (c: Record<string, string>, extra: Partial<Parameters<typeof buildAuthorization>[0]> = {}) =>
    parseDigestHeader(buildAuthorization({ challenge: c, ...user, ...extra }))!.params;

  t.test('SHA-256 end to end', async (t) => {
    const header = answer(challenge('SHA-256'));
    t.equal(header.algorithm, 'SHA-256');
    t.match(header.response, /^[0-9a-f]{64}$/);
    t.same(verifyAuthorization({ ...base, header, password: 's3cret' }), { ok: true, username: 'alice' });
  });

  for (const algorithm of ['MD5', 'MD5-sess', 'SHA-256-sess'] as const) {
    t.test(`${algorithm} end to end`, async (t) => {
      const header = answer(challenge(algorithm));
      t.same(verifyAuthorization({ ...base, header, password: 's3cret' }), { ok: true, username: 'alice' });
    });
  }

  t.test('without qop (RFC 2069 compatibility)', async (t) => {
    const header = answer(challenge('MD5', false));
    t.equal(header.qop, undefined);
    t.equal(header.nc, undefined);
    t.same(verifyAuthorization({ ...base, header, password: 's3cret' }), { ok: true, username: 'alice' });
  });

  t.test('stored HA1', async (t) => {
    const ha1 = computeHA1('SHA-256', 'alice', realm, 's3cret');
    const header = answer(challenge('SHA-256-sess'));
    t.same(verifyAuthorization({ ...base, header, ha1 }), { ok: true, username: 'alice' });
    const wrong = computeHA1('SHA-256', 'alice', realm, 'nope');
    t.same(verifyAuthorization({ ...base, header: answer(challenge('SHA-256')), ha1: wrong }), {
      ok: false,
      reason: 'bad-response',
    });
  });

  t.test('wrong password', async (t) => {
    const header = answer(challenge());
    t.same(verifyAuthorization({ ...base, header, password: 'guess' }), { ok: false, reason: 'bad-response' });
  });

  t.test('response is bound to method and uri', async (t) => {
    const header = answer(challenge());
    t.same(verifyAuthorization({ ...base, method: 'INVITE', header, password: 's3cret' }), {
      ok: false,
      reason: 'bad-response',
    });
    t.same(verifyAuthorization({ ...base, header: { ...header, uri: 'sip:evil' }, password: 's3cret' }), {
      ok: false,
      reason: 'bad-response',
    });
  });

  t.test('response hex is compared case-insensitively, length-safely', async (t) => {
    const header = answer(challenge());
    t.same(verifyAuthorization({ ...base, header: { ...header, response: header.response.toUpperCase() }, password: 's3cret' }), {
      ok: true,
      username: 'alice',
    });
    const h2 = answer(challenge());
    t.same(verifyAuthorization({ ...base, header: { ...h2, response: h2.response.slice(1) }, password: 's3cret' }), {
      ok: false,
      reason: 'bad-response',
    });
  });

  t.test('nc replay rejected', async (t) => {
    const c = challenge();
    const first = answer(c, { nc: 1 });
    t.same(verifyAuthorization({ ...base, header: first, password: 's3cret' }), { ok: true, username: 'alice' });
    t.same(verifyAuthorization({ ...base, header: first, password: 's3cret' }), { ok: false, reason: 'stale' });
    const second = answer(c, { nc: 2 });
    t.equal(second.nc, '00000002');
    t.same(verifyAuthorization({ ...base, header: second, password: 's3cret' }), { ok: true, username: 'alice' });
  });

  t.test('a bad digest does not consume the nonce-count', async (t) => {
    const c = challenge();
    const header = answer(c, { nc: 5 });
    t.same(verifyAuthorization({ ...base, header: { ...header, response: '0'.repeat(32) }, password: 's3cret' }), {
      ok: false,
      reason: 'bad-response',
    });
    t.same(verifyAuthorization({ ...base, header, password: 's3cret' }), { ok: true, username: 'alice' });
  });

  t.test('stale nonce', async (t) => {
    const header = answer(challenge());
    clock += 60_001;
    t.same(verifyAuthorization({ ...base, header, password: 's3cret' }), { ok: false, reason: 'stale' });
    t.same(verifyAuthorization({ ...base, header, password: 'guess' }), { ok: false, reason: 'bad-response' }, 'only with a good digest');
    clock -= 60_001;
  });

  t.test('tampered or foreign nonce', async (t) => {
    const c = challenge();
    const nonce = c.nonce.slice(0, 10) + (c.nonce[10] === 'x' ? 'y' : 'x') + c.nonce.slice(11);
    const header = answer({ ...c, nonce });
    t.same(verifyAuthorization({ ...base, header, password: 's3cret' }), { ok: false, reason: 'bad-nonce' });
    const foreign = answer({ ...c, nonce: RFC7616.nonce });
    t.same(verifyAuthorization({ ...base, header: foreign, password: 's3cret' }), { ok: false, reason: 'bad-nonce' });
  });

  t.test('realm', async (t) => {
    const header = answer(challenge());
    t.same(verifyAuthorization({ ...base, realm: 'other', header, password: 's3cret' }), { ok: false, reason: 'bad-realm' });
  });

  t.test('algorithms', async (t) => {
    const header = answer(challenge('MD5'));
    t.same(verifyAuthorization({ ...base, header: { ...header, algorithm: 'SHA-512-256' }, password: 's3cret' }), {
      ok: false,
      reason: 'unsupported-algorithm',
    });
    t.same(verifyAuthorization({ ...base, algorithms: ['SHA-256'], header, password: 's3cret' }), {
      ok: false,
      reason: 'unsupported-algorithm',
    }, 'allow-list');
    const { algorithm: _a, ...noAlgorithm } = header;
    t.same(verifyAuthorization({ ...base, header: noAlgorithm, password: 's3cret' }), { ok: true, username: 'alice' }, 'absent means MD5');
  });

  t.test('malformed', async (t) => {
    const header = answer(challenge());
    const without = (name: string) => Object.fromEntries(Object.entries(header).filter(([k]) => k !== name));
    for (const name of ['username', 'realm', 'nonce', 'uri', 'response', 'nc', 'cnonce']) {
      t.same(verifyAuthorization({ ...base, header: without(name), password: 's3cret' }), { ok: false, reason: 'malformed' }, `no ${name}`);
    }
    const cases: Record<string, Record<string, string>> = {
      'qop=auth-int': { ...header, qop: 'auth-int' },
      'bad nc': { ...header, nc: '1' },
      'nc without qop': without('qop'),
    };
    for (const [name, h] of Object.entries(cases)) {
      t.same(verifyAuthorization({ ...base, header: h, password: 's3cret' }), { ok: false, reason: 'malformed' }, name);
    }
    const { qop: _q, nc: _n, cnonce: _c, ...sessNoQop } = answer(challenge('MD5-sess'));
    t.same(verifyAuthorization({ ...base, header: sessNoQop, password: 's3cret' }), { ok: false, reason: 'malformed' }, '-sess without qop');
  });
});

t.test('buildAuthorization', async (t) => {
  t.test('reproduces the RFC 7616 vectors', async (t) => {
    for (const [algorithm, response] of [
      ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
      ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
    ]) {
      const challenge = parseDigestHeader(
        `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, ` +
          `nonce="${RFC7616.nonce}", opaque="${RFC7616.opaque}"`,
      )!.params;
      const value = buildAuthorization({ challenge, ...RFC7616, nc: 1 });
      t.equal(
        value,
        `Digest username="Mufasa", realm="http-auth@example.org", nonce="${RFC7616.nonce}", ` +
          `uri="/dir/index.html", response="${response}", algorithm=${algorithm}, opaque="${RFC7616.opaque}", ` +
          `cnonce="${RFC7616.cnonce}", qop=auth, nc=00000001`,
      );
    }
  });

  const base = { username: 'u', password: 'p', method: 'REGISTER', uri: 'sip:x' };
  t.test('defaults', async (t) => {
    const p = parseDigestHeader(buildAuthorization({ challenge: { realm: 'r', nonce: 'n', qop: 'auth' }, ...base }))!.params;
    t.equal(p.algorithm, 'MD5');
    t.equal(p.nc, '00000001');
    t.match(p.cnonce, /^[0-9a-f]{32}$/);
    t.equal(p.opaque, undefined);
    const q = parseDigestHeader(buildAuthorization({ challenge: { realm: 'r', nonce: 'n', qop: 'auth' }, ...base, nc: 26 }))!.params;
    t.equal(q.nc, '0000001a');
  });

  t.test('unanswerable challenges', async (t) => {
    t.throws(() => buildAuthorization({ challenge: { realm: 'r', nonce: 'n', qop: 'auth-int' }, ...base }), TypeError);
    t.throws(() => buildAuthorization({ challenge: { realm: 'r', nonce: 'n', algorithm: 'SHA-512-256' }, ...base }), TypeError);
    t.throws(() => buildAuthorization({ challenge: { realm: 'r', nonce: 'n', algorithm: 'MD5-sess' }, ...base }), TypeError);
    t.throws(() => buildAuthorization({ challenge: { realm: 'r' }, ...base }), TypeError);
  });
});
