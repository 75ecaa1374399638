// Entry point of the approval window (approval.html, window label `approval`): global styles
// and the approval screen. This window's capability allows only approval_pending,
// approval_approve and approval_reject, so nothing else of the app is loaded here.
import './app.css';
import { mount } from 'svelte';
import ApprovalApp from './components/approval/ApprovalApp.svelte';

const target = document.getElementById('approval');
if (!target) throw new Error('approval.html has no #approval element');

export default mount(ApprovalApp, { target });
