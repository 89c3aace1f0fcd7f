// fast-check generators for WebSocket frames and REST requests: valid protocol
// messages, mutations of them, and plain garbage. The fuzz tests (test/fuzz.test.ts)
// send them to the real server; the oracle there decides what each must get back.
import fc from 'fast-check';

export type WsFrame = { binary: false; text: string } | { binary: true; bytes: Uint8Array };

/** Keys that could poison a prototype if a parser or merge mishandled them. */
const POISON_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
const POISON_VALUE = { polluted: 'yes', prototype: { polluted: 'yes' } };

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }), // lone surrogates, astral planes, control characters
  fc.constantFrom('', ' ', '\n\t ', '\u0000', '\u202e', '\ufeff', '\ud800', 'e\u0301', '😀'.repeat(5), 'run: echo hi'),
);

/** A per-connection client seq, resolved when the frame is sent (see resolveSeq). */
export type SeqChoice = 'none' | 'next' | 'same' | number;
const seqChoice: fc.Arbitrary<SeqChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<SeqChoice>('none') },
  { weight: 3, arbitrary: fc.constant<SeqChoice>('next') },
  { weight: 1, arbitrary: fc.constant<SeqChoice>('same') },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double(), fc.constantFrom(2 ** 53, -0, 1e308)) },
);

type Msg = Record<string, unknown>;

/** Attachments: supported and unsupported types, real base64 of random bytes. */
const attachment = fc.record({
  name: fc.string({ minLength: 1, maxLength: 40 }),
  media_type: fc.oneof(
    fc.constantFrom('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain', 'application/json'),
    fc.constantFrom('image/svg+xml', 'application/octet-stream', 'video/mp4', 'TEXT/PLAIN; charset=utf-8'),
    fc.string({ minLength: 1, maxLength: 30 }),
  ),
  data: fc.uint8Array({ minLength: 1, maxLength: 256 }).map((b) => Buffer.from(b).toString('base64')),
});

/** Protocol-valid client messages; session ids are random, so they name no session. */
export const validMessage: fc.Arbitrary<Msg> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('user_message'), session_id: fc.uuid(), text: anyText }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('user_message'),
      session_id: fc.uuid(),
      text: anyText,
      attachments: fc.array(attachment, { maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('interrupt'), session_id: fc.uuid() }) },
  {
    weight: 2,
    arbitrary: fc.record(
      { type: fc.constant('switch_session'), session_id: fc.uuid(), after: fc.nat() },
      { requiredKeys: ['type', 'session_id'] },
    ),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('destroy_session'), session_id: fc.uuid() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('permission_response'),
      request_id: fc.string({ minLength: 1, maxLength: 64 }),
      decision: fc.constantFrom('allow', 'deny', 'allow_always'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        type: fc.constant('permission_response'),
        request_id: fc.string({ minLength: 1, maxLength: 64 }),
        decision: fc.constantFrom('allow', 'deny'),
        answers: fc.dictionary(anyText, anyText, { maxKeys: 3 }),
        message: anyText,
      },
      { requiredKeys: ['type', 'request_id', 'decision'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        type: fc.constant('set_session_options'),
        session_id: fc.uuid(),
        model: fc.constantFrom('haiku', 'sonnet', 'claude-opus-4-1', 'x'),
        permission_mode: fc.constantFrom('default', 'acceptEdits', 'plan', 'bypassPermissions'),
      },
      { requiredKeys: ['type', 'session_id'] },
    ),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('load_history'), session_id: fc.uuid(), before: fc.nat() }) },
  // Bounded by MAX_SESSIONS in the fuzz server (already full): these get capacity_exceeded.
  { weight: 1, arbitrary: fc.constant({ type: 'create_session' }) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        type: fc.constant('create_session'),
        model: fc.constantFrom('haiku', 'sonnet'),
        permission_mode: fc.constantFrom('default', 'acceptEdits', 'plan'),
      },
      { requiredKeys: ['type'] },
    ),
  },
);

/** A JSON value; `maxDepth` keeps generation fast (deep nesting has its own generator). */
const jsonValue = fc.jsonValue({ maxDepth: 3 });

const wrongType = fc.oneof(
  jsonValue,
  fc.constantFrom(null, true, 0, -1, 1.5, [], {}, ['user_message'], { toString: 'user_message' }, { valueOf: 1, toString: 2 }),
);

