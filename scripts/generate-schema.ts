// Writes docs/protocol.schema.json from the zod protocol module. `npm run schema`
// regenerates it; test/protocol-schema.test.ts fails when the committed file drifts.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import * as A from '../src/protocol/accounting.js';
import * as P from '../src/protocol/messages.js';

export function protocolSchema(): Record<string, unknown> {
  const rest = {
    ErrorBody: P.ErrorBody,
    SessionListResponse: P.SessionListResponse,
    CreateSessionRequest: P.CreateSessionRequest,
    CreateSessionResponse: P.CreateSessionResponse,
    SessionDetailResponse: P.SessionDetailResponse,
    DeleteSessionResponse: P.DeleteSessionResponse,
    HealthLiveResponse: P.HealthLiveResponse,
    HealthReadyResponse: P.HealthReadyResponse,
    HealthNotReadyResponse: P.HealthNotReadyResponse,
    ExtensionsResponse: P.ExtensionsResponse,
    AuditListResponse: A.AuditListResponse,
    UserLimits: A.UserLimits,
    UserLimitsResponse: A.UserLimitsResponse,
    UsageResponse: A.UsageResponse,
  };
  const toJson = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'claude-sdk-pattern protocol (generated from src/protocol/messages.ts; do not edit)',
    websocket: { client: toJson(P.ClientMessage), server: toJson(P.ServerFrame) },
    rest: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, toJson(v)])),
  };
}

export const SCHEMA_PATH = path.resolve(import.meta.dirname, '../docs/protocol.schema.json');

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  fs.writeFileSync(SCHEMA_PATH, `${JSON.stringify(protocolSchema(), null, 2)}\n`);
  process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
}
