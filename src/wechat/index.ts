// `weapp-auth/wechat`: a client of WeChat's mini-program server APIs, as a Nest module. A leaf: it
// imports nothing else of this project.
export { WechatModule } from './wechat.module.js';
export {
  WechatClient,
  type WechatContentCheck,
  type WechatOAuthToken,
  type WechatOAuthUserInfo,
  type WechatPhoneNumber,
  type WechatSession,
} from './wechat.client.js';
export {
  WECHAT_APP_KINDS,
  type WechatAppCredentials,
  type WechatAppKind,
  type WechatCallObservation,
  type WechatModuleOptions,
} from './wechat-options.interface.js';
export { WechatOptionsError } from './wechat-options.validation.js';
export {
  isPhoneCodeRefused,
  WechatApiError,
  WechatDecryptError,
  WechatErrorKind,
  type WechatApiErrorInit,
  type WechatApiName,
} from './wechat-api.error.js';
export { InjectWechatClient } from './wechat.decorators.js';
export {
  WECHAT_CLIENT,
  WECHAT_DEFAULT_BASE_URL,
  WECHAT_DEFAULT_REDIS_KEY_PREFIX,
  WECHAT_DEFAULT_TIMEOUT_MS,
} from './wechat.constants.js';
export {
  decryptData,
  verifyRawDataSignature,
  type DecryptDataOptions,
  type DecryptedData,
  type WechatWatermark,
} from './wechat.crypto.js';
