import { render } from 'preact';
import { t } from '../shared/i18n';
import { Panel } from './Panel';

document.documentElement.lang = t('ui_lang');

const root = document.getElementById('app');
if (root) render(<Panel />, root);
