import type {
  PrivacyConsentHandler,
  PrivacyDecision,
  PrivacySetting,
  WxApi,
  WxPrivacyResolution,
} from './types.js';
import { wxGetPrivacySetting, wxOpenPrivacyContract, wxRequirePrivacyAuthorize } from './wx-transport.js';

/**
 * WeChat's privacy consent (required since 2023-10-17 for apps that declare personal data): until the
 * user has agreed to the app's privacy guide, a privacy API or component (`wx.getUserProfile`, the
 * phone-number button, `<input type="nickname">`, `chooseAvatar`, …) stays pending and
 * `wx.onNeedPrivacyAuthorization` fires; whoever listens must show a popup with an
 * `<button open-type="agreePrivacyAuthorization">` and then call `resolve` with the answer
 * (https://developers.weixin.qq.com/miniprogram/dev/framework/user-privacy/PrivacyAuthorize.html).
 * Refused, the waiting call fails with `privacy permission is not authorized`, which the client reports
 * as `PRIVACY_NOT_AUTHORIZED`.
 *
 * `client.privacy` wires that listener to one handler of the app's and adds promise versions of
 * `wx.requirePrivacyAuthorize`, `wx.getPrivacySetting` and `wx.openPrivacyContract`. On base libraries
 * before 2.32.3 there is no gate: `require()` resolves and `getSetting()` says nothing is needed.
 *
 * @publicApi
 */
export class PrivacyConsent {
  private handler: PrivacyConsentHandler | null = null;
  private listening = false;
  /** `resolve`s of privacy calls waiting for the popup that is on screen; empty when none is. */
  private waiting: Array<(result: WxPrivacyResolution) => void> = [];

  constructor(private readonly wx: WxApi) {}

  /** This base library has the privacy APIs (≥ 2.32.3). */
  get supported(): boolean {
    return typeof this.wx.onNeedPrivacyAuthorization === 'function';
  }

  /**
   * Makes every privacy call that needs consent wait for `handler`: it shows the app's popup and
   * settles with `{ event: 'agree', buttonId }` (the id of the `agreePrivacyAuthorization` button the
   * user tapped) or `{ event: 'disagree' }`; a rejection counts as `disagree`. Calls that meet the
   * popup while it is open get the same answer, so the user sees one popup, not one per call.
   *
   * WeChat keeps only the last `onNeedPrivacyAuthorization` listener, so register through here only
   * (once, e.g. in `App.onLaunch`); a later call replaces the handler. Without a listener WeChat shows
   * its own popup instead.
   */
  onNeedConsent(handler: PrivacyConsentHandler): void {
    this.handler = handler;
    if (this.listening || !this.wx.onNeedPrivacyAuthorization) return;
    this.listening = true;
    this.wx.onNeedPrivacyAuthorization((resolve, eventInfo) => this.ask(resolve, eventInfo?.referrer ?? ''));
  }

  /**
   * `wx.requirePrivacyAuthorize`: resolves when the user has agreed (at once if they already had,
   * otherwise after the consent handler's popup), rejects with `PRIVACY_NOT_AUTHORIZED` when they
   * refuse. Call it before showing something that will need consent, e.g. on a page with a nickname input.
   */
  require(): Promise<void> {
    return wxRequirePrivacyAuthorize(this.wx);
  }

  /** `wx.getPrivacySetting`: whether consent is still needed, and the guide's title. */
  getSetting(): Promise<PrivacySetting> {
    return wxGetPrivacySetting(this.wx);
  }

  /** `wx.openPrivacyContract`: shows the app's privacy guide (link it from the popup). */
  openContract(): Promise<void> {
    return wxOpenPrivacyContract(this.wx);
  }

  private ask(resolve: (result: WxPrivacyResolution) => void, referrer: string): void {
    this.waiting.push(resolve);
    if (this.waiting.length > 1) return; // the popup is already up: this call joins its answer
    const handler = this.handler;
    const request = {
      referrer,
      reportExposure: () => resolve({ event: 'exposureAuthorization' }),
    };
    // WeChat leaves the privacy call pending until `resolve` runs, so a handler that throws, rejects
    // or answers nonsense must still end in an answer: `disagree`.
    new Promise<PrivacyDecision>((settle) => settle(handler!(request)))
      .then(decisionOrDisagree, () => DISAGREE)
      .then((decision) => {
        const waiting = this.waiting;
        this.waiting = [];
        for (const waiter of waiting) waiter(decision);
      });
  }
}

const DISAGREE: PrivacyDecision = { event: 'disagree' };

function decisionOrDisagree(decision: PrivacyDecision | undefined): PrivacyDecision {
  if (decision && decision.event === 'agree' && typeof decision.buttonId === 'string') {
    return { event: 'agree', buttonId: decision.buttonId };
  }
  return DISAGREE;
}