/** One change that usually (not always) makes a valid message invalid. */
function mutate(m: Msg): fc.Arbitrary<unknown> {
  const keys = Object.keys(m);
  const key = fc.constantFrom(...keys);
  return fc.oneof(
    key.map((k) => {
      const { [k]: _, ...rest } = m;
      return rest;
    }),
    fc.tuple(key, wrongType).map(([k, v]) => ({ ...m, [k]: v })),
    fc.tuple(fc.constantFrom(...POISON_KEYS), fc.oneof(fc.constant<unknown>(POISON_VALUE), wrongType)).map(([k, v]) => {
      const out: Msg = { ...m };
      // defineProperty: an own "__proto__" key that JSON.stringify writes out
      Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
      return out;
    }),
    fc
      .constantFrom(
        (t: string) => t.toUpperCase(),
        (t: string) => ` ${t}`,
        (t: string) => `${t}\u0000`,
        (t: string) => t.replace('e', '\u0435'), // Cyrillic look-alike
        (t: string) => t.slice(0, -1),
      )
      .map((f) => ({ ...m, type: f(String(m.type)) })),
    fc
      .constantFrom(
        (s: string) => s.slice(0, -1),
        (s: string) => `${s}0`,
        (s: string) => s.replace(/-/g, ''),
        (s: string) => `../${s}`,
      )
      .map((f) => ('session_id' in m ? { ...m, session_id: f(String(m.session_id)) } : m)),
    fc
      .constantFrom(
        (x: Msg) => [x],
        (x: Msg) => ({ message: x }),
        (x: Msg) => JSON.stringify(x),
      )
      .map((f) => f(m)),
  );
}

/** JSON text with a few characters changed: truncated, a byte inserted, one removed. */
function corruptText(s: string): fc.Arbitrary<string> {
  const at = fc.nat({ max: Math.max(0, s.length) });
  return fc.oneof(
    at.map((i) => s.slice(0, i)),
    fc.tuple(at, fc.constantFrom('"', '{', '}', ',', ':', '\\', '\u0000', 'x', ']')).map(([i, c]) => s.slice(0, i) + c + s.slice(i)),
    at.map((i) => s.slice(0, i) + s.slice(i + 1)),
  );
}

/** Mostly shallow, now and then 20,000 levels. */
const depth = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 1, max: 200 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }) },
);

const nested = (levels: number, open: string, close: string, inner = '1') => open.repeat(levels) + inner + close.repeat(levels);

/** Payloads known to hurt naive parsers, as raw text. */
const hostile = fc.oneof(
  fc.constantFrom(
    '{"__proto__":{"polluted":"yes"}}',
    '{"type":"user_message","__proto__":{"polluted":"yes"},"session_id":"00000000-0000-0000-0000-000000000000","text":"hi"}',
    '{"constructor":{"prototype":{"polluted":"yes"}},"type":"create_session"}',
    '{"type":"__proto__"}',
    '{"type":"constructor"}',
    '{"type":"toString"}',
    '{"type":"hasOwnProperty"}',
    '{"type":{"__proto__":{"polluted":"yes"}}}',
    '{"type":"user_message","session_id":{"__proto__":[]},"text":"x"}',
    '{"type":"user_message","session_id":"00000000-0000-0000-0000-000000000000","text":"x","seq":1e400}',
    '{"type":"switch_session","session_id":"00000000-0000-0000-0000-000000000000","after":-1}',
    '{"type":"user_message","type":"create_session"}',
    '{"type":"create_session","seq":"1"}',
    '\ufeff{"type":"create_session"}',
    '{"type":"create_session"}\u0000',
    'null',
    'true',
    '"user_message"',
    '[]',
    '{}',
    '',
    ' ',
  ),
  // deep nesting, as the message, as a field and as the type
  fc.tuple(depth, fc.constantFrom('[', '{"a":')).map(([d, o]) => nested(d, o, o === '[' ? ']' : '}')),
  fc
    .tuple(depth, fc.constantFrom('type', 'session_id', 'text', 'seq'))
    .map(
      ([d, k]) => `{"type":"user_message","session_id":"00000000-0000-0000-0000-000000000000","text":"x","${k}":${nested(d, '[', ']')}}`,
    ),
  depth.map((d) => `{"type":${nested(d, '{"type":', '}', '"x"')}}`),
);

/** Near or over the message limit, and now and then a frame near the 1 MiB frame limit. */
const huge = fc
  .oneof(
    { weight: 20, arbitrary: fc.tuple(fc.integer({ min: 32_001, max: 40_000 }), fc.constantFrom('a', '😀', 'é', '\u0000')) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 200_000, max: 260_000 }), fc.constantFrom('😀', 'xxxx')) },
  )
  .map(([n, c]) => JSON.stringify({ type: 'user_message', session_id: '00000000-0000-0000-0000-000000000000', text: c.repeat(n) }));

const binary = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  validMessage.map((m) => new TextEncoder().encode(JSON.stringify(m))),
);

/** What the fuzz sends: a seq choice, then either a message object (serialised at send time) or fixed bytes. */
export type FrameSpec = { seq: SeqChoice; msg: unknown } | { frame: WsFrame };

