/** An action the API cannot take now (no such bridge, lease not ours); `status` is the HTTP reply's. */
export class ActionRefusedError extends Error {
  override name = 'ActionRefusedError';
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
  }
}
