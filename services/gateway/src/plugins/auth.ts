import type { Actor, Profile } from '@reggie/contracts';
import type { FastifyRequest } from 'fastify';
import type { TokenVerifier } from '../auth/verify-token.ts';
import type { ProfileCache } from '../bus/profile-cache.ts';
import type { ServiceCaller } from '../bus/service-caller.ts';
import { problems } from '../problem.ts';
import type { RateLimits } from '../rate-limit/plugin.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's profile, set by the `requireUser` and `requireAdmin` guards. */
    profile: Profile | null;
    /** The caller as services see them. */
    actor: Actor | null;
    traceparent: string;
  }
}

export interface AuthDeps {
  verifier: TokenVerifier;
  profiles: ProfileCache;
  services: ServiceCaller;
  limits: RateLimits | null;
}

export interface Guards {
  requireUser(req: FastifyRequest): Promise<void>;
  requireAdmin(req: FastifyRequest): Promise<void>;
}

const BEARER = /^Bearer ([^\s]+)$/i;

/**
 * Route guards. The token proves who the caller is; the role always comes from their
 * Reggie profile, never from the token, so an admin is whoever profiles says is one.
 */
export function createGuards(deps: AuthDeps): Guards {
  const requireUser = async (req: FastifyRequest) => {
    const token = bearerToken(req);
    const result = await deps.verifier.verify(token);
    if (!result.ok) throw problems.unauthenticated(result.reason);

    const clerkId = result.claims.sub;
    await deps.limits?.checkUser(req, clerkId);
    const profile = await deps.profiles.get(clerkId, () =>
      deps.services.call(req, 'profiles.resolve', { clerkId }),
    );
    req.profile = profile;
    req.actor = { profileId: profile.id, role: profile.role };
  };

  return {
    requireUser,
    async requireAdmin(req) {
      await requireUser(req);
      if (req.actor?.role !== 'admin') throw problems.forbidden('this needs the admin role');
    },
  };
}

function bearerToken(req: FastifyRequest): string {
  const header = req.headers.authorization;
  if (!header) throw problems.unauthenticated('missing_token');
  const match = BEARER.exec(header);
  if (!match?.[1]) throw problems.unauthenticated('malformed_authorization_header');
  return match[1];
}

/** The caller as a route handler needs them; guards guarantee it is set. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw problems.unauthenticated('missing_token');
  return req.actor;
}
