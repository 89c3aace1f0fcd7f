// Users proven by someone else (the OpenID provider, a trusted proxy): found by their
// external subject, created on first sight, refused when disabled. The provider's word on
// the role is applied at every sign-in when it gives one (OIDC_ADMIN_GROUP is set).
import { randomUUID } from 'node:crypto';
import type { UserRepository, UserRow } from '../../db/ports.js';
import type { Role } from '../../protocol/messages.js';
import type { AuditLog } from '../accounting/audit-log.js';
import { SignInError } from './oidc-sign-in.js';

export interface ExternalIdentity {
  /** OIDC: the `sub`; proxy: `proxy:<header value>` (one column, two namespaces). */
  subject: string;
  name: string;
  /** null: keep what the app says (new users start as members). */
  role: Role | null;
}

export class ExternalUsers {
  constructor(
    private readonly repo: UserRepository,
    private readonly audit: Pick<AuditLog, 'record'>,
  ) {}

  /** The user for this identity (created, or role and name brought up to date); disabled users are refused. */
  async userFor(id: ExternalIdentity, via: 'oidc' | 'proxy'): Promise<UserRow> {
    const now = new Date().toISOString();
    let found = await this.repo.userBySubject(id.subject);
    if (!found) {
      const user: UserRow = {
        user_id: randomUUID(),
        name: id.name,
        role: id.role ?? 'member',
        oidc_subject: id.subject,
        disabled: false,
        created_at: now,
        updated_at: now,
      };
      try {
        await this.repo.insertUser(user);
        this.audit.record({
          actor_user_id: user.user_id,
          action: 'user.created',
          target_user_id: user.user_id,
          detail: { name: user.name, role: user.role, via },
        });
        return user;
      } catch (e) {
        // Two first sign-ins of one person at once: the other one created the user.
        found = await this.repo.userBySubject(id.subject);
        if (!found) throw e;
      }
    }
    if (found.disabled) throw new SignInError('account_disabled', `user ${found.user_id} is disabled`);
    const role = id.role ?? found.role;
    if (role === found.role && id.name === found.name) return found;
    const next = { ...found, role, name: id.name, updated_at: now };
    await this.repo.updateUser(next);
    this.audit.record({
      actor_user_id: found.user_id,
      action: 'user.changed',
      target_user_id: found.user_id,
      detail: { ...(role !== found.role ? { role } : {}), ...(id.name !== found.name ? { name: id.name } : {}), via },
    });
    return next;
  }
}
