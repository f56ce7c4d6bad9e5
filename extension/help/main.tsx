import { render } from 'preact';
import { t } from '../shared/i18n';
import { Help } from './Help';

document.documentElement.lang = t('ui_lang');
document.title = t('ui_helpTitle');
const app = document.getElementById('app');
if (app) render(<Help />, app);
