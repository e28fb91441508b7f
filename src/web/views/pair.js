// First run: pair the tablet with its TABLET device token, typed once by a
// manager or carried by a QR code as #pair=<token> (app.js takes it out of
// the URL before anything else runs and hands it here).
import {h, busy} from '../dom.js';
import {t} from '../i18n.js';
import {asDevice, setDeviceToken} from '../session.js';
import {showError, clearError} from '../ui.js';
import {ConnectError} from '../connect.js';

let offered = '';
export function offerToken(token) { offered = token; }

export function mount(root) {
  const input = h('input', {id: 'pair-token', class: 'field', type: 'password', testid: 'pair-token',
    autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false'});
  const submit = h('button', {class: 'btn btn-primary', type: 'submit', testid: 'pair-submit'}, t('pair.submit'));

  // The token is kept only once the server took it as a tablet's.
  async function pair(token) {
    clearError();
    token = token.trim();
    if (!token) { input.focus(); return; }
    try {
      await asDevice('ListSignInStaff', {}, token);
      setDeviceToken(token);
      location.hash = '#/signin';
    } catch (err) {
      const why = err instanceof ConnectError && err.code === 'unauthenticated' ? t('pair.unknownToken')
        : err instanceof ConnectError && err.code === 'permission_denied' ? t('pair.notTablet') : t('pair.failed');
      showError(err, why);
    }
  }

  root.append(h('form', {class: 'panel narrow', onsubmit: (e) => { e.preventDefault(); busy(submit, () => pair(input.value)); }},
    h('h1', {}, t('pair.title')),
    h('p', {class: 'muted'}, t('pair.help')),
    h('label', {class: 'label', for: 'pair-token'}, t('pair.label')),
    input, submit));

  if (offered) {
    const token = offered;
    offered = '';
    busy(submit, () => pair(token));
  } else {
    input.focus();
  }
}
