import { createClient, type AlgogeneClient } from '../../src/algogene/create-client.js';
import type { Http } from '../../src/algogene/create-http.js';
import { createSessionTokens } from '../../src/algogene/session-tokens.js';
import { captureLog } from './capture-log.js';
import { ACCOUNT, API_KEY, USER } from './fake-algogene.js';

/** The fake ALGOGENE's account as a bridge's client sees it: its own session tokens, a captured log. */
export function accountClient(http: Http, runmode: 'livetest' | 'livetrade'): AlgogeneClient {
  const logs = captureLog();
  const tokens = createSessionTokens({ http, log: logs.log, secrets: logs.secrets, user: USER, apiKey: API_KEY });
  return createClient({ http, log: logs.log, tokens, account: { user: USER, apiKey: API_KEY, accountId: ACCOUNT, runmode } });
}
