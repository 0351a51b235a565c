/**
 * The app's privacy popup. app.js's consent handler calls `ask(request)` on the current page's
 * <privacy-popup id="privacy-popup">; it resolves with the user's answer. "Agree" must be a
 * `<button open-type="agreePrivacyAuthorization">`: WeChat checks that the button named in the answer
 * (`agree-btn`) really was tapped
 * (https://developers.weixin.qq.com/miniprogram/dev/framework/user-privacy/PrivacyAuthorize.html).
 */
Component({
  data: {
    visible: false,
    contractName: 'privacy guide',
  },

  methods: {
    ask(request) {
      return new Promise((resolve) => {
        // Calls that meet the open popup share its answer (the client joins them), so one is enough.
        this.answer = resolve;
        this.setData({ visible: true }, () => request.reportExposure());
        getApp()
          .auth.privacy.getSetting()
          .then(({ privacyContractName }) => {
            if (privacyContractName) this.setData({ contractName: privacyContractName });
          })
          .catch(() => {});
      });
    },

    onOpenContract() {
      getApp()
        .auth.privacy.openContract()
        .catch(() => {});
    },

    /** bindagreeprivacyauthorization: WeChat has recorded the tap on #agree-btn. */
    onAgree() {
      this.close({ event: 'agree', buttonId: 'agree-btn' });
    },

    onDisagree() {
      this.close({ event: 'disagree' });
    },

    close(decision) {
      const answer = this.answer;
      this.answer = null;
      this.setData({ visible: false });
      if (answer) answer(decision);
    },
  },
});
