/** A refusal the user should read, optionally tied to a form field. */
export class AccountError extends Error {
  constructor(
    readonly code:
      | 'invalid_credentials'
      | 'unconfirmed'
      | 'suspended'
      | 'not_active'
      | 'wrong_password'
      | 'weak_password'
      | 'forbidden'
      | 'not_found',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}
