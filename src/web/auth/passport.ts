import type { RequestHandler } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { AccountError } from '../../application/accounts/errors.js';
import type { SelfService } from '../../application/accounts/self-service.js';

export interface LoginOutcome {
  userId?: string;
  message?: string;
  code?: string;
}

/**
 * A Passport instance of our own (no global) with the local strategy over the accounts use case.
 * Passport ≥ 0.6 regenerates the session at `req.logIn`, which renews the session id.
 */
export function createPassport(self: SelfService) {
  const passport = new Passport();
  passport.use(
    new LocalStrategy(
      { usernameField: 'email', passwordField: 'password' },
      (email, password, done) => {
        self.authenticate(email, password).then(
          (userId) => done(null, { id: userId }),
          (error: unknown) =>
            error instanceof AccountError
              ? done(null, false, { message: error.message, code: error.code } as never)
              : done(error),
        );
      },
    ),
  );
  passport.serializeUser((user, done) => done(null, (user as { id: string }).id));
  passport.deserializeUser((id: string, done) => done(null, { id }));

  /** Runs the strategy and reports the outcome instead of redirecting, so the form can show it. */
  const authenticate = (): RequestHandler => (req, res, next) => {
    passport.authenticate(
      'local',
      { session: false },
      (
        error: unknown,
        user: { id: string } | false,
        info?: { message?: string; code?: string },
      ) => {
        if (error) return next(error);
        res.locals.loginOutcome = user
          ? ({ userId: user.id } satisfies LoginOutcome)
          : ({
              message: info?.message ?? 'Введите email и пароль.',
              code: info?.code,
            } satisfies LoginOutcome);
        next();
      },
    )(req, res, next);
  };

  return { passport, initialize: passport.initialize(), authenticate };
}