export const frameSpec: fc.Arbitrary<FrameSpec> = fc.oneof(
  { weight: 20, arbitrary: fc.record({ seq: seqChoice, msg: validMessage as fc.Arbitrary<unknown> }) },
  { weight: 25, arbitrary: fc.record({ seq: seqChoice, msg: validMessage.chain(mutate) }) },
  {
    weight: 10,
    arbitrary: validMessage.chain((m) => corruptText(JSON.stringify(m))).map((text) => ({ frame: { binary: false, text } as WsFrame })),
  },
  { weight: 10, arbitrary: fc.record({ seq: seqChoice, msg: jsonValue as fc.Arbitrary<unknown> }) },
  { weight: 8, arbitrary: anyText.map((text) => ({ frame: { binary: false, text } as WsFrame })) },
  { weight: 10, arbitrary: hostile.map((text) => ({ frame: { binary: false, text } as WsFrame })) },
  { weight: 2, arbitrary: huge.map((text) => ({ frame: { binary: false, text } as WsFrame })) },
  { weight: 4, arbitrary: binary.map((bytes) => ({ frame: { binary: true, bytes } as WsFrame })) },
);

// ---------------------------------------------------------------- REST

export interface RestRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Header-safe text (Node refuses control characters in header values). */
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c === 0x7f ? 0x20 : c)) });

const pathSegment = fc.oneof(
  fc.uuid(),
  fc.string().map(encodeURIComponent),
  fc.constantFrom('..', '%2e%2e', '..%2f..%2fetc%2fpasswd', '%00', '__proto__', 'constructor', 'x'.repeat(5000), '', '%', '%zz', ';'),
);

const restPath = fc.oneof(
  fc.constantFrom(
    '/api/v1/sessions',
    '/api/v1/sessions/',
    '/api/v1/extensions',
    '/api/v1/health/live',
    '/api/v1/health/ready',
    '/metrics',
    '/api/v1/me',
    '/api/v1/me/tokens',
    '/api/v1/users',
    '/api/v1/users/default',
    '/api/v1/replicas',
    '/api/v1/auth/session',
    '/api/v1/auth/sign-out',
    '/api/v2/sessions',
    '//api/v1/sessions',
    '/API/V1/SESSIONS',
  ),
  pathSegment.map((s) => `/api/v1/sessions/${s}`),
  fc
    .tuple(
      pathSegment,
      fc.constantFrom('files', 'files/content', 'files/archive', 'changes', 'changes/diff', 'archive', 'unarchive', 'delete'),
      fc.string(),
    )
    .map(([s, route, p]) => `/api/v1/sessions/${s}/${route}?path=${encodeURIComponent(p)}`),
  pathSegment.map((s) => `/api/v1/me/tokens/${s}`),
  fc.tuple(pathSegment, fc.constantFrom('', '/tokens', '/tokens/x')).map(([s, rest]) => `/api/v1/users/${s}${rest}`),
  fc.array(pathSegment, { minLength: 1, maxLength: 4 }).map((a) => `/api/${a.join('/')}`),
  fc.tuple(fc.constantFrom('/api/v1/sessions', '/api/v1/extensions'), fc.string()).map(([p, q]) => `${p}?${encodeURIComponent(q)}=1`),
);

const restBody: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 10, arbitrary: fc.constant(undefined) },
  {
    weight: 10,
    arbitrary: fc.constantFrom(
      '{}',
      '',
      'null',
      '[]',
      '{"__proto__":{"polluted":"yes"}}',
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
      '{',
      '{"a":1}',
    ),
  },
  { weight: 10, arbitrary: jsonValue.map((v) => JSON.stringify(v)) },
  { weight: 5, arbitrary: fc.string() },
  { weight: 2, arbitrary: depth.map((d) => nested(d, '[', ']')) },
  // over the 1 MiB body limit
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 1000 }).map((n) => JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + n) })) },
);

export const restRequest = (validKey: string): fc.Arbitrary<RestRequest> =>
  fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'),
      path: restPath,
      key: fc.oneof(
        { weight: 3, arbitrary: fc.constant<string | undefined>(validKey) },
        { weight: 1, arbitrary: fc.constant<string | undefined>(undefined) },
        { weight: 1, arbitrary: headerText.map((k) => k as string | undefined) },
        { weight: 1, arbitrary: fc.constant<string | undefined>(`${validKey}x`) },
      ),
      contentType: fc.option(
        fc.oneof(
          fc.constantFrom(
            'application/json',
            'text/plain',
            'application/json; charset=utf-16',
            'multipart/form-data',
            'application/x-www-form-urlencoded',
          ),
          headerText,
        ),
        { nil: undefined },
      ),
      extra: fc.dictionary(fc.constantFrom('accept', 'origin', 'x-forwarded-for', 'cookie', 'range', 'if-none-match'), headerText, {
        maxKeys: 2,
      }),
      body: restBody,
    })
    .map(({ method, path, key, contentType, extra, body }) => ({
      method,
      path,
      headers: {
        ...extra,
        ...(key !== undefined ? { 'x-api-key': key } : {}),
        ...(contentType !== undefined ? { 'content-type': contentType } : {}),
      },
      ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
    }));
