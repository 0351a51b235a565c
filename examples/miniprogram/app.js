// The client build, copied from client/dist (see README.md): `require` takes it as plain CommonJS.
const { createAuthClient } = require('./lib/weapp-auth-client/index.js');

// Your weapp-auth server. It must be in the mini program's request domain list (or DevTools'
// "don't verify domain names" on for local testing), and its WECHAT_APPID must be this app's appid.
const API_BASE_URL = 'https://api.example.com';

App({
  onLaunch() {
    this.auth = createAuthClient({ baseUrl: API_BASE_URL });
    // Privacy consent (WeChat requires it since 2023-10-17): until the user agrees to the privacy guide,
    // the phone-number button, the nickname input, chooseAvatar and wx.getUserProfile wait, and the
    // current page's <privacy-popup> asks. A page without one answers "disagree", so the call fails
    // with PRIVACY_NOT_AUTHORIZED instead of hanging.
    this.auth.privacy.onNeedConsent((request) => {
      const pages = getCurrentPages();
      const page = pages[pages.length - 1];
      const popup = page && page.selectComponent('#privacy-popup');
      return popup ? popup.ask(request) : { event: 'disagree' };
    });
    // Silent login: no UI. Pages wait for this same promise; requests made meanwhile join the same
    // login flight instead of starting their own.
    this.ready = this.auth.ensureLogin().catch((error) => {
      // Offline or the server is down: pages still work, and the next request logs in again.
      console.warn('silent login failed', error.code, error.message);
    });
  },
});
