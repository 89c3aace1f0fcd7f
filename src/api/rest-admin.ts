// The admin guard of REST routes, run at preValidation: the role is checked before the request is.
import type { FastifyRequest } from 'fastify';
import { requireAdmin } from '../core/identity/principal.js';
import { caller } from './http-errors.js';

export async function adminOnly(req: FastifyRequest): Promise<void> {
  requireAdmin(caller(req));
}
