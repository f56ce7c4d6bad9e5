import { render } from 'preact';
import { t } from '../shared/i18n';
import { Popup } from './Popup';

// The page speaks the browser's language: say which, for screen readers and hyphenation.
document.documentElement.lang = t('ui_lang');
const root = document.getElementById('app');
if (root) render(<Popup />, root);
