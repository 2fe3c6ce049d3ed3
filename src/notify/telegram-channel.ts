import { messageText, type Channel } from './alert.js';
import { postJson } from './post-json.js';

/** Telegram's Bot API: POST {api}/bot<token>/sendMessage with chat_id and text. The token is a secret (it is in the URL). */
export function telegramChannel(options: { api: string; token: string; chatId: string; timeoutMs: number }): Channel {
  const url = `${options.api.replace(/\/+$/, '')}/bot${options.token}/sendMessage`;
  return {
    name: 'telegram',
    send: (message) => postJson(url, { chat_id: options.chatId, text: messageText(message), disable_web_page_preview: true }, { timeoutMs: options.timeoutMs }),
  };
}
