const app = getApp();

/** Messages for the codes a user can do something about; everything else shows its code. */
const MESSAGES = {
  NETWORK_ERROR: 'No connection, try again',
  WECHAT_UNAVAILABLE: 'WeChat is busy, try again shortly',
  WECHAT_RATE_LIMITED: 'Too many attempts, try again later',
  PHONE_CODE_INVALID: 'That did not work, tap the button again',
  NICKNAME_REJECTED: 'Please choose another nickname',
  PRIVACY_NOT_AUTHORIZED: 'This needs your consent to the privacy guide',
};

/** The user said no (a sheet declined): nothing to report. */
const DECLINED = ['PHONE_NUMBER_DENIED', 'USER_INFO_DENIED'];

Page({
  data: {
    user: null,
    saving: false,
    /** The user agreed to join the accounts of a conflicting phone login: the next tap merges. */
    mergeAccounts: false,
  },

  async onLoad() {
    await app.ready;
    try {
      this.setData({ user: await app.auth.getProfile() });
    } catch (error) {
      this.showError(error);
    }
  },

  /** <button open-type="chooseAvatar">: detail.avatarUrl is a temp file to upload. */
  async onChooseAvatar(event) {
    await this.save(() => app.auth.uploadAvatar(event.detail.avatarUrl));
  },

  /**
   * <input type="nickname"> inside a form: WeChat checks the nickname on blur and may clear it, so
   * read it on submit (https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/userProfile.html).
   */
  async onSubmitNickname(event) {
    const nickname = (event.detail.value.nickname || '').trim();
    if (!nickname) return;
    await this.save(() => app.auth.updateProfile({ nickname }));
  },

  /**
   * The seeds' flow: wx.getUserProfile, then PUT /users/me with the userInfo as WeChat hands it over
   * (nickName, avatarUrl, gender, province, city, country, language). wx.getUserProfile only works
   * straight from a tap, so nothing may be awaited before it. Since 2022-11 WeChat answers "微信用户"
   * and a grey avatar, which the server ignores: the avatar button and the nickname input are how users
   * set their profile today.
   */
  onUseWechatProfile() {
    this.save(() => app.auth.saveWechatUserInfo({ desc: '用于完善用户资料' }));
  },

  /** <button open-type="getPhoneNumber">: the client sends detail.code; a tap before login still works. */
  async onGetPhoneNumber(event) {
    await this.save(() => app.auth.getPhoneNumber(event));
  },

  /**
   * Phone-number login (<button open-type="getPhoneNumber">): wx.login, then POST /auth/login with the
   * login code and the button's phone code. The server logs in as the person who owns the verified
   * number, an account made in another of our mini programs included.
   */
  async onPhoneLogin(event) {
    await this.phoneLogin(event, false);
  },

  /** The second tap after the user agreed to join the accounts (a phone code works once). */
  async onPhoneLoginMerge(event) {
    await this.phoneLogin(event, true);
  },

  async phoneLogin(event, merge) {
    this.setData({ saving: true });
    try {
      const session = await app.auth.loginWithPhoneNumber(event, { merge });
      this.setData({ user: session.user, mergeAccounts: false });
    } catch (error) {
      if (error.code === 'ACCOUNT_CONFLICT') await this.askToMerge(error);
      else if (DECLINED.indexOf(error.code) < 0) this.showError(error);
    } finally {
      this.setData({ saving: false });
    }
  },

  /** 409 ACCOUNT_CONFLICT: the number and this WeChat account belong to two accounts. Ask before joining. */
  async askToMerge(conflict) {
    this.setData({ mergeAccounts: false });
    if (!conflict.mergeable) {
      wx.showModal({
        title: 'Two accounts',
        content: 'These accounts cannot be joined here; contact support.',
        showCancel: false,
      });
      return;
    }
    const since = conflict.accounts.map((account) => account.createdAt.slice(0, 10)).join(' and ');
    const { confirm } = await wx.showModal({
      title: 'Two accounts',
      content: `This number and your WeChat account belong to two accounts (created ${since}). Join them into one?`,
      confirmText: 'Join',
    });
    // Joining needs a fresh phone code, hence a second tap on the button.
    if (confirm) this.setData({ mergeAccounts: true });
  },

  async save(change) {
    this.setData({ saving: true });
    try {
      this.setData({ user: await change() });
    } catch (error) {
      // Declining a sheet is the user's choice, not an error to report.
      if (DECLINED.indexOf(error.code) < 0) this.showError(error);
    } finally {
      this.setData({ saving: false });
    }
  },

  showError(error) {
    wx.showToast({ title: MESSAGES[error.code] || `Failed (${error.code || 'error'})`, icon: 'none' });
  },
});
