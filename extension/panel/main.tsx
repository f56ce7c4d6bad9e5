import { render } from 'preact';
import { Panel } from './Panel';

const root = document.getElementById('app');
if (root) render(<Panel />, root);
