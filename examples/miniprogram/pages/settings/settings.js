const app = getApp();

const MESSAGES = {
  NETWORK_ERROR: 'No connection, try again',
  DATABASE_UNAVAILABLE: 'Please try again shortly',
  SESSION_STORE_UNAVAILABLE: 'Please try again shortly',
};

Page({
  data: {
    busy: false,
    exported: '',
    deleted: false,
  },

  /** GET /users/me/export: everything the server holds about the user (PIPL's right to a copy). */
  async onExportData() {
    this.setData({ busy: true });
    try {
      const data = await app.auth.exportData();
      this.setData({ exported: JSON.stringify(data, null, 2) });
    } catch (error) {
      this.showError(error);
    } finally {
      this.setData({ busy: false });
    }
  },

  onCopyExport() {
    wx.setClipboardData({ data: this.data.exported });
  },

  /**
   * DELETE /users/me after a confirmation: WeChat's review rules ask for an account-deletion path, and
   * the PIPL gives users the right to have their data deleted.
   */
  onDeleteAccount() {
    wx.showModal({
      title: 'Delete your account?',
      content:
        'Your profile, phone number, avatar and every login are deleted for good. This cannot be undone.',
      confirmText: 'Delete',
      confirmColor: '#e64340',
      success: ({ confirm }) => {
        if (confirm) this.deleteAccount();
      },
    });
  },

  async deleteAccount() {
    this.setData({ busy: true });
    try {
      await app.auth.deleteAccount();
      // The client has forgotten the token. Any request from now on would log in again and create a
      // new, empty account, so this page asks first ("Start again") instead of going back.
      this.setData({ deleted: true, exported: '' });
    } catch (error) {
      // The account is still there and the session kept: the user can simply try again.
      this.showError(error);
    } finally {
      this.setData({ busy: false });
    }
  },

  onStartAgain() {
    wx.reLaunch({ url: '/pages/index/index' });
  },

  showError(error) {
    wx.showToast({ title: MESSAGES[error.code] || `Failed (${error.code || 'error'})`, icon: 'none' });
  },
});
